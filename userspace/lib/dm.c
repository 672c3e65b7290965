// SPDX-License-Identifier: MIT
/*
 * dm.c - device-mapper ioctls: the verity table of a device, every
 * device's (ipectl generate --dmverity), and the rescan that loads each
 * verity table again so that an enforcer loaded after the device learns
 * its root hash (ipectl rescan, load).  Nothing here prints.
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
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/dm-ioctl.h>

#include "dm.h"
#include "util.h"

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

/*
 * The live table of one device (@name, or @dev when @name is NULL) into
 * @u: 0, -ENXIO when there is no such device-mapper device, -EOVERFLOW
 * when its table does not fit, or -errno.
 */
static int table_status(int fd, union dm_buf *u, const char *name, dev_t dev)
{
	int rc;

	dm_init(u, name, DM_STATUS_TABLE_FLAG);
	if (!name)
		u->io.dev = makedev(major(dev), minor(dev));
	rc = dm_call(fd, DM_TABLE_STATUS, u);
	if (rc == -EINVAL && !name)
		rc = -ENXIO;	/* a dev_t device-mapper does not know */
	if (!rc && (u->io.flags & DM_BUFFER_FULL_FLAG))
		rc = -EOVERFLOW;
	return rc;
}

/* The first verity target of the table in @u, or NULL. */
static const struct dm_target_spec *verity_target(const union dm_buf *u)
{
	const struct dm_target_spec *spec;
	__u32 off = u->io.data_start, i;

	for (i = 0; i < u->io.target_count; i++) {
		if (off + sizeof(*spec) > u->io.data_size)
			return NULL;
		spec = (const struct dm_target_spec *)(u->buf + off);
		if (!strcmp(spec->target_type, "verity"))
			return spec;
		if (!spec->next)
			return NULL;
		off = u->io.data_start + spec->next;
	}
	return NULL;
}

/**
 * ipectl_dm_verity_root() - the verity table of one device.
 * @name: the device-mapper name, or NULL to find the device by @dev.
 * @dev: the device number (a file's st_dev) when @name is NULL.
 * @root: filled in when the live table is one verity target at sector 0;
 *	@root->verifies says whether IPE gives the device a root hash.
 *
 * Return: 1 when @root was filled in; 0 when the device is not a
 * device-mapper device (or there is no device-mapper) or its table is not
 * one verity target; -EACCES without root; -EOVERFLOW for a table too long
 * to read back; -EINVAL for a table line dm-verity would not have taken;
 * -errno.
 */
int ipectl_dm_verity_root(const char *name, dev_t dev,
			  struct ipe_eng_dmv_root *root)
{
	const struct dm_target_spec *spec;
	union dm_buf *u;
	int fd, rc;

	if (!name && major(dev) == 0)
		return 0;
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	u = malloc(sizeof(*u));
	if (!u) {
		close(fd);
		return -ENOMEM;
	}
	rc = table_status(fd, u, name, dev);
	if (rc == -ENXIO) {
		rc = 0;
		goto out;
	}
	if (rc || u->io.target_count != 1)
		goto out;
	spec = verity_target(u);
	if (!spec || spec->sector_start)
		goto out;
	rc = ipe_eng_dmv_parse_table((const char *)(spec + 1),
				     strlen((const char *)(spec + 1)), root);
	rc = rc ? rc : 1;
out:
	free(u);
	close(fd);
	return rc;
}

/* @name's verity target, if it has one: 1 and @d filled in, 0, -errno. */
static int verity_dev(int fd, union dm_buf *u, const char *name,
		      struct ipectl_dmv_dev *d)
{
	const struct dm_target_spec *spec;
	const char *params;
	int rc;

	rc = table_status(fd, u, name, 0);
	if (rc == -ENXIO)
		return 0;	/* removed meanwhile */
	if (rc)
		return rc;
	spec = verity_target(u);
	if (!spec)
		return 0;
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	params = (const char *)(spec + 1);
	if (ipe_eng_dmv_parse_table(params, strlen(params), &d->root))
		d->kind = IPECTL_DMV_UNREADABLE;
	else if (u->io.target_count != 1 || spec->sector_start)
		d->kind = IPECTL_DMV_MULTI;
	else if (!d->root.verifies)
		d->kind = IPECTL_DMV_UNCHECKED;
	else
		d->kind = IPECTL_DMV_TRUSTED;
	return 1;
}

/**
 * ipectl_dm_verity_devices() - every active device with a verity target.
 * @devs: a malloc'ed array, in the order device-mapper lists them.
 * @n: its length (0 when there is none, or no device-mapper at all).
 *
 * Return: 0; -EACCES without root; -ENOMEM; -errno from the ioctls (the
 * first device whose table could not be read ends the listing).
 */
int ipectl_dm_verity_devices(struct ipectl_dmv_dev **devs, size_t *n)
{
	struct ipectl_dmv_dev *v = NULL;
	union dm_buf *u = NULL;
	char **names = NULL;
	size_t n_names = 0, i;
	int fd, rc;

	*devs = NULL;
	*n = 0;
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = list_names(fd, &names, &n_names);
	if (rc)
		goto out;
	u = malloc(sizeof(*u));
	v = calloc(n_names ? n_names : 1, sizeof(*v));
	if (!u || !v) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n_names; i++) {
		rc = verity_dev(fd, u, names[i], &v[*n]);
		if (rc < 0)
			goto out;
		*n += (size_t)rc;
	}
	rc = 0;
	*devs = v;
	v = NULL;
out:
	if (rc)
		*n = 0;
	for (i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	free(v);
	free(u);
	close(fd);
	return rc;
}
