// SPDX-License-Identifier: GPL-2.0-only
/*
 * cache.c - the decision cache: what the active policy decided for an
 * inode, so that the next exec or mmap of the same file skips reading its
 * properties and evaluating the policy (an ipe_lkm extension; upstream
 * evaluates every time).
 *
 * What a fresh evaluation depends on, and how an entry follows it:
 * - the policy: the entry holds the id of the policy that decided
 *   (struct ipe_lkm_policy.id, unique while the module is loaded), and
 *   matches only while that policy is the active one;
 * - the operation: part of the key;
 * - boot_verified: the superblock of the file's mount, part of the key;
 * - fs-verity: a file's digest and signature cannot change once verity is
 *   on, so the entry holds whether it was (IS_VERITY) and matches only
 *   while that is unchanged; a signature record of props_fsverity.c that
 *   a live inode loses (evicted from the full set, or replaced)
 *   invalidates every entry;
 * - dm-verity: where ipe_lkm follows table resumes (props_dm_follow.c),
 *   each change of a device's trust invalidates every entry; where it
 *   reads the live table at each decision (props_dm_live.c), a table swap
 *   and the resume after it invalidate every entry, and what is decided
 *   on a suspended device is not cached (ipe_lkm_file_props() says so);
 * - the inode itself: the key is the inode's address, so an inode's entry
 *   is cleared when the inode is freed (security_inode_free()), before the
 *   address can be reused.
 * What is not cached: the outcome of a file whose properties could not be
 * read, of a call without a file, and enforce and success_audit, which
 * are read at each decision, so that audit, hit counts and the answer
 * are exactly those of a fresh evaluation.
 *
 * "Invalidates every entry" is a bump of ipe_lkm_cache_gen, which every entry
 * holds from the moment its decision began: ipe_lkm_cache_invalidate()
 * runs after the change it announces is visible, so an entry made from
 * the old state holds an older generation.
 *
 * Layout (cache.h): a direct-mapped table of IPE_LKM_CACHE_SLOTS slots,
 * indexed by a hash of the inode's address; a collision replaces the
 * older entry.  Each slot is a seqlock: readers (any hook, with preemption
 * disabled or under rcu_read_lock(), not sleeping) copy it locklessly and
 * retry if a writer was there; writers (a decision storing its outcome,
 * the inode-free hook clearing it) take its lock, with interrupts off.
 * The table is allocated at load and freed at unload once every hook is
 * detached.  The lookup is inline in the hooks' decision (cache.h).
 */
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "cache.h"

struct ipe_lkm_cache_slot *ipe_lkm_cache_slots;
atomic_long_t ipe_lkm_cache_gen = ATOMIC_LONG_INIT(1);

/*
 * cache=0 stores nothing, and turning it off forgets what is stored (a
 * generation bump), so that the lookup, on the path of every mmap, need
 * not read it.  ipe_lkm_cache_put() reads it after the generation: a
 * decision that read the new generation sees the cache off.
 */
static bool cache_on = true;

static int cache_set(const char *val, const struct kernel_param *kp)
{
	int rc = param_set_bool(val, kp);

	if (!rc)
		ipe_lkm_cache_invalidate();
	return rc;
}

static const struct kernel_param_ops cache_ops = {
	.set = cache_set,
	.get = param_get_bool,
};
module_param_cb(cache, &cache_ops, &cache_on, 0644);
MODULE_PARM_DESC(cache, "Remember decisions per inode (1, default) or evaluate every access (0)");

#ifdef IPE_LKM_FAULT_INJECTION
/*
 * Test builds: cache_check=1 evaluates every cached decision afresh too
 * and counts the differences; cache_bug names an invalidation to leave out,
 * or a key field to weaken (to show that the differential test catches
 * it); cache_stats counts.
 */
static bool cache_check;
module_param(cache_check, bool, 0644);
static char *cache_bug = "";
module_param(cache_bug, charp, 0400);
static atomic_long_t st_hits, st_misses, st_stores, st_mismatches;

static int stats_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "hits %ld misses %ld stores %ld mismatches %ld\n",
			  atomic_long_read(&st_hits),
			  atomic_long_read(&st_misses),
			  atomic_long_read(&st_stores),
			  atomic_long_read(&st_mismatches));
}

