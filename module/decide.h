/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * decide.h - ipe_lkm_decide_quick(), inline in the hooks' decide()
 * (hooks.c), and what decides out of line (decide.c).
 */
#ifndef IPE_LKM_DECIDE_H
#define IPE_LKM_DECIDE_H

#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>

#include "cache.h"
#include "ipe_lkm.h"

int ipe_lkm_decide_fresh(const struct ipe_lkm_policy *pol, struct file *file,
			 enum ipe_eng_op op, enum ipe_lkm_hook hook);
void ipe_lkm_decide_cached(const struct ipe_lkm_policy *pol,
			   struct file *file, enum ipe_eng_op op,
			   enum ipe_lkm_hook hook, u32 slot, bool audit);
int ipe_lkm_decide_held(const struct ipe_lkm_policy *pol, struct file *file,
			enum ipe_eng_op op, enum ipe_lkm_hook hook, u64 hit);

/*
 * A cached decision that needs nothing more than its answer: an ALLOW
 * that nothing audits (no success_audit) or checks (test builds).
 */
static __always_inline bool ipe_lkm_hit_quiet(u64 hit)
{
	return (hit & IPE_LKM_CACHE_HIT) &&
	       ipe_lkm_outcome_action(hit) != IPE_ENG_ACTION_DENY &&
	       !READ_ONCE(ipe_lkm_success_audit) &&
	       likely(!ipe_lkm_cache_checking());
}

/**
 * ipe_lkm_decide_quick() - upstream's ipe_evaluate_event(), for a hook,
 * where it needs no more than a look: with ipe_lkm_decide_held(), the
 * decision on an access.
 * @file: the file being executed, mapped or read; NULL for none.
 * @op: the operation.
 * @polp: set to the active policy when the decision is not made here.
 * @hitp: set to what the cache had for @file when the decision is not
 *	made here (ipe_lkm_cache_lookup_quick(): an outcome, 0, or
 *	IPE_LKM_CACHE_ASK).
 *
 * No active policy: allowed, nothing audited.  A cached ALLOW that nothing
 * audits (no success_audit) is the cost of every mmap of a shared library:
 * allowed here, counted in the policy's hits, with no call made, so that
 * nothing of the caller's has to be kept across one.  Anything else
 * returns false with preemption disabled, holding *@polp, for
 * ipe_lkm_decide_held(), which the caller reaches by a tail call.
 *
 * Context: any context the hooked functions run in; does not sleep.
 * Return: true when the access is allowed, and nothing is left to do.
 */
static __always_inline bool
ipe_lkm_decide_quick(struct file *file, enum ipe_eng_op op,
		     const struct ipe_lkm_policy **polp, u64 *hitp)
{
	const struct ipe_lkm_policy *pol;
	u64 hit;

	/* no policy: a policy activated now comes after this call */
	if (!rcu_access_pointer(ipe_lkm_active_policy))
		return true;
	preempt_disable_notrace();
	pol = rcu_dereference_sched(ipe_lkm_active_policy);
	if (!pol)	/* deactivated since the look above */
		goto allowed;
	hit = file ? ipe_lkm_cache_lookup_quick(pol, file, op) : 0;
	if (!ipe_lkm_hit_quiet(hit)) {
		*polp = pol;
		*hitp = hit;
		return false;
	}
	ipe_lkm_hits_inc(pol->hits, ipe_lkm_outcome_slot(hit));
allowed:
	preempt_enable_notrace();
	return true;
}

#endif /* IPE_LKM_DECIDE_H */
