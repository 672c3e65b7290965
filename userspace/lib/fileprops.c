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
 * root_hash_sig_key_desc when the root hash came with a signature; neither
 * when the target lets reads through unchecked (ignore_corruption,
 * ignore_zero_blocks, check_at_most_once), as the module judges it.  Files
 * on overlayfs are judged by the overlay here; the kernel looks through to
 * the real inode.  Nothing here prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fsverity.h>

#include "fileprops.h"
#include "fsverity.h"
#include "util.h"

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
	struct fsverity_read_metadata_arg arg = {
		.metadata_type = FS_VERITY_METADATA_TYPE_SIGNATURE,
		.length = 1,
	};
	struct ipectl_fsv_digest d;
	unsigned char one;

	if (ipectl_fsv_measure(fd, &d))
		return;
	snprintf(fp->fsv_alg, sizeof(fp->fsv_alg), "%s", d.alg);
	memcpy(fp->fsv_bytes, d.bytes, d.len);
	fp->fsv.alg = fp->fsv_alg;
	fp->fsv.digest = fp->fsv_bytes;
	fp->fsv.len = d.len;
	fp->props.fsv_digest = &fp->fsv;
	arg.buf_ptr = (unsigned long)&one;
	fp->props.fsv_signed = ioctl(fd, FS_IOC_READ_VERITY_METADATA, &arg) > 0;
}

static int dm_props(dev_t dev, struct ipectl_file_props *fp)
{
	struct ipe_eng_dmv_root root;
	int rc;

	rc = ipectl_dm_verity_root(NULL, dev, &root);
	if (rc <= 0)
		return rc;
	/* reads pass unchecked: no root hash, no signature, as in the module */
	if (!root.verifies) {
		fp->dmv_unverified = true;
		return 0;
	}
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
	else if (fp->dmv_unverified)
		snprintf(note, notelen,
			 "its dm-verity device lets reads through unchecked (ignore_corruption, ignore_zero_blocks or check_at_most_once): no dmverity_roothash, dmverity_signature=FALSE");
	else if (fp->overlay)
		snprintf(note, notelen,
			 "on overlayfs: the kernel judges the file of the layer it comes from");
	return 0;
}

