// SPDX-License-Identifier: GPL-2.0-only
/*
 * decide.c - one access: the active policy, the file's properties, audit.
 */
#include <linux/fs.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>

#include "decide.h"

/*
 * The engine's decision for @file under @pol, from the file's properties
 * read now.  Return: 0 with @m, or the error reading the property named in
 * @prop.  @unwatched: as ipe_lkm_file_props().
 */
static int evaluate(const struct ipe_lkm_policy *pol, struct file *file,
		    enum ipe_eng_op op, struct ipe_eng_match *m,
		    const char **prop, bool *unwatched)
{
	struct ipe_eng_ctx ctx = { .op = op, .unsupported = ipe_lkm_unsupported };
	struct ipe_lkm_file_props fp;
	int err;

	if (file) {
		err = ipe_lkm_file_props(file, ipe_eng_props_used(pol->parsed, op),
					 &fp, prop, unwatched);
		if (err)
			return err;
		ctx.file = &fp.props;
	}
	ipe_eng_eval(pol->parsed, &ctx, m);
	return 0;
}

/* Test builds, cache_check=1: a cached decision against a fresh one. */
static void check_cached(const struct ipe_lkm_policy *pol, struct file *file,
			 enum ipe_eng_op op, const struct ipe_eng_match *cached)
{
	struct ipe_eng_match fresh = { .action = IPE_ENG_ACTION_DENY };
	bool unwatched = false;
	const char *prop;

	if (evaluate(pol, file, op, &fresh, &prop, &unwatched))
		fresh.type = -1;	/* unreadable now: a difference */
	ipe_lkm_cache_check(cached, &fresh, file);
}

/*
 * The match that @slot stands for, as the engine made it for @op: for the
 * global DEFAULT, ipe_eng_slot_match() cannot know the op, which audit
 * records show.
 */
static void slot_match(const struct ipe_lkm_policy *pol, enum ipe_eng_op op,
		       u32 slot, struct ipe_eng_match *m)
{
	ipe_eng_slot_match(pol->parsed, slot, m);
	m->op = op;
}

/**
 * ipe_lkm_decide_cached() - what a cached decision does beyond its
 * answer: its audit record (a DENY, or an ALLOW with success_audit), and
 * in test builds with cache_check=1 the comparison with a fresh
 * evaluation.
 * @pol: the active policy.
 * @file: the file.
 * @op: the operation.
 * @hook: the hook, for audit.
 * @slot: the cached deciding slot.
 * @audit: whether to audit.
 *
 * Out of line: a hit that needs neither does not pay for the match on its
 * stack.
 *
 * Context: @pol held by the caller's disabled preemption; does not sleep.
 */
void ipe_lkm_decide_cached(const struct ipe_lkm_policy *pol,
			   struct file *file, enum ipe_eng_op op,
			   enum ipe_lkm_hook hook, u32 slot, bool audit)
{
	struct ipe_eng_match m;

	rcu_read_lock();
	slot_match(pol, op, slot, &m);
	if (unlikely(ipe_lkm_cache_checking()))
		check_cached(pol, file, op, &m);
	if (audit)
		ipe_lkm_audit_match(&m, file, hook);
	rcu_read_unlock();
}

/**
 * ipe_lkm_decide_fresh() - a decision the cache did not have: evaluated,
 * stored when it can be, counted and audited.
 * @pol: the active policy.
 * @file: the file, or NULL.
 * @op: the operation.
 * @hook: the hook, for audit.
 *
 * Context: @pol held by the caller's disabled preemption; the properties'
 * sources want rcu_read_lock(), taken here.  Does not sleep.
 * Return: 0 to allow, -EACCES to deny.
 */
int ipe_lkm_decide_fresh(const struct ipe_lkm_policy *pol, struct file *file,
			 enum ipe_eng_op op, enum ipe_lkm_hook hook)
{
	struct ipe_lkm_cache_key key;
	bool cacheable, unwatched = false;
	struct ipe_eng_match m;
	const char *prop;
	int err, rc = 0;
	u32 slot;

	rcu_read_lock();
	cacheable = file && ipe_lkm_cache_key(&key, pol, file, op);
	err = evaluate(pol, file, op, &m, &prop, &unwatched);
	if (err) {
		bool enforce = READ_ONCE(ipe_lkm_enforce);

		pr_warn_ratelimited("%s %pD: cannot read its %s (%d)\n",
				    enforce ? "denied" : "permissive, allowed",
				    file, prop, err);
		ipe_lkm_audit_unavailable(op, file, hook, prop);
		rc = enforce ? -EACCES : 0;
		goto out;
	}
	slot = ipe_eng_match_slot(pol->parsed, &m);
	if (cacheable && !unwatched)
		ipe_lkm_cache_put(&key, slot, m.action);
	ipe_lkm_hits_inc(pol->hits, slot);
	ipe_lkm_audit_match(&m, file, hook);
	if (m.action == IPE_ENG_ACTION_DENY && READ_ONCE(ipe_lkm_enforce))
		rc = -EACCES;
out:
	rcu_read_unlock();
	return rc;
}

/**
 * ipe_lkm_decide_held() - the decision ipe_lkm_decide_quick() left: a
 * fresh evaluation, or a cached decision that is audited (a DENY, or an
 * ALLOW with success_audit) or checked (test builds).
 * @pol: the active policy, held by ipe_lkm_decide_quick().
 * @file: the file, or NULL.
 * @op: the operation.
 * @hook: the hook, for audit.
 * @hit: what the cache had (ipe_lkm_cache_outcome(), or 0), or
 *	IPE_LKM_CACHE_ASK: the lookup is made here.
 *
 * A DENY is always audited, an ALLOW when success_audit is on; in
 * permissive mode (enforce=0) the caller is allowed after the audit.  A
 * file whose properties cannot be read is treated as a DENY: refused in
 * enforce mode (nothing is allowed that we could not judge), allowed in
 * permissive mode, and audited either way, so that a permissive
 * evaluation shows it; it is never cached.  The rule or DEFAULT that
 * decided is counted in the policy's hits (an ipe_lkm extension; a file
 * we could not judge was decided by none).
 *
 * Context: preemption disabled by ipe_lkm_decide_quick(), enabled again
 * here; does not sleep.
 * Return: 0 to allow, -EACCES to deny.
 */
int ipe_lkm_decide_held(const struct ipe_lkm_policy *pol, struct file *file,
			enum ipe_eng_op op, enum ipe_lkm_hook hook, u64 hit)
{
	enum ipe_eng_action action;
	int rc = 0;
	bool audit;
	u32 slot;

	if (hit == IPE_LKM_CACHE_ASK)
		hit = ipe_lkm_cache_lookup(pol, file, op);
	if (!hit) {
		rc = ipe_lkm_decide_fresh(pol, file, op, hook);
		goto out;
	}
	action = ipe_lkm_outcome_action(hit);
	slot = ipe_lkm_outcome_slot(hit);
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
