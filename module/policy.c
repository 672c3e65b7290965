// SPDX-License-Identifier: GPL-2.0-only
/*
 * policy.c - the policy lifecycle: load, update, activate, the boot policy,
 * and the module pin that keeps an enforcing module loaded.
 *
 * Locking, as upstream: the active policy is an RCU pointer, read by every
 * hook under rcu_read_lock(); ipe_lkm_policy_lock serialises every change
 * or check of it; a policy's securityfs directory inode lock (taken first)
 * serialises the changes of that one policy.
 */
#include <linux/module.h>
#include <linux/module_signature.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <crypto/sha2.h>

#include "ipe_lkm.h"

struct ipe_lkm_policy __rcu *ipe_lkm_active_policy;
DEFINE_MUTEX(ipe_lkm_policy_lock);

static u64 ver(const struct ipe_lkm_policy *p)
{
	const u16 *v = p->parsed->version;

	return (u64)v[0] << 32 | (u64)v[1] << 16 | v[2];
}

/**
 * ipe_lkm_free_policy() - free a policy and its securityfs directory.
 * @p: the policy, NULL or an ERR_PTR.
 *
 * Context: process context, may sleep; @p is not the active policy and no
 * reader can still see it.
 */
void ipe_lkm_free_policy(struct ipe_lkm_policy *p)
{
	if (IS_ERR_OR_NULL(p))
		return;
	ipe_lkm_del_policyfs_node(p);
	ipe_eng_policy_free(p->parsed);
	if (!p->pkcs7)
		kfree(p->text);
	kvfree(p->pkcs7);
	kfree(p);
}

/**
 * ipe_lkm_appended_text() - find the policy text of an appended-signature
 * blob (docs/policy-formats.md).
 * @blob: what was written.
 * @len: bytes at @blob.
 * @textlen: the length of the text, which starts at @blob.
 * @siglen: the length of the detached PKCS#7 that follows the text.
 *
 * The trailer is checked as the kernel checks a module's (mod_check_sig(),
 * which is not exported): every field but id_type and sig_len zero.
 *
 * Context: any.
 * Return: 0; -ENODATA when @blob does not end with IPE_LKM_SIG_MAGIC (not
 * this format); -ENOPKG for an id_type other than PKEY_ID_PKCS7; -EBADMSG
 * for any other malformed trailer, a sig_len of 0 or past the start of
 * @blob.
 */
int ipe_lkm_appended_text(const u8 *blob, size_t len, size_t *textlen,
			  size_t *siglen)
{
	const size_t magic = sizeof(IPE_LKM_SIG_MAGIC) - 1;
	struct module_signature ms;
	size_t sl;

	if (len < magic || memcmp(blob + len - magic, IPE_LKM_SIG_MAGIC, magic))
		return -ENODATA;
	len -= magic;
	if (len < sizeof(ms))
		return -EBADMSG;
	memcpy(&ms, blob + len - sizeof(ms), sizeof(ms));
	len -= sizeof(ms);
	if (ms.id_type != PKEY_ID_PKCS7)
		return -ENOPKG;
	if (ms.algo || ms.hash || ms.signer_len || ms.key_id_len ||
	    ms.__pad[0] || ms.__pad[1] || ms.__pad[2])
		return -EBADMSG;
	sl = be32_to_cpu(ms.sig_len);
	if (!sl || sl > len)
		return -EBADMSG;
	*textlen = len - sl;
	*siglen = sl;
	return 0;
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

	rc = ipe_lkm_appended_text(p->pkcs7, p->pkcs7len, &textlen, &siglen);
	if (rc == -ENODATA)
		return ipe_lkm_verify_pkcs7(p->pkcs7, p->pkcs7len, set_text, p);
	if (rc)
		return rc;
	rc = ipe_lkm_verify_detached(p->pkcs7, textlen, p->pkcs7 + textlen,
				     siglen);
	if (rc)
		return rc;
	p->text = (const char *)p->pkcs7;
	p->textlen = textlen;
	return 0;
}

/**
 * ipe_lkm_new_policy() - verify and parse a policy.
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
 * the parser's, or -ENOMEM.
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

	if (!text) {
		p->pkcs7 = blob;
		p->pkcs7len = bloblen;
		rc = verify(p);
		if (rc)
			goto err;
		sha256(p->pkcs7, p->pkcs7len, p->digest);
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
	return p;
err:
	ipe_lkm_free_policy(p);
	return ERR_PTR(rc);
}

/*
 * While a policy is active and enforced, the module cannot be removed:
 * rmmod refuses a module whose source_list (the modules using it) is not
 * empty, and checks that before it honours --force.  ipe_lkm then lists
 * itself there (lsmod shows it as its own user).  The supported way out:
 * write 0 to enforce, then rmmod.
 */
static struct module_use self_use;
static bool pinned;

/**
 * ipe_lkm_pin_update() - pin or unpin the module after a change of the
 * active policy or of enforce.
 *
 * Context: ipe_lkm_policy_lock held.
 */
