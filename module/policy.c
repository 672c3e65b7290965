// SPDX-License-Identifier: GPL-2.0-only
/*
 * policy.c - the policy lifecycle: load, update, activate, delete, the
 * boot policy, enforce, and the module pin that keeps an enforcing module
 * loaded.
 *
 * Locking, as upstream (see ipe_lkm.h): the active policy is an RCU
 * pointer, read by every hook under rcu_read_lock(); ipe_lkm_policy_lock
 * serialises every change or check of it, of enforce, of the pin and of
 * the list of loaded policies; fs.c takes a policy's directory inode lock
 * before calling in here for that policy.  This file owns every loaded
 * policy (the list) and frees them; fs.c only shows them.
 */
#include <crypto/hash.h>
#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "ipe_lkm.h"

struct ipe_lkm_policy __rcu *ipe_lkm_active_policy;
/* serialises every change to the policy list and to the active policy */
DEFINE_MUTEX(ipe_lkm_policy_lock);

/* Every loaded policy, the active one included; ipe_lkm_policy_lock. */
static LIST_HEAD(policies);

static struct ipe_lkm_policy *active_locked(void)
{
	return rcu_dereference_protected(ipe_lkm_active_policy,
					 lockdep_is_held(&ipe_lkm_policy_lock));
}

static u64 ver(const struct ipe_lkm_policy *p)
{
	const u16 *v = p->parsed->version;

	return (u64)v[0] << 32 | (u64)v[1] << 16 | v[2];
}

/**
 * ipe_lkm_free_policy() - free a policy.
 * @p: the policy, NULL or an ERR_PTR.
 *
 * Context: process context; @p is not listed (never was, or
 * ipe_lkm_unlist_policy() or ipe_lkm_replace_policy() took it out), so no
 * reader can see it any more, and it has no securityfs directory.
 */
void ipe_lkm_free_policy(struct ipe_lkm_policy *p)
{
	if (IS_ERR_OR_NULL(p))
		return;
	WARN_ON_ONCE(p->fs);
	ipe_lkm_hits_free(p->hits);
	ipe_eng_policy_free(p->parsed);
	if (!p->pkcs7)
		kfree(p->text);
	kvfree(p->pkcs7);
	kfree(p);
}

static int set_text(void *ctx, const void *data, size_t len,
		    size_t asn1hdrlen)
{
	struct ipe_lkm_policy *p = ctx;

	p->text = data;
	p->textlen = len;
	return 0;
}

static int parse(struct ipe_lkm_policy *p)
{
	struct ipe_eng_error e = { 0 };
	int rc;

	rc = ipe_eng_parse(p->text, p->textlen, 0, NULL, NULL, &p->parsed, &e);
	if (rc && rc != -ENOMEM)
		pr_info_ratelimited("policy refused (%d): line %u: %s\n", rc,
				    e.line, e.msg);
	return rc;
}

/*
 * Verify a signed policy, either format, and point p->text at its text
 * (inside p->pkcs7).
 */
static int verify(struct ipe_lkm_policy *p)
{
	size_t textlen, siglen;
	int rc;

	rc = ipe_eng_policy_form(p->pkcs7, p->pkcs7len, &textlen, &siglen);
	if (rc < 0)
		return rc;
	/* plain text is no PKCS#7 message either: refused there (-EBADMSG) */
	if (rc != IPE_ENG_FORM_APPENDED)
		return ipe_lkm_verify_pkcs7(p->pkcs7, p->pkcs7len, set_text, p);
	rc = ipe_lkm_verify_detached(p->pkcs7, textlen, p->pkcs7 + textlen,
				     siglen);
	if (rc)
		return rc;
	p->text = (const char *)p->pkcs7;
	p->textlen = textlen;
	return 0;
}

/*
 * The SHA-256 of a signed policy, for the audit records, through the
 * crypto API: where udev loaded the CPU's SHA-256 driver (sha256_ssse3 on
 * x86, sha2-ce on arm64), that is a fraction of the instructions a byte of
 * the generic C that sha256() is for modules up to 6.16 (0.6 s of a
 * guest's time for a 100 000-rule policy).  sha256() when the crypto API
 * has none: the digest is the same either way.
 */
static void policy_digest(const u8 *data, size_t len, u8 *out)
{
	struct crypto_shash *tfm;
	int rc = -EFBIG;

	if (len <= UINT_MAX) {
		tfm = crypto_alloc_shash("sha256", 0, 0);
		rc = PTR_ERR_OR_ZERO(tfm);
		if (!rc) {
			rc = crypto_shash_tfm_digest(tfm, data, len, out);
			crypto_free_shash(tfm);
		}
	}
	if (rc)
		sha256(data, len, out);
}

/* The id of the next policy (struct ipe_lkm_policy). */
static atomic64_t next_id = ATOMIC64_INIT(0);

