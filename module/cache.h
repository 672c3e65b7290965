/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cache.h - the decision cache's table (cache.c) and its lookup, which is
 * inline in the hooks' decision (decide.h): a cached decision is what
 * every exec and every mmap of a shared library pays, and the call into
 * cache.c, with its frame and its answer passed through memory, was a
 * fifth of it.
 */
#ifndef IPE_LKM_CACHE_H
#define IPE_LKM_CACHE_H

#include <linux/atomic.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/mount.h>
#include <linux/seqlock.h>

#include "ipe_lkm.h"

#define IPE_LKM_CACHE_BITS 12
#define IPE_LKM_CACHE_SLOTS (1u << IPE_LKM_CACHE_BITS)

/**
 * struct ipe_lkm_cache_slot - one entry of the direct-mapped table.
 * @lock: readers copy the entry locklessly and retry if a writer was
 *	there; writers (ipe_lkm_cache_put(), the inode-free hook) take it
 *	with interrupts off.
 * @key: what the decision was made for.
 * @hit_slot: the deciding slot (ipe_eng_match_slot()).
 * @action: what it decided.
 *
 * The slot and action are all a hit needs to count and enforce, and,
 * when audit wants the rule, to rebuild the match (ipe_eng_slot_match()).
 */
struct ipe_lkm_cache_slot {
	seqlock_t lock;
	struct ipe_lkm_cache_key key;
	u32 hit_slot;
	enum ipe_eng_action action;
};

/*
 * Written by cache.c only: the table (allocated at load, freed at unload
 * once every hook is detached, so a hook never sees it NULL while the
 * cache is on), the generation (ipe_lkm_cache_invalidate(), read with
 * acquire), and the cache module parameter (READ_ONCE()).
 */
extern struct ipe_lkm_cache_slot *ipe_lkm_cache_slots;
extern atomic_long_t ipe_lkm_cache_gen;
extern bool ipe_lkm_cache_on;

static __always_inline struct ipe_lkm_cache_slot *
ipe_lkm_cache_slot_of(const struct inode *inode)
{
	return &ipe_lkm_cache_slots[hash_ptr(inode, IPE_LKM_CACHE_BITS)];
}

/* What a key holds of the policy, and of the operation and the inode. */
static __always_inline u64
ipe_lkm_cache_policy_id(const struct ipe_lkm_policy *pol)
{
	return ipe_lkm_cache_bug("policy") ? 0 : pol->id;
}

static __always_inline u32 ipe_lkm_cache_what(enum ipe_eng_op op,
					      const struct inode *ino)
{
	return (u32)op << 1 |
	       (ipe_lkm_cache_bug("verity") ? 0 : !!IS_VERITY(ino));
}

/* Test builds count hits and misses, and refuse a slot @pol has not. */
#ifdef IPE_LKM_FAULT_INJECTION
bool ipe_lkm_cache_counted(const struct ipe_lkm_policy *pol, bool hit,
			   u32 slot);
#else
static __always_inline bool
ipe_lkm_cache_counted(const struct ipe_lkm_policy *pol, bool hit, u32 slot)
{
	return hit;
}
#endif

/**
 * ipe_lkm_cache_lookup() - the cached decision for a file, if there is one.
 * @pol: the active policy.
 * @file: the file.
 * @op: the operation.
 * @slot: set to the deciding slot (ipe_eng_match_slot()) on a hit.
 * @action: set to the decision on a hit.
 *
 * The key is the one cache.c's make_key() stores, compared field by
 * field (a key built on the stack costs its zeroing and stores, on the
 * path of every mmap).
 *
 * Context: @pol held by preemption disabled or rcu_read_lock(), before
 * the file's properties are read; does not sleep.
 * Return: whether the cache had the decision.
 */
static __always_inline bool
ipe_lkm_cache_lookup(const struct ipe_lkm_policy *pol, struct file *file,
		     enum ipe_eng_op op, u32 *slot, enum ipe_eng_action *action)
{
	const struct ipe_lkm_cache_slot *s;
	const struct super_block *sb;
	const struct inode *ino;
	unsigned long gen;
	unsigned int seq;
	u64 policy_id;
	bool hit;
	u32 what;

	if (!READ_ONCE(ipe_lkm_cache_on))
		return ipe_lkm_cache_counted(pol, false, 0);
	ino = d_real_inode(file->f_path.dentry);
	if (!ino)
		return ipe_lkm_cache_counted(pol, false, 0);
	gen = atomic_long_read_acquire(&ipe_lkm_cache_gen);
	sb = file->f_path.mnt->mnt_sb;
	policy_id = ipe_lkm_cache_policy_id(pol);
	what = ipe_lkm_cache_what(op, ino);
	s = ipe_lkm_cache_slot_of(ino);
	do {
		seq = read_seqbegin(&s->lock);
		hit = s->key.inode == ino && s->key.sb == sb &&
		      s->key.policy_id == policy_id && s->key.gen == gen &&
		      s->key.what == what;
		*slot = s->hit_slot;
		*action = s->action;
	} while (read_seqretry(&s->lock, seq));
	return ipe_lkm_cache_counted(pol, hit, *slot);
}

#endif /* IPE_LKM_CACHE_H */
