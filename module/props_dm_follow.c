// SPDX-License-Identifier: GPL-2.0-only
/*
 * props_dm_follow.c - dm-verity trust from following dm tables (kernels
 * where dm-mod's table helpers cannot be called by name: IBT, compat.h).
 *
 * The module reads a verity target's line when a table is loaded
 * (dm_table_add_target()), forgets the table when it is destroyed, and
 * when a table is resumed as a device's live table
 * (dm_table_resume_targets(), before any I/O reaches it) the device takes
 * that table's trust, or none.  A device whose table was loaded before the
 * module is untrusted until its table is loaded again (`ipectl load` and
 * `ipectl rescan` do that).
 *
 * Every record is read under RCU by the hooks and written under dm_lock by
 * the callbacks below, which must not sleep and allocate with GFP_ATOMIC;
 * an allocation failure loses trust, never gains it.
 */
#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "ipe_lkm.h"


/* The verity target of a table being loaded, as its line says. */
struct table_rec {
	struct hlist_node node;
	struct rcu_head rcu;
	const struct dm_table *t;
	sector_t start, len;
	unsigned int verity_targets;	/* more than one: not a verity device */
	int err;			/* its line could not be read */
	struct ipe_eng_dmv_root root;
};

/* What a dm device's live table says. */
struct bdev_rec {
	struct hlist_node node;
	struct rcu_head rcu;
	const struct block_device *bdev;
	int err;
	struct ipe_eng_dmv_root root;
};

/*
 * dm_lock protects table_recs and bdev_recs; the hooks read bdev_recs
 * under rcu_read_lock().  Taken with interrupts off (bdevs are freed from
 * an RCU callback), alone.
 */
static DEFINE_SPINLOCK(dm_lock);
static DEFINE_HASHTABLE(table_recs, 6);
static DEFINE_HASHTABLE(bdev_recs, 6);

static struct table_rec *find_table(const struct dm_table *t)
{
	struct table_rec *r;

	hash_for_each_possible_rcu(table_recs, r, node, (unsigned long)t,
				   lockdep_is_held(&dm_lock)) {
		if (r->t == t)
			return r;
	}
	return NULL;
}

static struct bdev_rec *find_bdev(const struct block_device *bdev)
{
	struct bdev_rec *r;

	hash_for_each_possible_rcu(bdev_recs, r, node, (unsigned long)bdev,
				   lockdep_is_held(&dm_lock)) {
		if (r->bdev == bdev)
			return r;
	}
	return NULL;
}

/* dm_table_add_target(t, type, start, len, params), at entry */
static void on_table_add_target(struct ipe_lkm_call *c)
{
	const struct dm_table *t = (void *)ipe_lkm_arg(c, 0);
	const char *type = (const char *)ipe_lkm_arg(c, 1);
	const char *params = (const char *)ipe_lkm_arg(c, 4);
	struct table_rec *r, *old;
	unsigned long flags;

	if (strncmp(type, "verity", sizeof("verity")))
		return;
	r = kzalloc(sizeof(*r), GFP_ATOMIC | __GFP_NOWARN);
	if (!r) {
		/* no record: the table will count as not dm-verity */
		pr_warn_ratelimited("out of memory: a dm-verity table is not recorded\n");
		return;
	}
	r->t = t;
	r->start = ipe_lkm_arg(c, 2);
	r->len = ipe_lkm_arg(c, 3);
	r->verity_targets = 1;
	r->err = ipe_eng_dmv_parse_table(params, strlen(params), &r->root);
	spin_lock_irqsave(&dm_lock, flags);
	old = find_table(t);
	if (old) {
		old->verity_targets++;	/* the kernel refuses it anyway */
		kfree(r);
	} else {
		hash_add_rcu(table_recs, &r->node, (unsigned long)t);
	}
	spin_unlock_irqrestore(&dm_lock, flags);
}

/* dm_table_destroy(t), at entry */
static void on_table_destroy(struct ipe_lkm_call *c)
{
	const struct dm_table *t = (void *)ipe_lkm_arg(c, 0);
	struct table_rec *r;
	unsigned long flags;

	spin_lock_irqsave(&dm_lock, flags);
	r = find_table(t);
	if (r) {
		hash_del_rcu(&r->node);
		kfree_rcu(r, rcu);
	}
	spin_unlock_irqrestore(&dm_lock, flags);
}

/*
 * The device's record becomes @nr (NULL: none).  A reader sees the old or
 * the new one, never neither: a table resumed again with the same trust
 * must not leave a moment without it.
 */
