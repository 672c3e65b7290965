// SPDX-License-Identifier: GPL-2.0-only
/*
 * props_dm_live.c - dm-verity trust from the device's live table, read at
 * each decision (kernels where dm-mod's table helpers can be called by
 * name: no IBT, compat.h).
 *
 * dm_get_md()/dm_put() are exported by dm-mod (so ipe_lkm depends on
 * dm-mod, which stays loaded as long as we are); dm_get_live_table(),
 * dm_put_live_table() and dm_table_find_target() are not, and are reached
 * by name.  The verity target's status(TABLE) writes the table line as
 * `dmsetup table` shows it:
 *   version data_dev hash_dev dbs hbs blocks hash_start ALG DIGEST salt
 *   [#opts opts... [root_hash_sig_key_desc DESC]]
 * root_hash_sig_key_desc is there only if the root hash came with a
 * signature, which dm-verity verified before the table could load.
 */
#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/percpu.h>

#include "ipe_lkm.h"

#ifdef COMPAT_CANNOT_CALL_BY_NAME
#error "props_dm_live.c calls dm-mod's helpers by name: not on this kernel"
#endif

static struct dm_table *(*get_live_table)(struct mapped_device *md, int *idx);
static void (*put_live_table)(struct mapped_device *md, int idx);
static struct dm_target *(*find_target)(struct dm_table *t, sector_t sector);

#define STATUS_LEN 1024
/* One table line per CPU, used with preemption disabled (get_cpu_ptr). */
static DEFINE_PER_CPU(char[STATUS_LEN], status_buf);

/*
 * The decision cache (cache.c) follows live tables: a device's table is
 * swapped only while it is suspended (dm_swap_table() refuses otherwise),
 * and nothing decided on a suspended device is cached (ipe_lkm_dm_root());
 * the cache is invalidated when a swap begins, for what was decided
 * before the suspension, and when the device resumes
 * (dm_table_resume_targets(), after the swap), so that a decision cached
 * later was made from the new table.  A decision that began before the
 * swap's invalidation holds the older generation, whatever it saw.
 */
static void on_table_change(struct ipe_lkm_call *c)
{
	if (!ipe_lkm_cache_bug("dm"))
		ipe_lkm_cache_invalidate();
}

IPE_LKM_CALLBACK(on_table_change)

static struct ipe_lkm_fn watch[] = {
	IPE_LKM_FN("dm_swap_table", on_table_change, false),
	IPE_LKM_FN("dm_table_resume_targets", on_table_change, false),
};

/**
 * ipe_lkm_dm_init() - find dm-mod's table helpers, watch table swaps.
 *
 * Context: module init.
 * Return: 0, -ENOENT, or the error attaching to the table functions.
 */
int ipe_lkm_dm_init(void)
{
	if (ipe_lkm_fault("props_dm"))
		return -ENOENT;
	get_live_table = (void *)ipe_lkm_lookup_name("dm_get_live_table");
	put_live_table = (void *)ipe_lkm_lookup_name("dm_put_live_table");
	find_target = (void *)ipe_lkm_lookup_name("dm_table_find_target");
	if (!get_live_table || !put_live_table || !find_target) {
		pr_err("cannot find dm-mod's table helpers\n");
		return -ENOENT;
	}
	return ipe_lkm_attach_all(watch, ARRAY_SIZE(watch));
}

/* ipe_lkm_dm_exit() - stop watching; nothing is kept between decisions. */
void ipe_lkm_dm_exit(void)
{
	ipe_lkm_detach_all(watch, ARRAY_SIZE(watch));
}

static int verity_root(struct dm_table *t, struct dm_target *ti,
		       struct ipe_eng_dmv_root *root)
{
	char *buf;
	int rc;

	if (!ti || strcmp(ti->type->name, "verity") || !ti->type->status)
		return 0;
	/* one verity target over the whole device, as upstream requires */
	if (ti->begin || ti->len != dm_table_get_size(t))
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
 * ipe_lkm_dm_root() - what the live table of a dm device says.
 * @bdev: the block device of the file's (real) inode.
 * @root: filled in from the verity target's table line.
 * @unwatched: set while the device is suspended (a table swap may be
 *	under way, between the two invalidations below), or has no target
 *	to tell.
 *
 * Context: process context of a hook, under rcu_read_lock(); does not sleep.
 * Return: 1 with @root; 0 for a device that is not a single verity target
 * over its whole size; -EINVAL or -EOVERFLOW for a table line that cannot
 * be read.
 */
int ipe_lkm_dm_root(struct block_device *bdev, struct ipe_eng_dmv_root *root,
		    bool *unwatched)
{
	struct mapped_device *md = dm_get_md(bdev->bd_dev);
	struct dm_target *ti = NULL;
	struct dm_table *t;
	int idx, rc = 0;

	if (!md)
		return 0;
	t = get_live_table(md, &idx);
	if (t)
		ti = find_target(t, 0);
	if ((!ti || dm_suspended(ti)) && !ipe_lkm_cache_bug("dm"))
		*unwatched = true;
	if (ti)
		rc = verity_root(t, ti, root);
	put_live_table(md, idx);
	dm_put(md);
	return rc;
}