static const struct kernel_param_ops stats_ops = { .get = stats_get };
module_param_cb(cache_stats, &stats_ops, NULL, 0444);

/**
 * ipe_lkm_cache_bug() - is the invalidation @what left out on purpose?
 * @what: its name (test builds' cache_bug parameter).
 *
 * Context: any.
 * Return: true if cache_bug names it.
 */
bool ipe_lkm_cache_bug(const char *what)
{
	return !strcmp(cache_bug, what);
}

#define stat_inc(s) atomic_long_inc(&(s))
#else
#define stat_inc(s) do { } while (0)
#endif

/**
 * ipe_lkm_cache_invalidate() - forget every entry: a property source
 * changed.
 *
 * Call it after the change is visible to decisions.
 *
 * Context: any; does not sleep.
 */
void ipe_lkm_cache_invalidate(void)
{
	/* a value-returning atomic is fully ordered */
	atomic_long_inc_return(&ipe_lkm_cache_gen);
}

#ifdef IPE_LKM_FAULT_INJECTION
/**
 * ipe_lkm_cache_counted() - test builds: count what ipe_lkm_cache_lookup()
 * answered.
 * @pol: the active policy.
 * @outcome: the answer (0: none).
 *
 * cache_bug=policy keys entries without their policy: one of another
 * policy may name a slot this one does not have, whose counter would be
 * written out of bounds.  A difference, not a hit.
 *
 * Context: as ipe_lkm_cache_lookup().
 * Return: @outcome, or 0 for such a slot.
 */
u64 ipe_lkm_cache_counted(const struct ipe_lkm_policy *pol, u64 outcome)
{
	if (outcome &&
	    ipe_lkm_outcome_slot(outcome) >= ipe_eng_nslots(pol->parsed)) {
		stat_inc(st_mismatches);
		outcome = 0;
	}
	if (outcome)
		stat_inc(st_hits);
	else
		stat_inc(st_misses);
	return outcome;
}
#endif

/*
 * The key of a decision about @file: the generation first, so that what is
 * read after it (the file's properties, when deciding) is at least as new.
 * False when the file has no inode to key it by.  ipe_lkm_cache_lookup()
 * (cache.h) compares the same fields.
 */
static bool make_key(struct ipe_lkm_cache_key *key,
		     const struct ipe_lkm_policy *pol, struct file *file,
		     enum ipe_eng_op op)
{
	const struct inode *ino = ipe_lkm_cache_inode(file);

	if (!ino)
		return false;
	key->gen = atomic_long_read_acquire(&ipe_lkm_cache_gen);
	key->inode = ino;
	key->sb = file->f_path.mnt->mnt_sb;
	key->policy_id = ipe_lkm_cache_policy_id(pol);
	key->what = ipe_lkm_cache_what(op, ino);
	return true;
}

/**
 * ipe_lkm_cache_key() - the key to store a decision under, taken before
 * the decision begins.
 * @key: filled in.
 * @pol: the active policy.
 * @file: the file.
 * @op: the operation.
 *
 * Context: under rcu_read_lock(), before the file's properties are read.
 * Return: false when the decision cannot be cached (the cache is off, or
 * the file has no inode to key it by).
 */
bool ipe_lkm_cache_key(struct ipe_lkm_cache_key *key,
		       const struct ipe_lkm_policy *pol, struct file *file,
		       enum ipe_eng_op op)
{
	return READ_ONCE(cache_on) && make_key(key, pol, file, op);
}

/**
 * ipe_lkm_cache_put() - remember a decision.
 * @key: from ipe_lkm_cache_key(), before the decision began.
 * @hit_slot: the deciding slot.
 * @action: what it decided.
 *
 * A newer generation than @key's means something changed while deciding:
 * the entry would never match, and is not stored.
 *
 * Context: under rcu_read_lock(), the file of @key held; does not sleep.
 */
void ipe_lkm_cache_put(const struct ipe_lkm_cache_key *key, u32 hit_slot,
		       enum ipe_eng_action action)
{
	struct ipe_lkm_cache_slot *s = ipe_lkm_cache_slot_of(key->inode);
	unsigned long flags;

