// SPDX-License-Identifier: MIT
/*
 * fileprops.c - a file's IPE properties, computed from userspace.
 *
 * boot_verified: the file's mount (statx STATX_MNT_ID) has fstype "rootfs"
 * in /proc/self/mountinfo.  fsverity_digest: FS_IOC_MEASURE_VERITY.
 * fsverity_signature: FS_IOC_READ_VERITY_METADATA finds a built-in
 * signature (the kernel verified it when the file was opened, or the open
 * would have failed).  dmverity_*: the table of the file's device-mapper
 * device (DM_TABLE_STATUS), a single verity target: its root digest, and
 * root_hash_sig_key_desc when the root hash came with a signature.  Files
 * on overlayfs are judged by the overlay here; the kernel looks through to
 * the real inode.  Nothing here prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/dm-ioctl.h>
#include <linux/fsverity.h>

#include "fileprops.h"

static int mount_fstype(int fd, char *type, size_t size)
{
	struct statx stx;
	char line[4096];
	FILE *f;
	int rc = -ENOENT;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx))
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -EOPNOTSUPP;
	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long id;
		char *sep;

		if (sscanf(line, "%llu", &id) != 1 || id != stx.stx_mnt_id)
			continue;
		sep = strstr(line, " - ");
		if (sep && sscanf(sep + 3, "%255s", type) == 1 &&
		    strlen(type) < size)
			rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

static void fsverity_props(int fd, struct ipectl_file_props *fp)
{
	struct {
		struct fsverity_digest d;
		unsigned char buf[64];
	} m = { .d.digest_size = 64 };
	struct fsverity_read_metadata_arg arg = {
		.metadata_type = FS_VERITY_METADATA_TYPE_SIGNATURE,
		.length = 1,
	};
	unsigned char one;

	if (ioctl(fd, FS_IOC_MEASURE_VERITY, &m))
		return;
	if (m.d.digest_size > sizeof(fp->fsv_bytes))
		return;
	snprintf(fp->fsv_alg, sizeof(fp->fsv_alg), "%s",
		 m.d.digest_algorithm == FS_VERITY_HASH_ALG_SHA512 ? "sha512" :
		 m.d.digest_algorithm == FS_VERITY_HASH_ALG_SHA256 ? "sha256" :
								      "unknown");
	memcpy(fp->fsv_bytes, m.d.digest, m.d.digest_size);
	fp->fsv.alg = fp->fsv_alg;
	fp->fsv.digest = fp->fsv_bytes;
	fp->fsv.len = m.d.digest_size;
	fp->props.fsv_digest = &fp->fsv;
	arg.buf_ptr = (unsigned long)&one;
	fp->props.fsv_signed = ioctl(fd, FS_IOC_READ_VERITY_METADATA, &arg) > 0;
}

/* The verity target's table line, parsed by the engine as the module does. */
static int parse_verity(const char *params, struct ipectl_file_props *fp)
{
	struct ipe_eng_dmv_root root;
	int rc;

	rc = ipe_eng_dmv_parse_table(params, strlen(params), &root);
	if (rc)
		return rc;
	_Static_assert(sizeof(fp->dmv_bytes) >= sizeof(root.digest), "dmv_bytes");
	_Static_assert(sizeof(fp->dmv_alg) >= sizeof(root.alg), "dmv_alg");
	memcpy(fp->dmv_bytes, root.digest, root.len);
	memcpy(fp->dmv_alg, root.alg, sizeof(root.alg));
	fp->dmv.alg = fp->dmv_alg;
	fp->dmv.digest = fp->dmv_bytes;
	fp->dmv.len = root.len;
	fp->props.dmv_roothash = &fp->dmv;
	fp->props.dmv_signed = root.sig;
	return 0;
}

