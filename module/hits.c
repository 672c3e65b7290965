// SPDX-License-Identifier: GPL-2.0-only
/*
 * hits.c - per-rule hit counters (an ipe_lkm extension): how often each
 * rule, each op's DEFAULT and the global DEFAULT of a policy decided.
 *
 * One u64 per deciding slot (the engine's ipe_eng_match_slot()) and CPU.
 * A per-CPU allocation is at most PCPU_MIN_UNIT_SIZE (32 KiB), so a large
 * policy's slots are spread over chunks of HITS_CHUNK counters.  Allocated
 * with the policy (process context), so that activation only zeroes them
 * and a decision only increments one: this_cpu_inc(), no lock, no atomic
 * shared between CPUs, no allocation.
 *
 * Locking: a decision increments the counters of the policy it read under
 * the hold of ipe_lkm.h (ipe_lkm_hits_inc()); ipe_lkm_set_active() zeroes those
 * of the policy it is about to make active, under ipe_lkm_policy_lock; a
 * reader sums them without a lock (a sum may miss increments being made,
 * never sees one go back but across a reset); they are freed with their
 * policy, after the grace period that ends its last decision.
 */
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "ipe_lkm.h"

/* Counters per per-CPU allocation: 16 KiB a CPU. */
#define HITS_CHUNK IPE_LKM_HITS_CHUNK

static u32 chunk_len(const struct ipe_lkm_hits *h, u32 i)
{
	return min_t(u32, HITS_CHUNK, h->nslots - i * HITS_CHUNK);
}

/**
 * ipe_lkm_hits_alloc() - zeroed counters for every slot of a policy.
 * @p: the parsed policy.
 *
 * Context: process context, may sleep.
 * Return: the counters, or NULL when out of memory.
 */
struct ipe_lkm_hits *ipe_lkm_hits_alloc(const struct ipe_eng_policy *p)
{
	u32 nslots = ipe_eng_nslots(p), i;
	u32 nchunks = DIV_ROUND_UP(nslots, HITS_CHUNK);
	struct ipe_lkm_hits *h;

	h = kzalloc(struct_size(h, chunk, nchunks), GFP_KERNEL);
	if (!h)
		return NULL;
	h->nslots = nslots;
	h->nchunks = nchunks;
	for (i = 0; i < nchunks; i++) {
		h->chunk[i] = __alloc_percpu(chunk_len(h, i) * sizeof(u64),
					     __alignof__(u64));
		if (!h->chunk[i]) {
			ipe_lkm_hits_free(h);
			return NULL;
		}
	}
	return h;
}

/**
 * ipe_lkm_hits_free() - free counters.
 * @h: from ipe_lkm_hits_alloc(), or NULL.
 *
 * Context: process context; no decision can reach @h any more.
 */
void ipe_lkm_hits_free(struct ipe_lkm_hits *h)
{
	u32 i;

	if (!h)
		return;
	for (i = 0; i < h->nchunks; i++)
		free_percpu(h->chunk[i]);
	kfree(h);
}

/**
 * ipe_lkm_hits_reset() - zero every counter, on every CPU.
 * @h: the counters of a policy about to be activated.
 *
 * A decision still running on that policy from an earlier activation may
 * add to a counter after it was zeroed: the policy is not active yet, and
 * activation does not wait for a grace period (upstream's does not).
 *
 * O(slots x CPUs) stores, no allocation: 100 000 rules on 2 CPUs take
 * ~0.1 ms.  The stores race only with such stale increments, which either
 * land or are overwritten.
 *
 * Context: ipe_lkm_policy_lock held; may sleep (between CPUs).
 */
void ipe_lkm_hits_reset(struct ipe_lkm_hits *h)
{
	unsigned int cpu;
	u32 i;

	lockdep_assert_held(&ipe_lkm_policy_lock);
	for_each_possible_cpu(cpu) {
		for (i = 0; i < h->nchunks; i++)
			memset(per_cpu_ptr(h->chunk[i], cpu), 0,
			       chunk_len(h, i) * sizeof(u64));
		cond_resched();
	}
}

/**
 * ipe_lkm_hits_sum() - how often a slot decided, over every CPU.
 * @h: the counters.
 * @slot: a slot, < @h->nslots.
 *
 * Context: any; the policy cannot be freed meanwhile.  Not a snapshot:
 * decisions made while summing may or may not be in the sum.
 * Return: the sum.
 */
u64 ipe_lkm_hits_sum(const struct ipe_lkm_hits *h, u32 slot)
{
	u32 i = slot / HITS_CHUNK, j = slot % HITS_CHUNK;
	unsigned int cpu;
	u64 sum = 0;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(h->chunk[i], cpu)[j]);
	return sum;
}