	if (atomic_long_read_acquire(&ipe_lkm_cache_gen) != key->gen ||
	    !READ_ONCE(cache_on))
		return;
	write_seqlock_irqsave(&s->lock, flags);
	s->key = *key;
	s->outcome = ipe_lkm_cache_outcome(action, hit_slot);
	write_sequnlock_irqrestore(&s->lock, flags);
	stat_inc(st_stores);
}

#ifdef IPE_LKM_FAULT_INJECTION
/* Test builds: is cache_check on (the caller then evaluates afresh too)? */
bool ipe_lkm_cache_checking(void)
{
	return READ_ONCE(cache_check);
}

/**
 * ipe_lkm_cache_check() - test builds: compare a cached decision with a
 * fresh one, count and log a difference.
 * @cached: from the cache.
 * @fresh: evaluated now.
 * @file: the file, for the log.
 *
 * Context: any hook context.
 */
void ipe_lkm_cache_check(const struct ipe_eng_match *cached,
			 const struct ipe_eng_match *fresh, struct file *file)
{
	if (cached->action == fresh->action && cached->type == fresh->type &&
	    cached->op == fresh->op && cached->rule == fresh->rule)
		return;
	stat_inc(st_mismatches);
	pr_err_ratelimited("cache: %pD: cached %s (type %d), fresh %s (type %d)\n",
			   file,
			   cached->action == IPE_ENG_ACTION_DENY ? "DENY" : "ALLOW",
			   cached->type,
			   fresh->action == IPE_ENG_ACTION_DENY ? "DENY" : "ALLOW",
			   fresh->type);
}
#endif

/* security_inode_free(inode): its entry goes before its address is reused */
static void on_inode_free(struct ipe_lkm_call *c)
{
	const struct inode *ino = (const struct inode *)ipe_lkm_arg(c, 0);
	struct ipe_lkm_cache_slot *s = ipe_lkm_cache_slot_of(ino);
	unsigned long flags;

	if (ipe_lkm_cache_bug("free"))
		return;
	/* a racy look first: only the slot's own inode is cleared */
	if (data_race(READ_ONCE(s->key.inode)) != ino)
		return;
	write_seqlock_irqsave(&s->lock, flags);
	if (s->key.inode == ino)
		s->key.inode = NULL;
	write_sequnlock_irqrestore(&s->lock, flags);
}

IPE_LKM_CALLBACK(on_inode_free)

static struct ipe_lkm_fn watch[] = {
	IPE_LKM_FN("security_inode_free", on_inode_free, false),
};

/**
 * ipe_lkm_cache_init() - allocate the table, follow inode frees.
 *
 * Context: module init, before any hook can store an entry.
 * Return: 0, -ENOMEM, or the error attaching to security_inode_free().
 */
int ipe_lkm_cache_init(void)
{
	unsigned int i;
	int rc;

	if (ipe_lkm_fault("cache"))
		return -ENOMEM;
	ipe_lkm_cache_slots = ipe_eng_zalloc_array(IPE_LKM_CACHE_SLOTS,
						   sizeof(*ipe_lkm_cache_slots));
	if (!ipe_lkm_cache_slots)
		return -ENOMEM;
	for (i = 0; i < IPE_LKM_CACHE_SLOTS; i++)
		seqlock_init(&ipe_lkm_cache_slots[i].lock);
	rc = ipe_lkm_attach_all(watch, ARRAY_SIZE(watch));
	if (rc) {
		kvfree(ipe_lkm_cache_slots);
		ipe_lkm_cache_slots = NULL;
	}
	return rc;
}

/**
 * ipe_lkm_cache_exit() - stop following inode frees, free the table.
 *
 * Context: module exit or init unwinding, every decision hook detached
 * (no reader or writer is left).
 */
void ipe_lkm_cache_exit(void)
{
	ipe_lkm_detach_all(watch, ARRAY_SIZE(watch));
	kvfree(ipe_lkm_cache_slots);
	ipe_lkm_cache_slots = NULL;
}