/**
 * ipe_lkm_new_policy() - verify and parse a policy, with zeroed hit
 * counters.
 * @text: a plain policy (the boot policy), or NULL.
 * @textlen: bytes at @text.
 * @blob: when @text is NULL: a signed policy, in either format (upstream's
 *	PKCS#7 with the text inside, or the text with an appended signature),
 *	from kvmalloc(); the policy owns it from here, even on error.
 * @bloblen: bytes at @blob.
 *
 * Context: process context, may sleep.
 * Return: the policy, or an ERR_PTR: the signature's errors (-EBADMSG for
 * a message that is not PKCS#7 or a malformed trailer, -EMSGSIZE, -ENOKEY,
 * -EKEYREJECTED, -ENOPKG, -EINVAL for a corrupted RSA signature), then
 * the parser's, or -ENOMEM (also for the counters).
 */
struct ipe_lkm_policy *ipe_lkm_new_policy(const char *text, size_t textlen,
					  u8 *blob, size_t bloblen)
{
	struct ipe_lkm_policy *p;
	int rc;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		kvfree(blob);
		return ERR_PTR(-ENOMEM);
	}
	INIT_LIST_HEAD(&p->list);

	if (!text) {
		p->pkcs7 = blob;
		p->pkcs7len = bloblen;
		rc = verify(p);
		if (rc)
			goto err;
		policy_digest(p->pkcs7, p->pkcs7len, p->digest);
	} else {
		p->text = kmemdup_nul(text, textlen, GFP_KERNEL);
		if (!p->text) {
			rc = -ENOMEM;
			goto err;
		}
		p->textlen = textlen;
		sha256(NULL, 0, p->digest);
	}

	rc = parse(p);
	if (rc)
		goto err;
	/* zeroed: a new policy, or an update, starts from no hits */
	p->hits = ipe_lkm_hits_alloc(p->parsed);
	if (!p->hits) {
		rc = -ENOMEM;
		goto err;
	}
	p->id = atomic64_inc_return(&next_id);
	return p;
err:
	ipe_lkm_free_policy(p);
	return ERR_PTR(rc);
}

/*
 * While a policy is active and enforced, the module cannot be removed: it
 * holds a reference on itself, so delete_module() fails with EWOULDBLOCK
 * ("in use"), and forced removal is refused by hooks.c.  The reference is
 * the kernel's own module refcount (no edit of module internals), and it
 * cannot race a removal: every change of enforce or of the active policy
 * is a write through a tree file, whose open file holds a module reference
 * of its own (.owner), so a removal cannot pass its refcount check while
 * such a write runs, and after the write the pin holds.  The supported way
 * out: write 0 to enforce, then rmmod.
 */
static bool pinned;	/* ipe_lkm_policy_lock */

static void pin_update(void)
{
	bool want = active_locked() && READ_ONCE(ipe_lkm_enforce);

	lockdep_assert_held(&ipe_lkm_policy_lock);
	if (want == pinned)
		return;
	if (want)
		__module_get(THIS_MODULE);
	else
		module_put(THIS_MODULE);
	pinned = want;
}

/**
 * ipe_lkm_add_policy() - list a new policy (it can then be activated).
 * @p: a policy from ipe_lkm_new_policy().
 *
 * Context: process context, may sleep.
 */
void ipe_lkm_add_policy(struct ipe_lkm_policy *p)
{
	mutex_lock(&ipe_lkm_policy_lock);
	list_add_tail(&p->list, &policies);
	mutex_unlock(&ipe_lkm_policy_lock);
}

/**
 * ipe_lkm_is_active() - is a policy the active one?
 * @p: the policy.
 *
 * Context: any; the answer may be outdated at once unless the caller holds
 * the policy's directory lock (then @p cannot be deleted or updated).
 */
bool ipe_lkm_is_active(const struct ipe_lkm_policy *p)
{
	return p == rcu_access_pointer(ipe_lkm_active_policy);
}

/**
 * ipe_lkm_unlist_policy() - take a policy out for deletion.
 * @p: a listed policy.
 *
 * Context: process context, may sleep.
 * Return: 0: @p is unlisted and no reader can see it any more (the caller
 * frees it); -EPERM: it is the active policy.
 */
int ipe_lkm_unlist_policy(struct ipe_lkm_policy *p)
{
	mutex_lock(&ipe_lkm_policy_lock);
	if (p == active_locked()) {
		mutex_unlock(&ipe_lkm_policy_lock);
		return -EPERM;
	}
	list_del_init(&p->list);
	mutex_unlock(&ipe_lkm_policy_lock);
	/* it may have been active a moment ago: wait for its last readers */
	synchronize_rcu();
	return 0;
}

/**
 * ipe_lkm_set_active() - make a policy the active one.
 * @p: a listed policy.
 *
 * As upstream, no grace period: the previous policy stays listed.  The
 * policy's hit counters start again from zero (not when it was active
 * already: that is no activation, and upstream audits none).
 *
 * Context: process context; the policy's directory inode lock held.
 * Return: 0 (also if already active); -EINVAL if the active policy has a
 * higher version (anti-rollback, across names; equal is allowed).
 */
