// SPDX-License-Identifier: GPL-2.0-only
/*
 * decide.c - one access: the active policy, the file's properties, audit.
 */
#include <linux/fs.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>

#include "ipe_lkm.h"

/**
 * ipe_lkm_decide() - upstream's ipe_evaluate_event().
 * @file: the file being executed, mapped or read; NULL for none.
 * @op: the operation.
 * @hook: the hook, for audit.
 *
 * No active policy: allowed, nothing audited.  Otherwise the engine decides;
 * a DENY is always audited, an ALLOW when success_audit is on; in
 * permissive mode (enforce=0) the caller is allowed after the audit.  A
 * file whose properties cannot be read is treated as a DENY: refused in
 * enforce mode (nothing is allowed that we could not judge), allowed in
 * permissive mode, and audited either way, so that a permissive
 * evaluation shows it.  The rule or DEFAULT that decided is counted in
 * the policy's hits (an ipe_lkm extension; a file we could not judge was
 * decided by none).
 *
 * Context: any context the hooked functions run in; does not sleep.
 * Return: 0 to allow, -EACCES to deny.
 */
int ipe_lkm_decide(struct file *file, enum ipe_eng_op op,
		   enum ipe_lkm_hook hook)
{
	struct ipe_lkm_file_props fp;
	struct ipe_eng_ctx ctx = { .op = op };
	const struct ipe_lkm_policy *pol;
	struct ipe_eng_match m;
	const char *prop;
	int rc = 0, err;

	rcu_read_lock();
	pol = rcu_dereference(ipe_lkm_active_policy);
	if (!pol)
		goto out;

	ctx.unsupported = ipe_lkm_unsupported;
	if (file) {
		err = ipe_lkm_file_props(file,
					 ipe_eng_props_used(pol->parsed, op),
					 &fp, &prop);
		if (err) {
			bool enforce = READ_ONCE(ipe_lkm_enforce);

			pr_warn_ratelimited("%s %pD: cannot read its %s (%d)\n",
					    enforce ? "denied" : "permissive, allowed",
					    file, prop, err);
			ipe_lkm_audit_unavailable(op, file, hook, prop);
			rc = enforce ? -EACCES : 0;
			goto out;
		}
		ctx.file = &fp.props;
	}

	ipe_eng_eval(pol->parsed, &ctx, &m);
	ipe_lkm_hits_inc(pol->hits, ipe_eng_match_slot(pol->parsed, &m));
	ipe_lkm_audit_match(&m, file, hook);
	if (m.action == IPE_ENG_ACTION_DENY && READ_ONCE(ipe_lkm_enforce))
		rc = -EACCES;
out:
	rcu_read_unlock();
	return rc;
}
