// SPDX-License-Identifier: GPL-2.0-only
/*
 * keys.c - who may sign a policy.
 *
 * The owner chooses, with the "trust" parameter (read at load), among:
 *   embedded   certificates compiled into the module (every .der in the
 *              build's key directory, by default /etc/ipe-lkm/keys), in a
 *              keyring of its own;
 *   builtin    the kernel's builtin trusted keys (the distribution's);
 *   secondary  the secondary trusted keyring: builtin, plus keys added at
 *              run time and, on kernels with a machine keyring, the
 *              Machine Owner Keys;
 *   platform   the platform keyring: the UEFI db, and MOKs that shim does
 *              not mark trusted.
 * The default, "embedded,builtin", leaves out the two keyrings that hold
 * MOKs: DKMS's MOK is one, and its private half lies on every Secure Boot
 * machine that builds modules with DKMS (/var/lib/dkms/mok.key), so any
 * root user there could sign a policy.  Upstream IPE (built with
 * IPE_POLICY_SIG_SECONDARY_KEYRING and _PLATFORM_KEYRING) is
 * "secondary,platform" (docs/differences.md).  Keyrings are tried in the
 * order embedded, builtin (or secondary, which includes it), platform;
 * each next one only when the previous did not know the signer (-ENOKEY)
 * or rejected it (-EKEYREJECTED).  The owner's own keyring goes first
 * because each try hashes the whole policy again (the kernel exports no way
 * to reuse the digest of a detached signature's data): 11.2 MB for 100 000
 * rules, ~0.6 s of a guest's time with the generic SHA-256.  Which keyring
 * accepts does not change what is accepted; a refusal is -EKEYREJECTED if
 * any keyring rejected the signature, else the last keyring's error.
 */
#include <linux/cred.h>
#include <linux/key.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/verification.h>
#include <keys/asymmetric-type.h>

#include "ipe_lkm.h"

#ifndef IPE_LKM_TRUST_DEFAULT
#define IPE_LKM_TRUST_DEFAULT "embedded,builtin"
#endif

static char *trust = IPE_LKM_TRUST_DEFAULT;
module_param(trust, charp, 0444);
MODULE_PARM_DESC(trust,
		 "who may sign policies, a list of embedded, builtin, secondary, platform (default "
		 IPE_LKM_TRUST_DEFAULT "; upstream IPE: secondary,platform)");

enum {
	TRUST_EMBEDDED = BIT(0),
	TRUST_BUILTIN = BIT(1),
	TRUST_SECONDARY = BIT(2),
	TRUST_PLATFORM = BIT(3),
};

static const struct {
	const char *name;
	unsigned int bit;
	bool available;
} trust_sources[] = {
	{ "embedded", TRUST_EMBEDDED, true },
	{ "builtin", TRUST_BUILTIN, true },
	{ "secondary", TRUST_SECONDARY,
	  IS_ENABLED(CONFIG_SECONDARY_TRUSTED_KEYRING) },
	{ "platform", TRUST_PLATFORM,
	  IS_ENABLED(CONFIG_INTEGRITY_PLATFORM_KEYRING) },
};

/* Set up at init, torn down at exit; only read in between (no lock). */
static unsigned int trusted;

/*
 * Parse @list into @bits.  Unknown or unavailable sources, and an empty
 * list, are refused: the module does not load rather than trust other
 * signers than the owner said.
 */
