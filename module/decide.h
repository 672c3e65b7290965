/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * decide.h - ipe_lkm_decide(), inline in the hooks' decide() (hooks.c),
 * and what it calls out of line (decide.c).
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

/**
 * ipe_lkm_decide() - upstream's ipe_evaluate_event(), for a hook.
 * @file: the file being executed, mapped or read; NULL for none.
 * @op: the operation.
 * @hook: the hook, for audit.
 *
 * No active policy: allowed, nothing audited, nothing called.  Otherwise
 * the engine decides (ipe_lkm_decide_fresh()), or the decision cache
 * answers with what the engine decided for the same inode, operation and
 * policy while nothing it depends on changed; a DENY is always audited,
 * an ALLOW when success_audit is on; in permissive mode (enforce=0) the
 * caller is allowed after the audit.  A file whose properties cannot be
 * read is treated as a DENY: refused in enforce mode (nothing is allowed
 * that we could not judge), allowed in permissive mode, and audited either
 * way, so that a permissive evaluation shows it; it is never cached.  The
 * rule or DEFAULT that decided is counted in the policy's hits (an
 * ipe_lkm extension; a file we could not judge was decided by none).
 *
 * A cached decision that nothing audits is the cost of every mmap of a
 * shared library, and is kept short: the cache lookup is inline, so the
 * decision makes no call and needs no stack frame; the policy is held by
 * disabled preemption alone (ipe_lkm.h).  Evaluation and audit, which read
 * properties under rcu_read_lock(), are out of line.
 *
 * Context: any context the hooked functions run in; does not sleep.
 * Return: 0 to allow, -EACCES to deny.
 */
static __always_inline int ipe_lkm_decide(struct file *file,
					  enum ipe_eng_op op,
					  enum ipe_lkm_hook hook)
{
	const struct ipe_lkm_policy *pol;
	enum ipe_eng_action action;
	bool audit;
	int rc = 0;
	u32 slot;

	/* no policy: a policy activated now comes after this call */
	if (!rcu_access_pointer(ipe_lkm_active_policy))
		return 0;
	preempt_disable_notrace();
	pol = rcu_dereference_sched(ipe_lkm_active_policy);
	if (!pol)	/* deactivated since the look above */
		goto out;
	if (!file || !ipe_lkm_cache_lookup(pol, file, op, &slot, &action)) {
		rc = ipe_lkm_decide_fresh(pol, file, op, hook);
		goto out;
	}
	ipe_lkm_hits_inc(pol->hits, slot);
	audit = action == IPE_ENG_ACTION_DENY ||
		READ_ONCE(ipe_lkm_success_audit);
	if (audit || unlikely(ipe_lkm_cache_checking()))
		ipe_lkm_decide_cached(pol, file, op, hook, slot, audit);
	if (action == IPE_ENG_ACTION_DENY && READ_ONCE(ipe_lkm_enforce))
		rc = -EACCES;
out:
	preempt_enable_notrace();
	return rc;
}

#endif /* IPE_LKM_DECIDE_H */
