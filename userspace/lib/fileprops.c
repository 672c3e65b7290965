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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/dm-ioctl.h>
#include <linux/fsverity.h>

#include "fileprops.h"
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
	/* a union: ISO C allows no struct with a flexible array in a struct */
	union {
		struct fsverity_digest d;
		unsigned char buf[sizeof(struct fsverity_digest) + 64];
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
	if (u.io.flags & DM_BUFFER_FULL_FLAG) {
		rc = -EOVERFLOW;
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
	else if (fp->dmv_unverified)
		snprintf(note, notelen,
			 "its dm-verity device lets reads through unchecked (ignore_corruption, ignore_zero_blocks or check_at_most_once): no dmverity_roothash, dmverity_signature=FALSE");
	else if (fp->overlay)
		snprintf(note, notelen,
			 "on overlayfs: the kernel judges the file of the layer it comes from");
	return 0;
}

/* A device-mapper ioctl buffer: the header, then the payload. */
union dm_buf {
	struct dm_ioctl io;
	char buf[65536];
};

static void dm_init(union dm_buf *u, const char *name, unsigned int flags)
{
	memset(&u->io, 0, sizeof(u->io));
	u->io.version[0] = DM_VERSION_MAJOR;
	u->io.data_size = sizeof(*u);
	u->io.data_start = sizeof(u->io);
	u->io.flags = flags;
	if (name)
		snprintf(u->io.name, sizeof(u->io.name), "%s", name);
}

static int dm_call(int fd, unsigned long req, union dm_buf *u)
{
	return ioctl(fd, req, &u->io) ? -errno : 0;
}

/* Append one line to @err (lines separated by '\n'); cut when it is full. */
static void add_line(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_line(char *err, size_t errlen, const char *fmt, ...)
{
	size_t n = strnlen(err, errlen);
	va_list ap;

	if (n && n + 1 < errlen)
		err[n++] = '\n';
	if (n + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}

/* Why the verity table of @name, which loaded once, does not load again. */
static void load_failed(const char *name, const char *params, int rc,
			char *err, size_t errlen)
{
	static const char opt[] = " root_hash_sig_key_desc ";
	const char *desc = strstr(params, opt);
	struct ipe_eng_dmv_root root;

	if (ipe_eng_dmv_parse_table(params, strlen(params), &root) ||
	    !root.sig || !desc) {
		add_line(err, errlen,
			 "%s: reloading its dm-verity table failed: %s (%s); %s counts as untrusted (no dmverity_roothash) until it is reactivated",
			 name, strerror(-rc), ipectl_errno_name(rc), name);
		return;
	}
	desc += sizeof(opt) - 1;
	if (rc == -ENOKEY || rc == -EKEYREJECTED || rc == -EKEYREVOKED ||
	    rc == -EKEYEXPIRED)
		add_line(err, errlen,
			 "%s: reloading its dm-verity table failed: %s (%s): the root hash signature named by root_hash_sig_key_desc '%.*s' is no longer in the keyring, or no trusted key verifies it; %s counts as untrusted (no dmverity_roothash, dmverity_signature=FALSE) until it is reactivated with its signature",
			 name, strerror(-rc), ipectl_errno_name(rc),
			 (int)strcspn(desc, " "), desc, name);
	else
		add_line(err, errlen,
			 "%s: reloading its dm-verity table failed: %s (%s); %s counts as untrusted (no dmverity_roothash, dmverity_signature=FALSE) until it is reactivated with its signature",
			 name, strerror(-rc), ipectl_errno_name(rc), name);
}

/*
 * DM_TABLE_LOAD of one target into @name's inactive slot: @start, @length,
 * "verity", @params; read-only if @ro, as the live table is.
 */
static int load_table(int fd, union dm_buf *u, const char *name, bool ro,
		      __u64 start, __u64 length, const char *params)
{
	struct dm_target_spec *spec;
	size_t plen = strlen(params) + 1;

	dm_init(u, name, ro ? DM_READONLY_FLAG : 0);
	if (u->io.data_start + sizeof(*spec) + plen > sizeof(*u))
		return -E2BIG;
	u->io.target_count = 1;
	u->io.data_size = (__u32)(u->io.data_start + sizeof(*spec) + plen);
	spec = (struct dm_target_spec *)(u->buf + u->io.data_start);
	memset(spec, 0, sizeof(*spec));
	spec->sector_start = start;
	spec->length = length;
	snprintf(spec->target_type, sizeof(spec->target_type), "verity");
	memcpy(spec + 1, params, plen);
	return dm_call(fd, DM_TABLE_LOAD, u);
}

static int resume(int fd, union dm_buf *u, const char *name)
{
	dm_init(u, name, 0);
	return dm_call(fd, DM_DEV_SUSPEND, u);
}

static void clear_inactive(int fd, union dm_buf *u, const char *name)
{
	dm_init(u, name, 0);
	dm_call(fd, DM_TABLE_CLEAR, u);
}

/*
 * Swap in what was loaded (if anything) with a suspend and a resume.  A
 * device is never left suspended by us: if the resume fails (the new table
 * did not go in), drop the inactive table and resume on the old one,
 * a few times; *@stuck only when even that fails.
 */
static int cycle(int fd, union dm_buf *u, const char *name, bool loaded,
		 bool *stuck)
{
	int rc, i;

	*stuck = false;
	dm_init(u, name, DM_SUSPEND_FLAG);
	rc = dm_call(fd, DM_DEV_SUSPEND, u);
	if (rc) {
		if (loaded)
			clear_inactive(fd, u, name);
		return rc;	/* not suspended */
	}
	rc = resume(fd, u, name);
	if (!rc)
		return 0;
	for (i = 0; i < 5; i++) {
		if (loaded)
			clear_inactive(fd, u, name);
		if (!resume(fd, u, name))
			return rc;	/* back on its old table */
		usleep(200000);
	}
	*stuck = true;
	return rc;
}

/*
 * One device: 1 when its verity table was reloaded and swapped in, 0 when
 * it is not a live single-target verity device or was left as it was (said
 * in @err), -errno when it could not be suspended or resumed.
 */
static int rescan_one(int fd, union dm_buf *u, const char *name, char *err,
		      size_t errlen)
{
	struct dm_target_spec *spec;
	__u64 start, length;
	char *params;
	bool ro, stuck;
	int rc, load_rc;

	dm_init(u, name, DM_STATUS_TABLE_FLAG);
	rc = dm_call(fd, DM_TABLE_STATUS, u);
	if (rc == -ENXIO)
		return 0;	/* removed meanwhile */
	if (rc) {
		add_line(err, errlen, "%s: reading its table: %s", name,
			 strerror(-rc));
		return 0;
	}
	spec = (struct dm_target_spec *)(u->buf + u->io.data_start);
	if (u->io.target_count != 1 || strcmp(spec->target_type, "verity"))
		return 0;
	if (u->io.flags & (DM_SUSPEND_FLAG | DM_INACTIVE_PRESENT_FLAG |
			   DM_BUFFER_FULL_FLAG)) {
		add_line(err, errlen,
			 "%s: %s: left alone; it counts as untrusted until its table is loaded again (dmsetup reload and resume, or reactivation)",
			 name, u->io.flags & DM_BUFFER_FULL_FLAG ?
			 "its table is too long to read back" :
			 u->io.flags & DM_SUSPEND_FLAG ?
			 "suspended by someone else" :
			 "someone else has loaded an inactive table");
		return 0;
	}
	ro = u->io.flags & DM_READONLY_FLAG;
	start = spec->sector_start;
	length = spec->length;
	params = strdup((char *)(spec + 1));
	if (!params)
		return -ENOMEM;
	load_rc = load_table(fd, u, name, ro, start, length, params);
	if (load_rc)
		load_failed(name, params, load_rc, err, errlen);
	rc = cycle(fd, u, name, !load_rc, &stuck);
	if (stuck)
		add_line(err, errlen, "%s: LEFT SUSPENDED: it cannot be resumed (%s): 'dmsetup resume %s'",
			 name, strerror(-rc), name);
	else if (rc)
		add_line(err, errlen, "%s: %s: %s; it runs on its old table", name,
			 load_rc ? "suspend/resume" :
				   "suspend/resume with its reloaded table",
			 strerror(-rc));
	free(params);
	return rc ? rc : !load_rc;
}

/*
 * The names of every device-mapper device, as a malloc'ed array of
 * malloc'ed strings; the buffer grows until the kernel's list fits.
 */
static int list_names(int fd, char ***names, size_t *n)
{
	size_t size = 16384, cap = 0;
	struct dm_name_list *nl;
	struct dm_ioctl *io;
	unsigned int off;
	char **v = NULL, **nv;
	int rc;

	*names = NULL;
	*n = 0;
	for (;;) {
		io = calloc(1, size);
		if (!io)
			return -ENOMEM;
		io->version[0] = DM_VERSION_MAJOR;
		io->data_size = (__u32)size;
		io->data_start = sizeof(*io);
		rc = ioctl(fd, DM_LIST_DEVICES, io) ? -errno : 0;
		if (rc || !(io->flags & DM_BUFFER_FULL_FLAG))
			break;
		free(io);
		if (size >= (64u << 20))
			return -E2BIG;
		size *= 2;
	}
	if (rc)
		goto out;
	nl = (struct dm_name_list *)((char *)io + io->data_start);
	if (!nl->dev)
		goto out;
	for (off = 0;; off = nl->next) {
		nl = (struct dm_name_list *)((char *)nl + off);
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[*n] = strdup(nl->name);
		if (!v[*n]) {
			rc = -ENOMEM;
			break;
		}
		(*n)++;
		if (!nl->next)
			break;
	}
out:
	free(io);
	if (rc) {
		while (*n)
			free(v[--*n]);
		free(v);
		return rc;
	}
	*names = v;
	return 0;
}

/**
 * ipectl_dm_verity_rescan() - load every verity device's live table again.
 * @err: one line ('\n'-separated) per device that was left as it was or
 *	failed, and what that means for it; "" when there is none.
 * @errlen: bytes at @err.
 *
 * An enforcer loaded after a dm-verity device was activated learns its
 * root hash when the table is loaded (6.12 and later) or the device
 * resumed: for each device whose live table is one verity target, the same
 * target line is loaded again (DM_TABLE_LOAD, read-only as the device is)
 * and swapped in with a suspend and a resume.  A table that no longer
 * loads (ENOKEY: its root hash signature is no longer in the keyring) is
 * said in @err and the device still suspended and resumed, on its old
 * table.  Suspended devices and devices with an inactive table of someone
 * else's are left alone.  No device is left suspended: a failed resume
 * drops the new table and resumes the old one (only if even that fails,
 * @err says LEFT SUSPENDED).  Every page of the program is locked in memory
 * meanwhile (mlockall), since a device cycled may hold its own files (the
 * root filesystem).  Any number of devices.  Concurrent calls are
 * serialised (an exclusive flock on /dev/mapper/control).
 *
 * Return: the number of devices whose table was reloaded and swapped in;
 * -errno when the devices cannot be listed or one could not be suspended
 * or resumed (the others are still done; @err says which).
 */
int ipectl_dm_verity_rescan(char *err, size_t errlen)
{
	static union dm_buf u;
	char **names = NULL;
	size_t n_names = 0, i;
	int fd, rc, first = 0, n = 0;

	err[0] = '\0';
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/*
	 * One rescan at a time (ipectl load's and the udev-started
	 * ipe-lkm-rescan.service's may meet): the other would find this one's
	 * inactive table and leave the device alone.
	 */
	if (flock(fd, LOCK_EX)) {
		rc = -errno;
		add_line(err, errlen, "locking /dev/mapper/control: %s", strerror(errno));
		goto out;
	}
	rc = list_names(fd, &names, &n_names);
	if (rc) {
		add_line(err, errlen, "listing device-mapper devices: %s",
			 strerror(-rc));
		goto out;
	}
	/*
	 * A device being cycled may hold the filesystem this program runs
	 * from (the root's): no page of it may need reading meanwhile.
	 */
	if (n_names && mlockall(MCL_CURRENT | MCL_FUTURE)) {
		rc = -errno;
		add_line(err, errlen, "mlockall: %s: no device suspended (one may hold this program's own files)",
			 strerror(errno));
		goto out;
	}
	for (i = 0; i < n_names; i++) {
		rc = rescan_one(fd, &u, names[i], err, errlen);
		if (rc > 0)
			n++;
		else if (rc < 0 && !first)
			first = rc;
	}
	if (n_names)
		munlockall();
	rc = first ? first : n;
out:
	for (i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	close(fd);
	return rc;
}
