// SPDX-License-Identifier: GPL-2.0-only
/*
 * compat.c - the kernel-version differences that need code, not a macro.
 *
 * Each helper resolved by name is listed in docs/kernel-compat.md with the
 * reason no exported way exists; they are only used on kernels without
 * IBT (COMPAT_CANNOT_CALL_BY_NAME), where calling through a pointer to a
 * kernel function is safe.
 */
#include <linux/fs.h>
#include <linux/fsverity.h>
#include <linux/kprobes.h>
#include <crypto/hash_info.h>
#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/percpu.h>

#include "ipe_lkm.h"

#ifndef COMPAT_CANNOT_CALL_BY_NAME

/* kallsyms_lookup_name() is unexported since 5.7; a kprobe finds it. */
static unsigned long lookup_name(const char *name)
{
	typedef unsigned long (*lookup_fn)(const char *name);
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	lookup_fn lookup;
	int rc;

	rc = register_kprobe(&kp);
	if (rc)
		return 0;
	lookup = (lookup_fn)kp.addr;
	unregister_kprobe(&kp);
	return lookup ? lookup(name) : 0;
}

#endif /* !COMPAT_CANNOT_CALL_BY_NAME */

#ifdef COMPAT_DM_LIVE_TABLE

/*
 * dm-verity on 6.1: the root hash and signature state of a dm device, from
 * its live table.  dm_get_md()/dm_put() are exported by dm-mod (so
 * ipe_lkm depends on dm-mod, which stays loaded as long as we are);
 * dm_get_live_table(), dm_put_live_table() and dm_table_find_target() are
 * not, and are reached by name.  The verity target's status(TABLE) writes
 * the table line as `dmsetup table` shows it:
 *   version data_dev hash_dev dbs hbs blocks hash_start ALG DIGEST salt
 *   [#opts opts... [root_hash_sig_key_desc DESC]]
 * root_hash_sig_key_desc is there only if the root hash came with a
 * signature, which dm-verity verified before the table could load.
 */
static struct dm_table *(*get_live_table)(struct mapped_device *md, int *idx);
static void (*put_live_table)(struct mapped_device *md, int idx);
static struct dm_target *(*find_target)(struct dm_table *t, sector_t sector);

#define STATUS_LEN 1024
/* One table line per CPU, used with preemption disabled (get_cpu_ptr). */
static DEFINE_PER_CPU(char[STATUS_LEN], status_buf);

int ipe_lkm_dm_init(void)
{
	get_live_table = (void *)lookup_name("dm_get_live_table");
	put_live_table = (void *)lookup_name("dm_put_live_table");
	find_target = (void *)lookup_name("dm_table_find_target");
	if (!get_live_table || !put_live_table || !find_target) {
		pr_err("cannot find dm-mod's table helpers\n");
		return -ENOENT;
	}
	return 0;
}

static int verity_root(struct dm_target *ti, struct block_device *bdev,
		       struct ipe_eng_dmv_root *root)
{
	char *buf;
	int rc;

	if (!ti || strcmp(ti->type->name, "verity") || !ti->type->status)
		return 0;
	/* one verity target over the whole device, as upstream requires */
	if (ti->begin || ti->len != bdev_nr_sectors(bdev))
		return 0;
	buf = *get_cpu_ptr(&status_buf);
	buf[0] = '\0';
	ti->type->status(ti, STATUSTYPE_TABLE, 0, buf, STATUS_LEN);
	if (strnlen(buf, STATUS_LEN) < STATUS_LEN - 1)
		rc = ipe_eng_dmv_parse_table(buf, strlen(buf), root) ?: 1;
	else
		rc = -EOVERFLOW;
	put_cpu_ptr(&status_buf);
	return rc;
}

/**
 * ipe_lkm_dm_live_root() - what the live table of a dm device says (6.1).
 * @bdev: the block device of the file's (real) inode.
 * @root: filled in from the verity target's table line.
 *
 * Context: process context of a hook, under rcu_read_lock(); does not sleep.
 * Return: 1 with @root; 0 for a device that is not a single verity target
 * over its whole size; -EINVAL or -EOVERFLOW for a table line that cannot
 * be read.
 */
int ipe_lkm_dm_live_root(struct block_device *bdev,
			 struct ipe_eng_dmv_root *root)
{
	struct mapped_device *md = dm_get_md(bdev->bd_dev);
	struct dm_table *t;
	int idx, rc = 0;

	if (!md)
		return 0;
	t = get_live_table(md, &idx);
	if (t)
		rc = verity_root(find_target(t, 0), bdev, root);
	put_live_table(md, idx);
	dm_put(md);
	return rc;
}

#endif /* COMPAT_DM_LIVE_TABLE */

#ifndef COMPAT_FSVERITY_GET_DIGEST_EXPORTED

#ifdef COMPAT_CANNOT_CALL_BY_NAME
#error "fsverity_get_digest() is neither exported nor callable by name here"
#endif

typedef int (*fsverity_get_digest_fn)(struct inode *inode,
				      u8 digest[FS_VERITY_MAX_DIGEST_SIZE],
				      enum hash_algo *alg);
static fsverity_get_digest_fn fsverity_get_digest_6_1;

int ipe_lkm_compat_init(void)
{
	fsverity_get_digest_6_1 =
		(fsverity_get_digest_fn)lookup_name("fsverity_get_digest");
	if (!fsverity_get_digest_6_1) {
		pr_err("cannot find fsverity_get_digest\n");
		return -ENOENT;
	}
	return 0;
}

/**
 * ipe_lkm_fsverity_digest() - the fs-verity digest of a verity inode.
 * @inode: the (real) inode.
 * @buf: where to put the digest.
 * @size: bytes at @buf, at least FS_VERITY_MAX_DIGEST_SIZE.
 * @alg: the algorithm's name as fs-verity's LSM users see it ("sha256").
 * @len: the digest's length.
 *
 * Context: any; does not sleep.
 * Return: 1 with a digest, 0 when @inode has none (not verity, or its
 * verity info is not loaded), -errno on an inconsistency.
 */
int ipe_lkm_fsverity_digest(struct inode *inode, u8 *buf, size_t size,
			    const char **alg, u32 *len)
{
	enum hash_algo halg;
	int rc;

	if (size < FS_VERITY_MAX_DIGEST_SIZE)
		return -EINVAL;
	rc = fsverity_get_digest_6_1(inode, buf, &halg);
	if (rc == -ENODATA)
		return 0;
	if (rc)
		return rc;
	if (halg >= HASH_ALGO__LAST)
		return -EINVAL;
	*alg = hash_algo_name[halg];
	*len = hash_digest_size[halg];
	return 1;
}

#else /* COMPAT_FSVERITY_GET_DIGEST_EXPORTED */

int ipe_lkm_compat_init(void)
{
	return 0;
}

int ipe_lkm_fsverity_digest(struct inode *inode, u8 *buf, size_t size,
			    const char **alg, u32 *len)
{
	enum hash_algo halg;
	u8 fsv_alg;
	int rc;

	if (size < FS_VERITY_MAX_DIGEST_SIZE)
		return -EINVAL;
	rc = fsverity_get_digest(inode, buf, &fsv_alg, &halg);
	if (rc <= 0)
		return rc;
	if (halg >= HASH_ALGO__LAST)
		return -EINVAL;
	*alg = hash_algo_name[halg];
	*len = rc;
	return 1;
}

#endif /* COMPAT_FSVERITY_GET_DIGEST_EXPORTED */