void ipe_lkm_pin_update(void)
{
	bool want = rcu_access_pointer(ipe_lkm_active_policy) &&
		    READ_ONCE(ipe_lkm_enforce);

	lockdep_assert_held(&ipe_lkm_policy_lock);
	if (want == pinned)
		return;
	if (want) {
		self_use.source = THIS_MODULE;
		self_use.target = THIS_MODULE;
		INIT_LIST_HEAD(&self_use.target_list);
		list_add(&self_use.source_list, &THIS_MODULE->source_list);
	} else {
		/*
		 * Unlink without touching the entry's own pointers: a reader of
		 * /proc/modules standing on it (under module_mutex, which is not
		 * ours to take) still walks on to the list head.
		 */
		__list_del_entry(&self_use.source_list);
	}
	pinned = want;
}

/**
 * ipe_lkm_set_active() - make a policy the active one.
 * @p: the policy.
 *
 * Context: process context; the policy's directory inode lock held.
 * Return: 0 (also if already active); -EINVAL if the active policy has a
 * higher version (anti-rollback, across names; equal is allowed).
 */
int ipe_lkm_set_active(struct ipe_lkm_policy *p)
{
	struct ipe_lkm_policy *ap;

	mutex_lock(&ipe_lkm_policy_lock);
	ap = rcu_dereference_protected(ipe_lkm_active_policy,
				       lockdep_is_held(&ipe_lkm_policy_lock));
	if (ap == p) {
		mutex_unlock(&ipe_lkm_policy_lock);
		return 0;
	}
	if (ap && ver(ap) > ver(p)) {
		mutex_unlock(&ipe_lkm_policy_lock);
		return -EINVAL;
	}
	rcu_assign_pointer(ipe_lkm_active_policy, p);
	ipe_lkm_audit_activation(ap, p);
	ipe_lkm_pin_update();
	mutex_unlock(&ipe_lkm_policy_lock);
	return 0;
}

/**
 * ipe_lkm_update_policy() - replace a policy by a newer one of its name.
 * @dir: the policy's directory inode, locked.
 * @blob: the new signed policy, either format, from kvmalloc(); consumed.
 * @len: bytes at @blob.
 *
 * The new policy takes over the directory; if the old one was active, the
 * new one is, atomically: a reader sees the whole old or the whole new one.
 *
 * Context: process context, may sleep; @dir locked.
 * Return: 0; -ENOENT (deleted), the errors of ipe_lkm_new_policy(),
 * -EINVAL (another name), -ESTALE (not a higher version).
 */
int ipe_lkm_update_policy(struct inode *dir, u8 *blob, size_t len)
{
	struct ipe_lkm_policy *old, *ap, *new;
	bool was_active;

	old = dir->i_private;
	if (!old) {
		kvfree(blob);
		return -ENOENT;
	}
	new = ipe_lkm_new_policy(NULL, 0, blob, len);
	if (IS_ERR(new))
		return PTR_ERR(new);
	if (strcmp(new->parsed->name, old->parsed->name)) {
		ipe_lkm_free_policy(new);
		return -EINVAL;
	}
	if (ver(old) >= ver(new)) {
		ipe_lkm_free_policy(new);
		return -ESTALE;
	}

	dir->i_private = new;
	swap(new->fs, old->fs);
	ipe_lkm_audit_policy_load(new);

	mutex_lock(&ipe_lkm_policy_lock);
	ap = rcu_dereference_protected(ipe_lkm_active_policy,
				       lockdep_is_held(&ipe_lkm_policy_lock));
	was_active = old == ap;
	if (was_active)
		rcu_assign_pointer(ipe_lkm_active_policy, new);
	mutex_unlock(&ipe_lkm_policy_lock);
	if (was_active)
		ipe_lkm_audit_activation(old, new);

	synchronize_rcu();
	ipe_lkm_free_policy(old);
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
	p = ipe_lkm_new_policy(boot_policy, strlen(boot_policy), NULL, 0);
	if (IS_ERR(p)) {
		pr_err("the boot policy built into this module is invalid (%ld)\n",
		       PTR_ERR(p));
		return PTR_ERR(p);
	}
	mutex_lock(&ipe_lkm_policy_lock);
	rcu_assign_pointer(ipe_lkm_active_policy, p);
	mutex_unlock(&ipe_lkm_policy_lock);
	pr_info("boot policy '%s' %hu.%hu.%hu active\n", p->parsed->name,
		p->parsed->version[0], p->parsed->version[1],
		p->parsed->version[2]);
	return 0;
}

/**
 * ipe_lkm_policy_exit() - forget the active policy at unload.
 *
 * Context: module exit, hooks detached, securityfs tree removed (which
 * freed every policy with a directory).
 */
void ipe_lkm_policy_exit(void)
{
	struct ipe_lkm_policy *ap;

	mutex_lock(&ipe_lkm_policy_lock);
	ap = rcu_dereference_protected(ipe_lkm_active_policy,
				       lockdep_is_held(&ipe_lkm_policy_lock));
	RCU_INIT_POINTER(ipe_lkm_active_policy, NULL);
	ipe_lkm_pin_update();
	mutex_unlock(&ipe_lkm_policy_lock);
	synchronize_rcu();
	/* a boot policy whose node could not be made is owned here */
	if (ap && !ap->fs)
		ipe_lkm_free_policy(ap);
}
