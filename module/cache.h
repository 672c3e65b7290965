/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cache.h - the decision cache (cache.c): its key, its table, and its
 * lookup, which is inline in the hooks' decision (decide.h): a cached
 * decision is what every exec and every mmap of a shared library pays,
 * and the call into cache.c, with its frame and its answer passed through
 * memory, was a fifth of it.
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

/**
 * struct ipe_lkm_cache_key - what a cached decision was made for (cache.c).
 * @inode: the file's real inode (ipe_lkm_cache_inode()).
 * @sb: the superblock of the file's mount (boot_verified).
 * @policy_id: the deciding policy's id.
 * @gen: the cache's generation when the decision began.
 * @what: the operation and whether the inode had fs-verity on, as
 *	op << 1 | verity (one compare).
 */
struct ipe_lkm_cache_key {
	const struct inode *inode;
	const struct super_block *sb;
	u64 policy_id;
	unsigned long gen;
	u32 what;
};

bool ipe_lkm_cache_key(struct ipe_lkm_cache_key *key,
		       const struct ipe_lkm_policy *pol, struct file *file,
		       enum ipe_eng_op op);
void ipe_lkm_cache_put(const struct ipe_lkm_cache_key *key, u32 hit_slot,
		       enum ipe_eng_action action);
#ifdef IPE_LKM_FAULT_INJECTION
bool ipe_lkm_cache_checking(void);
void ipe_lkm_cache_check(const struct ipe_eng_match *cached,
			 const struct ipe_eng_match *fresh, struct file *file);
#else
static inline bool ipe_lkm_cache_checking(void)
{
	return false;
}

static inline void ipe_lkm_cache_check(const struct ipe_eng_match *cached,
				       const struct ipe_eng_match *fresh,
				       struct file *file)
{
}
#endif

#define IPE_LKM_CACHE_BITS 12
#define IPE_LKM_CACHE_SLOTS (1u << IPE_LKM_CACHE_BITS)

/**
 * struct ipe_lkm_cache_slot - one entry of the direct-mapped table.
 * @lock: readers copy the entry locklessly and retry if a writer was
 *	there; writers (ipe_lkm_cache_put(), the inode-free hook) take it
 *	with interrupts off.
 * @key: what the decision was made for.
 * @outcome: what it decided and the deciding slot (ipe_eng_match_slot()),
 *	made by ipe_lkm_cache_outcome().
 *
 * The slot and action are all a hit needs to count and enforce, and,
 * when audit wants the rule, to rebuild the match (ipe_eng_slot_match()).
 * An entry fills a cache line of its own (56 bytes in 64 without lock
 * debugging): a lookup reads one line, and finds it with a shift.
 */
struct ipe_lkm_cache_slot {
	seqlock_t lock;
	struct ipe_lkm_cache_key key;
	u64 outcome;
} ____cacheline_aligned;

/*
 * A cached decision in one word, as the table holds it and a lookup
 * returns it: IPE_LKM_CACHE_HIT, the action, and the deciding slot.  0 is
 * no decision.
 */
#define IPE_LKM_CACHE_HIT BIT_ULL(63)

static __always_inline u64 ipe_lkm_cache_outcome(enum ipe_eng_action action,
						 u32 slot)
{
	return IPE_LKM_CACHE_HIT | (u64)action << 32 | slot;
}

static __always_inline enum ipe_eng_action ipe_lkm_outcome_action(u64 outcome)
{
	return (enum ipe_eng_action)((outcome >> 32) & 0xff);
}

static __always_inline u32 ipe_lkm_outcome_slot(u64 outcome)
{
	return (u32)outcome;
}

/*
 * Written by cache.c only: the table (allocated at load, freed at unload
 * once every hook is detached, so a hook never sees it NULL) and the
 * generation (ipe_lkm_cache_invalidate(), read with acquire; bumped too
 * when the cache module parameter turns it off).
 */
extern struct ipe_lkm_cache_slot *ipe_lkm_cache_slots;
extern atomic_long_t ipe_lkm_cache_gen;

static __always_inline struct ipe_lkm_cache_slot *
ipe_lkm_cache_slot_of(const struct inode *inode)
{
	return &ipe_lkm_cache_slots[hash_ptr(inode, IPE_LKM_CACHE_BITS)];
}