static int parse_trust(const char *list, unsigned int *bits)
{
	char *copy, *p, *word;
	size_t i;
	int rc = 0;

	copy = kstrdup(list ? list : "", GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	*bits = 0;
	p = copy;
	while (!rc && (word = strsep(&p, ",")) != NULL) {
		word = strim(word);
		if (!*word)
			continue;
		for (i = 0; i < ARRAY_SIZE(trust_sources); i++) {
			if (!strcmp(word, trust_sources[i].name))
				break;
		}
		if (i == ARRAY_SIZE(trust_sources)) {
			pr_err("trust=%s: unknown signer source '%s' (embedded, builtin, secondary, platform)\n",
			       list, word);
			rc = -EINVAL;
		} else if (!trust_sources[i].available) {
			pr_err("trust=%s: this kernel has no %s keyring\n",
			       list, word);
			rc = -ENOPKG;
		} else {
			*bits |= trust_sources[i].bit;
		}
	}
	if (!rc && !*bits) {
		pr_err("trust is empty: no policy could ever be loaded\n");
		rc = -EINVAL;
	}
	kfree(copy);
	return rc;
}

struct embedded_cert {
	const u8 *data;
	size_t len;
	const char *name;
};

#include "certs.inc"	/* generated: embedded_certs[], embedded_certs_n */

/* Set up at init, torn down at exit; only read in between (no lock). */
static struct key *embedded_keyring;

/**
 * ipe_lkm_keys_init() - load the embedded certificates.
 *
 * Context: process context, may sleep.
 * Return: 0 (also with none), -errno if a certificate is refused: a bad
 * build input fails the load rather than silently trusting less.
 */
int ipe_lkm_keys_init(void)
{
	key_ref_t kref;
	size_t i;
	int rc;

	rc = parse_trust(trust, &trusted);
	if (rc)
		return rc;
	pr_info("policy signers trusted: %s\n", trust);
	if (!embedded_certs_n) {
		if (trusted == TRUST_EMBEDDED)
			pr_warn("trust=embedded, but no certificate was embedded: only the boot policy can be in force\n");
		return 0;
	}
	embedded_keyring = keyring_alloc(".ipe_lkm", GLOBAL_ROOT_UID,
					 GLOBAL_ROOT_GID, current_cred(),
					 (KEY_POS_ALL & ~KEY_POS_SETATTR) |
					 KEY_USR_VIEW | KEY_USR_READ |
					 KEY_USR_SEARCH,
					 KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	if (IS_ERR(embedded_keyring)) {
		int rc = PTR_ERR(embedded_keyring);

		embedded_keyring = NULL;
		return rc;
	}
	for (i = 0; i < embedded_certs_n; i++) {
		const struct embedded_cert *c = &embedded_certs[i];

		kref = key_create_or_update(make_key_ref(embedded_keyring, 1),
					    "asymmetric", NULL, c->data, c->len,
					    (KEY_POS_ALL & ~KEY_POS_SETATTR) |
					    KEY_USR_VIEW | KEY_USR_READ,
					    KEY_ALLOC_NOT_IN_QUOTA |
					    KEY_ALLOC_BUILT_IN |
					    KEY_ALLOC_BYPASS_RESTRICTION);
		if (IS_ERR(kref)) {
			pr_err("embedded certificate %s refused (%ld)\n",
			       c->name, PTR_ERR(kref));
			ipe_lkm_keys_exit();
			return PTR_ERR(kref);
		}
		pr_info("policy signing certificate %s: '%s'\n", c->name,
			key_ref_to_ptr(kref)->description);
		key_ref_put(kref);
	}
	return 0;
}

void ipe_lkm_keys_exit(void)
{
	key_put(embedded_keyring);
	embedded_keyring = NULL;
}

static bool try_next(int rc)
{
	return rc == -ENOKEY || rc == -EKEYREJECTED;
}

/*
 * The trusted keyrings in order (file comment): each next one only when the
 * previous did not know the signer (-ENOKEY) or rejected it
 * (-EKEYREJECTED).  @data NULL: the content is inside @msg; else @msg is a
 * detached signature of @data.
 */
static int verify_in_order(const void *data, size_t datalen, const u8 *msg,
			   size_t len,
			   int (*view)(void *ctx, const void *data, size_t len,
				       size_t asn1hdrlen),
			   void *ctx)
{
	struct key *rings[3];
	int n = 0, i, rc = -ENOKEY;
	bool rejected = false;

	if ((trusted & TRUST_EMBEDDED) && embedded_keyring)
		rings[n++] = embedded_keyring;
	/* VERIFY_USE_SECONDARY_KEYRING includes the builtin keys */
	if (trusted & TRUST_SECONDARY)
		rings[n++] = VERIFY_USE_SECONDARY_KEYRING;
	else if (trusted & TRUST_BUILTIN)
		rings[n++] = NULL;	/* the builtin trusted keys */
	if (trusted & TRUST_PLATFORM)
		rings[n++] = VERIFY_USE_PLATFORM_KEYRING;
	for (i = 0; i < n; i++) {
		rc = verify_pkcs7_signature(data, datalen, msg, len, rings[i],
					    VERIFYING_UNSPECIFIED_SIGNATURE,
					    view, ctx);
		if (!try_next(rc))
			return rc;
		rejected |= rc == -EKEYREJECTED;
	}
	return rejected ? -EKEYREJECTED : rc;
}

/**
 * ipe_lkm_verify_pkcs7() - verify a signed policy and view its content.
 * @msg: the PKCS#7 message (DER).
 * @len: bytes at @msg.
 * @view: called with the signed content on success; the pointer is into
 *	@msg.
 * @ctx: passed to @view.
 *
 * Context: process context, may sleep.
 * Return: 0; -EBADMSG (not PKCS#7), -EMSGSIZE (over 65535 bytes), -ENOKEY,
 * -EKEYREJECTED, -ENOPKG, as verify_pkcs7_signature().
 */
int ipe_lkm_verify_pkcs7(const u8 *msg, size_t len,
			 int (*view)(void *ctx, const void *data, size_t len,
				     size_t asn1hdrlen),
			 void *ctx)
{
	return verify_in_order(NULL, 0, msg, len, view, ctx);
}

/**
 * ipe_lkm_verify_detached() - verify a detached signature of a policy text.
 * @data: the policy text.
 * @datalen: bytes at @data (any size: only its digest is signed).
 * @sig: the detached PKCS#7 message (DER).
 * @siglen: bytes at @sig.
 *
 * The same keyrings in the same order as ipe_lkm_verify_pkcs7().
 *
 * Context: process context, may sleep.
 * Return: 0; -EBADMSG (@sig is not PKCS#7, or carries content of its own),
 * -EMSGSIZE (@sig over 65535 bytes), -ENOKEY,
 * -EKEYREJECTED (a digest that does not match), -ENOPKG, as
 * verify_pkcs7_signature().
 */
int ipe_lkm_verify_detached(const u8 *data, size_t datalen, const u8 *sig,
			    size_t siglen)
{
	/* verify_pkcs7_signature() takes a NULL @data as "not detached" */
	static const u8 empty[1];

	return verify_in_order(datalen ? data : empty, datalen, sig, siglen,
			       NULL, NULL);
}
