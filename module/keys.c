// SPDX-License-Identifier: GPL-2.0-only
/*
 * keys.c - who may sign a policy.
 *
 * As upstream with IPE_POLICY_SIG_SECONDARY_KEYRING and _PLATFORM_KEYRING:
 * the secondary trusted keyring (which holds the builtin keys and, on
 * kernels with a machine keyring, the MOK keys), then on -ENOKEY or
 * -EKEYREJECTED the platform keyring (UEFI db).  ipe_lkm adds one more
 * anchor for kernels whose keyrings the owner cannot change: certificates
 * embedded at build time (every .der in the build's key directory, by
 * default /etc/ipe-lkm/keys), in a keyring of its own.
 */
#include <linux/cred.h>
#include <linux/key.h>
#include <linux/verification.h>
#include <keys/asymmetric-type.h>

#include "ipe_lkm.h"

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

	if (!embedded_certs_n)
		return 0;
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
 * Upstream's keyring order, then the embedded keyring: each next one only
 * when the previous did not know the signer (-ENOKEY) or rejected it
 * (-EKEYREJECTED).  @data NULL: the content is inside @msg; else @msg is a
 * detached signature of @data.
 */
static int verify_in_order(const void *data, size_t datalen, const u8 *msg,
			   size_t len,
			   int (*view)(void *ctx, const void *data, size_t len,
				       size_t asn1hdrlen),
			   void *ctx)
{
	int rc;

	rc = verify_pkcs7_signature(data, datalen, msg, len,
				    IS_ENABLED(CONFIG_SECONDARY_TRUSTED_KEYRING) ?
				    VERIFY_USE_SECONDARY_KEYRING : NULL,
				    VERIFYING_UNSPECIFIED_SIGNATURE, view, ctx);
	if (try_next(rc) && IS_ENABLED(CONFIG_INTEGRITY_PLATFORM_KEYRING))
		rc = verify_pkcs7_signature(data, datalen, msg, len,
					    VERIFY_USE_PLATFORM_KEYRING,
					    VERIFYING_UNSPECIFIED_SIGNATURE,
					    view, ctx);
	if (try_next(rc) && embedded_keyring)
		rc = verify_pkcs7_signature(data, datalen, msg, len,
					    embedded_keyring,
					    VERIFYING_UNSPECIFIED_SIGNATURE,
					    view, ctx);
	return rc;
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
