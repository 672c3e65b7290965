// SPDX-License-Identifier: GPL-2.0-only
/*
 * audit.c - audit records 1420, 1421, 1422 and 1404 in upstream's text.
 *
 * audit_log_untrustedstring(), audit_log_n_hex() and audit_log_d_path() are
 * not exported; log_untrusted(), log_hex() and log_path() produce the same
 * text with audit_log_format().
 */
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/slab.h>
#if __has_include(<linux/hex.h>)
#include <linux/hex.h>	/* 7.x: hex_asc_upper_hi() left kernel.h */
#endif

#include "ipe_lkm.h"

static const char *const hook_names[__IPE_LKM_HOOK_MAX] = {
	[IPE_LKM_HOOK_BPRM_CHECK] = "BPRM_CHECK",
	[IPE_LKM_HOOK_BPRM_CREDS_FOR_EXEC] = "BPRM_CREDS_FOR_EXEC",
	[IPE_LKM_HOOK_MMAP] = "MMAP",
	[IPE_LKM_HOOK_MPROTECT] = "MPROTECT",
	[IPE_LKM_HOOK_KERNEL_READ] = "KERNEL_READ",
	[IPE_LKM_HOOK_KERNEL_LOAD] = "KERNEL_LOAD",
};

/* audit_log_n_hex(): upper-case hex */
static void log_hex(struct audit_buffer *ab, const u8 *d, size_t n)
{
	char chunk[2 * 32 + 1];
	size_t i, j;

	for (i = 0; i < n; i += 32) {
		for (j = 0; j < 32 && i + j < n; j++) {
			chunk[2 * j] = hex_asc_upper_hi(d[i + j]);
			chunk[2 * j + 1] = hex_asc_upper_lo(d[i + j]);
		}
		chunk[2 * j] = '\0';
		audit_log_format(ab, "%s", chunk);
	}
}

/* audit_log_untrustedstring(): quoted, or hex if it could confuse a parser */
static void log_untrusted(struct audit_buffer *ab, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c < 0x21 || c > 0x7e) {
			log_hex(ab, (const u8 *)s, n);
			return;
		}
	}
	audit_log_format(ab, "\"%s\"", s);
}

/* audit_log_d_path(ab, " path=", path) */
static void log_path(struct audit_buffer *ab, const struct path *path)
{
	char *buf, *p;

	audit_log_format(ab, " path=");
	/* as audit_log_d_path(): room for " (deleted)" */
	buf = kmalloc(PATH_MAX + 11, GFP_ATOMIC | __GFP_NOWARN);
	if (!buf) {
		audit_log_format(ab, "\"<no_memory>\"");
		return;
	}
	p = d_path(path, buf, PATH_MAX + 11);
	if (IS_ERR(p))
		audit_log_format(ab, "\"<too_long>\"");
	else
		log_untrusted(ab, p);
	kfree(buf);
}

static void log_rule(struct audit_buffer *ab, const struct ipe_eng_match *m)
{
	char small[192], *buf = small;
	size_t n;

	n = ipe_eng_render_match(m, IPE_ENG_RENDER_AUDIT, small, sizeof(small));
	if (n >= sizeof(small)) {
		buf = kmalloc(n + 1, GFP_ATOMIC | __GFP_NOWARN);
		if (!buf) {
			audit_log_format(ab, " rule=?");
			return;
		}
		ipe_eng_render_match(m, IPE_ENG_RENDER_AUDIT, buf, n + 1);
	}
	audit_log_format(ab, " rule=\"%s\"", buf);
	if (buf != small)
		kfree(buf);
}

/* record 1420 up to the rule: the access, the task, the file */
static struct audit_buffer *access_record(enum ipe_eng_op op,
					  struct file *file,
					  enum ipe_lkm_hook hook)
{
	char comm[sizeof(current->comm)];
	struct audit_buffer *ab;
	struct inode *inode;

	ab = audit_log_start(audit_context(), GFP_ATOMIC | __GFP_NOWARN,
			     AUDIT_IPE_ACCESS);
	if (!ab)
		return NULL;

	audit_log_format(ab, "ipe_op=%s ipe_hook=%s enforcing=%d pid=%d comm=",
			 ipe_eng_op_name(op), hook_names[hook],
			 READ_ONCE(ipe_lkm_enforce), task_tgid_nr(current));
	log_untrusted(ab, get_task_comm(comm, current));

	if (file) {
		log_path(ab, &file->f_path);
		inode = file_inode(file);
		if (inode) {
			audit_log_format(ab, " dev=");
			log_untrusted(ab, inode->i_sb->s_id);
			audit_log_format(ab, " ino=%llu",
					 (unsigned long long)inode->i_ino);
		} else {
			audit_log_format(ab, " dev=? ino=?");
		}
	} else {
		audit_log_format(ab, " path=? dev=? ino=?");
	}
	return ab;
}

/**
 * ipe_lkm_audit_match() - record 1420 for an evaluation, as upstream.
 * @m: the decision.
 * @file: the file, or NULL.
 * @hook: where it came from.
 *
 * DENY is always audited, ALLOW only with success_audit.  As upstream, a
 * record that cannot be allocated is dropped.
 *
 * Context: any hook context, under rcu_read_lock(); does not sleep.
 */
void ipe_lkm_audit_match(const struct ipe_eng_match *m, struct file *file,
			 enum ipe_lkm_hook hook)
{
	struct audit_buffer *ab;