int ipe_lkm_set_active(struct ipe_lkm_policy *p)
{
	struct ipe_lkm_policy *ap;

	mutex_lock(&ipe_lkm_policy_lock);
	ap = active_locked();
	if (ap == p) {
		mutex_unlock(&ipe_lkm_policy_lock);
		return 0;
	}
	if (ap && ver(ap) > ver(p)) {
		mutex_unlock(&ipe_lkm_policy_lock);
		return -EINVAL;
	}
	ipe_lkm_hits_reset(p->hits);
	rcu_assign_pointer(ipe_lkm_active_policy, p);
	ipe_lkm_audit_activation(ap, p);
	pin_update();
	mutex_unlock(&ipe_lkm_policy_lock);
	return 0;
}

/**
 * ipe_lkm_set_enforce() - switch between enforcing and permissive.
 * @enforce: the new value.
 *
 * Audited (1404) only when it changes, as upstream.
 *
 * Context: process context, may sleep.
 */
void ipe_lkm_set_enforce(bool enforce)
{
	bool old;

	mutex_lock(&ipe_lkm_policy_lock);
	old = READ_ONCE(ipe_lkm_enforce);
	if (enforce != old) {
		ipe_lkm_audit_enforce(enforce, old);
		WRITE_ONCE(ipe_lkm_enforce, enforce);
		pin_update();
	}
	mutex_unlock(&ipe_lkm_policy_lock);
}

/**
 * ipe_lkm_replace_policy() - replace a policy by a newer one of its name.
 * @old: the listed policy.
 * @new: its replacement, from ipe_lkm_new_policy().
 *
 * @new takes @old's place in the list; if @old was active, @new is,
 * atomically: a reader sees the whole old or the whole new one.
 *
 * Context: process context, may sleep; @old's directory inode lock held.
 * Return: 0: @old is unlisted and no reader can see it any more (the
 * caller frees it); -EINVAL (another name), -ESTALE (not a higher
 * version): nothing changed (the caller frees @new).
 */
int ipe_lkm_replace_policy(struct ipe_lkm_policy *old,
			   struct ipe_lkm_policy *new)
{
	bool was_active;

	if (strcmp(new->parsed->name, old->parsed->name))
		return -EINVAL;
	if (ver(old) >= ver(new))
		return -ESTALE;
	ipe_lkm_audit_policy_load(new);

	mutex_lock(&ipe_lkm_policy_lock);
	list_replace_init(&old->list, &new->list);
	was_active = old == active_locked();
	if (was_active)
		rcu_assign_pointer(ipe_lkm_active_policy, new);
	mutex_unlock(&ipe_lkm_policy_lock);
	if (was_active)
		ipe_lkm_audit_activation(old, new);

	synchronize_rcu();
	return 0;
}

#include "boot_policy.inc"	/* generated: boot_policy, NULL if none */

/**
 * ipe_lkm_load_boot_policy() - the policy compiled in, active from load.
 *
 * As upstream's ipe_init(): parsed, made active directly, no audit record.
 *
 * Context: module init.
 * Return: 0 (also without a boot policy), or the parse error.
 */
int ipe_lkm_load_boot_policy(void)
{
	struct ipe_lkm_policy *p;

	if (!boot_policy)
		return 0;
	if (ipe_lkm_fault("boot_policy"))
		return -ENOMEM;
	p = ipe_lkm_new_policy(boot_policy, strlen(boot_policy), NULL, 0);
	if (IS_ERR(p)) {
		pr_err("the boot policy built into this module is invalid (%ld)\n",
		       PTR_ERR(p));
		return PTR_ERR(p);
	}
	mutex_lock(&ipe_lkm_policy_lock);
	list_add_tail(&p->list, &policies);
	rcu_assign_pointer(ipe_lkm_active_policy, p);
	mutex_unlock(&ipe_lkm_policy_lock);
	pr_info("boot policy '%s' %hu.%hu.%hu active\n", p->parsed->name,
		p->parsed->version[0], p->parsed->version[1],
		p->parsed->version[2]);
	return 0;
}

/**
 * ipe_lkm_policy_start() - the last step of loading: pin the module if the
 * boot policy is enforced.
 *
 * Context: module init, after every step that can fail.
 */
void ipe_lkm_policy_start(void)
{
	mutex_lock(&ipe_lkm_policy_lock);
	pin_update();
	mutex_unlock(&ipe_lkm_policy_lock);
}

/**
 * ipe_lkm_policy_exit() - forget the active policy and free every policy.
 *
 * Context: module exit or init unwinding, the securityfs tree gone (no
 * policy has a directory); the hooks may still run and see no policy.
 */
void ipe_lkm_policy_exit(void)
{
	struct ipe_lkm_policy *p, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&ipe_lkm_policy_lock);
	RCU_INIT_POINTER(ipe_lkm_active_policy, NULL);
	/* a pinned module is not removed: this is init unwinding */
	WARN_ON_ONCE(pinned);
	list_splice_init(&policies, &gone);
	mutex_unlock(&ipe_lkm_policy_lock);
	synchronize_rcu();
	list_for_each_entry_safe(p, tmp, &gone, list) {
		list_del(&p->list);
		ipe_lkm_free_policy(p);
	}
}