static void set_bdev(const struct block_device *bdev, struct bdev_rec *nr)
{
	struct bdev_rec *old;
	unsigned long flags;

	spin_lock_irqsave(&dm_lock, flags);
	old = find_bdev(bdev);
	if (old && nr)
		hlist_replace_rcu(&old->node, &nr->node);
	else if (old)
		hash_del_rcu(&old->node);
	else if (nr)
		hash_add_rcu(bdev_recs, &nr->node, (unsigned long)bdev);
	spin_unlock_irqrestore(&dm_lock, flags);
	/* the device's trust may have changed: no decision stays cached */
	if ((old || nr) && !ipe_lkm_cache_bug("dm"))
		ipe_lkm_cache_invalidate();
	if (old)
		kfree_rcu(old, rcu);
}

/*
 * dm_table_resume_targets(t), at entry: @t is its device's live table and
 * is about to receive I/O.  The device takes @t's trust: a single verity
 * target over the whole device, or nothing.
 */
static void on_table_resume(struct ipe_lkm_call *c)
{
	struct dm_table *t = (void *)ipe_lkm_arg(c, 0);
	const struct block_device *bdev;
	struct bdev_rec *nr = NULL;
	struct table_rec *r;

	bdev = dm_disk(dm_table_get_md(t))->part0;
	rcu_read_lock();
	r = find_table(t);
	if (r && r->verity_targets == 1 && !r->start &&
	    r->len == dm_table_get_size(t)) {
		nr = kzalloc(sizeof(*nr), GFP_ATOMIC | __GFP_NOWARN);
		if (nr) {
			nr->bdev = bdev;
			nr->err = r->err;
			nr->root = r->root;
		} else {
			pr_warn_ratelimited("out of memory: forgetting the dm-verity state of %pg\n",
					    bdev);
		}
	}
	rcu_read_unlock();
	set_bdev(bdev, nr);
}

/* security_bdev_free(bdev) */
static void on_bdev_free(struct ipe_lkm_call *c)
{
	struct block_device *bdev = (void *)ipe_lkm_arg(c, 0);
	bool present;

	rcu_read_lock();
	present = find_bdev(bdev);
	rcu_read_unlock();
	if (present)
		set_bdev(bdev, NULL);
}

IPE_LKM_CALLBACK(on_table_add_target)
IPE_LKM_CALLBACK(on_table_destroy)
IPE_LKM_CALLBACK(on_table_resume)
IPE_LKM_CALLBACK(on_bdev_free)

static struct ipe_lkm_fn sources[] = {
	IPE_LKM_FN("dm_table_add_target", on_table_add_target, false),
	IPE_LKM_FN("dm_table_destroy", on_table_destroy, false),
	IPE_LKM_FN("dm_table_resume_targets", on_table_resume, false),
	IPE_LKM_FN("security_bdev_free", on_bdev_free, false),
};

/**
 * ipe_lkm_dm_init() - start following dm tables.
 *
 * Context: module init.
 * Return: 0, or the error of the first source that could not be attached.
 */
int ipe_lkm_dm_init(void)
{
	if (ipe_lkm_fault("props_dm"))
		return -ENOENT;
	return ipe_lkm_attach_all(sources, ARRAY_SIZE(sources));
}

/**
 * ipe_lkm_dm_exit() - stop following, forget every record.
 *
 * Context: module exit or init unwinding, the hooks detached.
 */
void ipe_lkm_dm_exit(void)
{
	struct hlist_node *tmp;
	struct table_rec *t;
	struct bdev_rec *b;
	int bkt;

	ipe_lkm_detach_all(sources, ARRAY_SIZE(sources));
	spin_lock_irq(&dm_lock);
	hash_for_each_safe(table_recs, bkt, tmp, t, node) {
		hash_del_rcu(&t->node);
		kfree_rcu(t, rcu);
	}
	hash_for_each_safe(bdev_recs, bkt, tmp, b, node) {
		hash_del_rcu(&b->node);
		kfree_rcu(b, rcu);
	}
	spin_unlock_irq(&dm_lock);
}

/**
 * ipe_lkm_dm_root() - what the live table of a dm device says, as
 * recorded when it was resumed.
 * @bdev: the block device of the file's (real) inode.
 * @root: filled in from the verity target's table line.
 * @unwatched: left alone: every change of a record is seen here (and
 *	invalidates the decision cache).
 *
 * Context: under rcu_read_lock(); does not sleep.
 * Return: 1 with @root; 0 for a device with no record (not a single
 * verity target over its whole size, or resumed before the module was
 * loaded); -errno for a table line that could not be read.
 */
int ipe_lkm_dm_root(struct block_device *bdev, struct ipe_eng_dmv_root *root,
		    bool *unwatched)
{
	const struct bdev_rec *b = find_bdev(bdev);

	if (!b)
		return 0;
	if (b->err)
		return b->err;
	*root = b->root;
	return 1;
}