/*
 * The inode a key is made for: the file's real one, which for overlayfs is
 * the layer's and changes at copy-up (test builds' cache_bug=overlay: the
 * overlay's own, which does not).
 */
static __always_inline const struct inode *
ipe_lkm_cache_inode(struct file *file)
{
	if (ipe_lkm_cache_bug("overlay"))
		return d_inode(file->f_path.dentry);
	return d_real_inode(file->f_path.dentry);
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
u64 ipe_lkm_cache_counted(const struct ipe_lkm_policy *pol, u64 outcome);
#else
static __always_inline u64
ipe_lkm_cache_counted(const struct ipe_lkm_policy *pol, u64 outcome)
{
	return outcome;
}
#endif

/**
 * ipe_lkm_cache_lookup() - the cached decision for a file, if there is one.
 * @pol: the active policy.
 * @file: the file.
 * @op: the operation.
 *
 * The key is the one cache.c's make_key() stores, compared field by field
 * with what it is made of, read in place (a key built on the stack costs
 * its zeroing and stores, and one held in registers the registers a
 * caller then saves, on the path of every mmap).
 *
 * Context: @pol held by preemption disabled or rcu_read_lock(), before
 * the file's properties are read; does not sleep.
 * Return: the decision (ipe_lkm_cache_outcome()), or 0 if the cache has
 * none.
 */
static __always_inline u64
ipe_lkm_cache_lookup(const struct ipe_lkm_policy *pol, struct file *file,
		     enum ipe_eng_op op)
{
	const struct ipe_lkm_cache_slot *s;
	const struct inode *ino;
	unsigned long gen;
	unsigned int seq;
	u64 outcome;
	bool hit;

	ino = ipe_lkm_cache_inode(file);
	if (!ino)
		return ipe_lkm_cache_counted(pol, 0);
	gen = atomic_long_read_acquire(&ipe_lkm_cache_gen);
	s = ipe_lkm_cache_slot_of(ino);
	do {
		seq = read_seqbegin(&s->lock);
		hit = s->key.inode == ino &&
		      s->key.sb == file->f_path.mnt->mnt_sb &&
		      s->key.policy_id == ipe_lkm_cache_policy_id(pol) &&
		      s->key.gen == gen &&
		      s->key.what == ipe_lkm_cache_what(op, ino);
		outcome = s->outcome;
	} while (read_seqretry(&s->lock, seq));
	return ipe_lkm_cache_counted(pol, hit ? outcome : 0);
}

/*
 * What ipe_lkm_cache_lookup_quick() returns for a file whose lookup it
 * leaves to ipe_lkm_cache_lookup(), out of line: not an outcome (no
 * IPE_LKM_CACHE_HIT), and not 0.
 */
#define IPE_LKM_CACHE_ASK 1ULL

/**
 * ipe_lkm_cache_lookup_quick() - ipe_lkm_cache_lookup() with no call in
 * it, for the inline decision (decide.h), or IPE_LKM_CACHE_ASK.
 * @pol: the active policy.
 * @file: the file.
 * @op: the operation.
 *
 * d_real_inode() (ipe_lkm_cache_inode()) calls into the filesystem only
 * for a dentry with DCACHE_OP_REAL (overlayfs).  So that the inline
 * decision makes no call, and keeps nothing of its caller's across one
 * (on x86 four registers saved and restored on every mmap), such a
 * dentry's lookup is left to the out-of-line decision; for any other the
 * compiler drops d_real_inode()'s call, its test already made here.
 *
 * Context: as ipe_lkm_cache_lookup().
 * Return: as ipe_lkm_cache_lookup(), or IPE_LKM_CACHE_ASK.
 */
static __always_inline u64
ipe_lkm_cache_lookup_quick(const struct ipe_lkm_policy *pol,
			   struct file *file, enum ipe_eng_op op)
{
	if (unlikely(file->f_path.dentry->d_flags & DCACHE_OP_REAL))
		return IPE_LKM_CACHE_ASK;
	return ipe_lkm_cache_lookup(pol, file, op);
}

#endif /* IPE_LKM_CACHE_H */