	if (m->action != IPE_ENG_ACTION_DENY &&
	    !READ_ONCE(ipe_lkm_success_audit))
		return;
	ab = access_record(m->op, file, hook);
	if (!ab)
		return;
	log_rule(ab, m);
	audit_log_end(ab);
}

/**
 * ipe_lkm_audit_unavailable() - record 1420 for an access that could not
 * be evaluated because a property of the file could not be read.
 * @op: the operation.
 * @file: the file.
 * @hook: where it came from.
 * @prop: the property that could not be read (its policy keyword).
 *
 * Upstream has no such case.  The access is denied in enforce mode and
 * allowed in permissive mode, as a DENY would be, and audited as one
 * whatever success_audit says, with the rule
 * "property unavailable: <prop>" (docs/differences.md).
 *
 * Context: any hook context, under rcu_read_lock(); does not sleep.
 */
void ipe_lkm_audit_unavailable(enum ipe_eng_op op, struct file *file,
			       enum ipe_lkm_hook hook, const char *prop)
{
	struct audit_buffer *ab = access_record(op, file, hook);

	if (!ab)
		return;
	audit_log_format(ab, " rule=\"property unavailable: %s\"", prop);
	audit_log_end(ab);
}

static void log_policy(struct audit_buffer *ab, const char *prefix,
		       const struct ipe_lkm_policy *p)
{
	const struct ipe_eng_policy *pp = p->parsed;

	audit_log_format(ab, "%spol_name=\"%s\" %spol_version=%hu.%hu.%hu ",
			 prefix, pp->name, prefix, pp->version[0],
			 pp->version[1], pp->version[2]);
}

static void log_ids_res(struct audit_buffer *ab, int res)
{
	audit_log_format(ab, " auid=%u ses=%u lsm=ipe res=%d",
			 from_kuid(&init_user_ns, audit_get_loginuid(current)),
			 audit_get_sessionid(current), res);
}

static void log_ids(struct audit_buffer *ab)
{
	log_ids_res(ab, 1);
}

/**
 * ipe_lkm_audit_policy_load() - record 1422 for a policy write to
 * new_policy or update, as upstream from 6.16 on.
 * @p: the policy loaded or updated to; or an ERR_PTR() of the error the
 *	write failed with (then the record says "?" for the policy and
 *	res=0 errno=-N).
 *
 * Context: process context, may sleep.
 */
void ipe_lkm_audit_policy_load(const struct ipe_lkm_policy *p)
{
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_IPE_POLICY_LOAD);
	if (!ab)
		return;
	if (IS_ERR(p)) {
		audit_log_format(ab, "policy_name=? policy_version=? policy_digest=?");
		log_ids_res(ab, 0);
		audit_log_format(ab, " errno=%ld", PTR_ERR(p));
	} else {
		const struct ipe_eng_policy *pp = p->parsed;

		audit_log_format(ab, "policy_name=\"%s\" policy_version=%hu.%hu.%hu policy_digest=sha256:",
				 pp->name, pp->version[0], pp->version[1],
				 pp->version[2]);
		log_hex(ab, p->digest, sizeof(p->digest));
		log_ids(ab);
		audit_log_format(ab, " errno=0");
	}
	audit_log_end(ab);
}

/**
 * ipe_lkm_audit_activation() - record 1421 for a change of active policy.
 * @op: the policy active before, or NULL.
 * @np: the policy active now.
 *
 * Context: process context, may sleep.
 */
void ipe_lkm_audit_activation(const struct ipe_lkm_policy *op,
			      const struct ipe_lkm_policy *np)
{
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL,
			     AUDIT_IPE_CONFIG_CHANGE);
	if (!ab)
		return;
	if (op) {
		log_policy(ab, "old_active_", op);
		audit_log_format(ab, "old_policy_digest=sha256:");
		log_hex(ab, op->digest, sizeof(op->digest));
	} else {
		audit_log_format(ab, "old_active_pol_name=? old_active_pol_version=? old_policy_digest=?");
	}
	audit_log_format(ab, " ");
	log_policy(ab, "new_active_", np);
	audit_log_format(ab, "new_policy_digest=sha256:");
	log_hex(ab, np->digest, sizeof(np->digest));
	log_ids(ab);
	audit_log_end(ab);
}

/**
 * ipe_lkm_audit_enforce() - record 1404 for a change of enforce.
 * @new_enforce: the value being set.
 * @old_enforce: the value before.
 *
 * Context: process context, may sleep.
 */
void ipe_lkm_audit_enforce(bool new_enforce, bool old_enforce)
{
	struct audit_buffer *ab;

	/*
	 * As upstream's ipe_audit_enforce(): a record is opened, the full one
	 * is logged separately, and closing the first gives a second, empty
	 * 1404 record; tests/vm sees both from the built-in IPE.
	 */
	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_MAC_STATUS);
	if (!ab)
		return;
	audit_log(audit_context(), GFP_KERNEL, AUDIT_MAC_STATUS,
		  "enforcing=%d old_enforcing=%d auid=%u ses=%u enabled=1 old-enabled=1 lsm=ipe res=1",
		  new_enforce, old_enforce,
		  from_kuid(&init_user_ns, audit_get_loginuid(current)),
		  audit_get_sessionid(current));
	audit_log_end(ab);
}
