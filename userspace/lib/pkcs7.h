/* SPDX-License-Identifier: MIT */
/*
 * pkcs7.h - policy signatures (OpenSSL).
 */
#ifndef IPECTL_PKCS7_H
#define IPECTL_PKCS7_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/x509.h>

#include "ipe_engine.h"

/* The kernel's ASN.1 decoder refuses larger messages (EMSGSIZE). */
#define IPECTL_MAX_PKCS7 65535

/*
 * The appended-signature format (docs/policy-formats.md): the policy text,
 * a detached PKCS#7 of it, then IPE_ENG_SIG_TAIL_LEN bytes (the trailer
 * laid out as the kernel's struct module_signature, and the magic string),
 * as the engine defines them.
 */
/* Largest write the module takes to new_policy or update. */
#define IPECTL_MAX_APPENDED (64u << 20)

/**
 * struct ipectl_passphrase - where a private key's passphrase comes from.
 * @get: copy the passphrase into @buf (at most @size bytes, no NUL needed);
 *	return its length, or -errno when it cannot be had.
 *	@confirm: a new passphrase (ask twice).
 * @explain: what an error of @get means, for messages; NULL: strerror().
 * @ctx: for @get.
 * @err: set here to what @get returned when it failed.
 */
struct ipectl_passphrase {
	int (*get)(void *ctx, char *buf, size_t size, bool confirm);
	const char *(*explain)(int err);
	void *ctx;
	int err;
};

/**
 * struct ipectl_signer - who signs.
 * @key: the private key file (PEM, possibly encrypted, or DER).
 * @cert: the certificate file (PEM or DER).
 * @pass: the passphrase of an encrypted key; NULL: none can be had.
 */
struct ipectl_signer {
	const char *key;
	const char *cert;
	struct ipectl_passphrase *pass;
};

/* A buffer; ipectl_blob_free() wipes it. */
struct ipectl_blob {
	unsigned char *data;
	size_t len;
};

void ipectl_blob_free(struct ipectl_blob *b);

int ipectl_sign_appended(const unsigned char *data, size_t len,
			 const struct ipectl_signer *s, unsigned char **out,
			 size_t *outlen, char *err, size_t errlen);

int ipectl_sign(const unsigned char *data, size_t len,
		const struct ipectl_signer *s, unsigned char **out,
		size_t *outlen, char *err, size_t errlen);
int ipectl_verify(const unsigned char *msg, size_t len, const char *certfile,
		  unsigned char **content, size_t *clen, char **signer,
		  char *err, size_t errlen);
int ipectl_verify_any(const unsigned char *msg, size_t len,
		      const char *certfile, unsigned char **content,
		      size_t *clen, char **signer, bool *appended, char *err,
		      size_t errlen);
int ipectl_keygen(const char *cn, bool ecdsa, int days,
		  struct ipectl_passphrase *pass, struct ipectl_blob *key,
		  struct ipectl_blob *pem, struct ipectl_blob *der, char *err,
		  size_t errlen);
X509 *ipectl_load_cert(const char *path, char *err, size_t errlen);
int ipectl_signed_by(const unsigned char *msg, size_t len,
		     const char *certfile);

/* Key identifiers of a policy's signers (ipectl_signer_key_ids()). */
#define IPECTL_MAX_KEY_IDS 8
#define IPECTL_MAX_KEY_ID_LEN 64
struct ipectl_key_ids {
	size_t n;
	char hex[IPECTL_MAX_KEY_IDS][2 * IPECTL_MAX_KEY_ID_LEN + 1];
};

int ipectl_signer_key_ids(const unsigned char *msg, size_t len,
			  struct ipectl_key_ids *ids);

#endif /* IPECTL_PKCS7_H */