static int dm_props(dev_t dev, struct ipectl_file_props *fp)
{
	union {
		struct dm_ioctl io;
		char buf[16384];
	} u;
	struct dm_target_spec *spec;
	int fd, rc = 0;

	if (major(dev) == 0)
		return 0;
	memset(&u, 0, sizeof(u));
	u.io.version[0] = DM_VERSION_MAJOR;
	u.io.data_size = sizeof(u);
	u.io.data_start = sizeof(u.io);
	u.io.dev = makedev(major(dev), minor(dev));
	u.io.flags = DM_STATUS_TABLE_FLAG;
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (ioctl(fd, DM_TABLE_STATUS, &u.io)) {
		/* ENXIO: not a device-mapper device */
		rc = errno == ENXIO || errno == EINVAL ? 0 : -errno;
		goto out;
	}
	if (u.io.target_count != 1)
		goto out;
	spec = (struct dm_target_spec *)(u.buf + u.io.data_start);
	if (strcmp(spec->target_type, "verity") || spec->sector_start)
		goto out;
	rc = parse_verity((char *)(spec + 1), fp);
out:
	close(fd);
	return rc;
}

/**
 * ipectl_file_props() - compute a file's properties.
 * @path: the file.
 * @fp: filled in.
 * @note: a sentence about what could not be determined, or "".
 * @notelen: bytes at @note.
 *
 * Return: 0, or -errno if the file cannot be opened.
 */
int ipectl_file_props(const char *path, struct ipectl_file_props *fp,
		      char *note, size_t notelen)
{
	char type[256];
	struct stat st;
	int fd, rc;

	memset(fp, 0, sizeof(*fp));
	note[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = mount_fstype(fd, type, sizeof(type));
	if (!rc) {
		fp->props.boot_verified = !strcmp(type, "rootfs");
		fp->overlay = !strcmp(type, "overlay");
	}
	fsverity_props(fd, fp);
	close(fd);
	rc = dm_props(st.st_dev, fp);
	if (rc == -EACCES || rc == -EPERM)
		snprintf(note, notelen,
			 "dm-verity state unknown: reading device-mapper tables needs root");
	else if (rc)
		snprintf(note, notelen, "dm-verity state unknown: %s",
			 strerror(-rc));
	else if (fp->overlay)
		snprintf(note, notelen,
			 "on overlayfs: the kernel judges the file of the layer it comes from");
	return 0;
}

/*
 * Suspend and resume every device-mapper device whose table is a verity
 * target, so that dm-verity announces its root hash and signature state
 * again (verity_preresume) to an enforcer loaded after the device was
 * activated.  Returns the number of devices cycled, or -errno.
 */
static int dm_ioctl_call(int fd, unsigned long req, struct dm_ioctl *io,
			 size_t size, const char *name, unsigned int flags)
{
	memset(io, 0, size);
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = (unsigned int)size;
	io->data_start = sizeof(*io);
	io->flags = flags;
	if (name)
		snprintf(io->name, sizeof(io->name), "%s", name);
	return ioctl(fd, req, io) ? -errno : 0;
}

int ipectl_dm_verity_rescan(char *err, size_t errlen)
{
	static union {
		struct dm_ioctl io;
		char buf[65536];
	} list, u;
	struct dm_name_list *nl;
	unsigned int off;
	int fd, rc, n = 0;

	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = dm_ioctl_call(fd, DM_LIST_DEVICES, &list.io, sizeof(list), NULL, 0);
	if (rc) {
		snprintf(err, errlen, "listing device-mapper devices: %s",
			 strerror(-rc));
		goto out;
	}
	nl = (struct dm_name_list *)(list.buf + list.io.data_start);
	if (!nl->dev)
		goto out;
	for (off = 0;; off = nl->next) {
		struct dm_target_spec *spec;

		nl = (struct dm_name_list *)((char *)nl + off);
		rc = dm_ioctl_call(fd, DM_TABLE_STATUS, &u.io, sizeof(u),
				   nl->name, DM_STATUS_TABLE_FLAG);
		spec = (struct dm_target_spec *)(u.buf + u.io.data_start);
		if (!rc && u.io.target_count == 1 &&
		    !strcmp(spec->target_type, "verity") &&
		    !(u.io.flags & DM_SUSPEND_FLAG)) {
			rc = dm_ioctl_call(fd, DM_DEV_SUSPEND, &u.io, sizeof(u),
					   nl->name, DM_SUSPEND_FLAG);
			if (!rc)
				rc = dm_ioctl_call(fd, DM_DEV_SUSPEND, &u.io,
						   sizeof(u), nl->name, 0);
			if (rc) {
				snprintf(err, errlen, "suspend/resume of %s: %s",
					 nl->name, strerror(-rc));
				goto out;
			}
			n++;
		}
		if (!nl->next)
			break;
	}
	rc = n;
out:
	close(fd);
	return rc;
}
