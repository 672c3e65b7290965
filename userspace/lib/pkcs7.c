// SPDX-License-Identifier: MIT
/*
 * pkcs7.c - policy signatures with OpenSSL: sign, verify, make a key.
 *
 * ipectl_sign() writes exactly what
 *   openssl smime -sign -noattr -nodetach -nosmimecap -binary -outform der
 * writes: SignedData with the content embedded, the signer's certificate,
 * no signed attributes, SHA-256.  ipectl_sign_appended() writes the text,
 * then the same signature made without -nodetach (content detached), then
 * the trailer and magic string (docs/policy-formats.md).  Nothing here
 * prints; errors come back as a return code and a message in the caller's
 * buffer.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pkcs7.h"

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	unsigned long e = ERR_peek_last_error();
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	n = (size_t)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (e && n < errlen)
		snprintf(err + n, errlen - n, " (%s)", ERR_reason_error_string(e));
	ERR_clear_error();
	return rc;
}

static EVP_PKEY *load_key(const char *path, char *err, size_t errlen)
{
	BIO *b = BIO_new_file(path, "r");
	EVP_PKEY *k = NULL;

	if (!b) {
		fail(err, errlen, 0, "cannot open key %s", path);
		return NULL;
	}
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	if (!k) {
		BIO_free(b);
		b = BIO_new_file(path, "rb");
		k = b ? d2i_PrivateKey_bio(b, NULL) : NULL;
	}
	BIO_free(b);
	if (!k)
		fail(err, errlen, 0, "%s is not a private key (PEM or DER)", path);
	return k;
}

/**
 * ipectl_load_cert() - read an X.509 certificate, PEM or DER.
 * @path: the file.
 * @err: message buffer.
 * @errlen: its size.
 *
 * Return: the certificate, or NULL with @err set.
 */
X509 *ipectl_load_cert(const char *path, char *err, size_t errlen)
{
	BIO *b = BIO_new_file(path, "r");
	X509 *c = NULL;

	if (!b) {
		fail(err, errlen, 0, "cannot open certificate %s", path);
		return NULL;
	}
	c = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!c) {
		BIO_free(b);
		b = BIO_new_file(path, "rb");
		c = b ? d2i_X509_bio(b, NULL) : NULL;
	}
	BIO_free(b);
	if (!c)
		fail(err, errlen, 0, "%s is not an X.509 certificate (PEM or DER)",
		     path);
	return c;
}

/* PKCS#7 SignedData of @data, with it inside or detached (@flags). */
static int sign(const unsigned char *data, size_t len, const char *keyfile,
		const char *certfile, int flags, unsigned char **out,
		size_t *outlen, char *err, size_t errlen)
{
	EVP_PKEY *key = load_key(keyfile, err, errlen);
	X509 *cert = key ? ipectl_load_cert(certfile, err, errlen) : NULL;
	BIO *in = NULL;
	PKCS7 *p7 = NULL;
	unsigned char *der = NULL;
	int n, rc = -EINVAL;

	if (!key || !cert)
		goto out;
	if (!X509_check_private_key(cert, key)) {
		rc = fail(err, errlen, -EINVAL, "%s does not belong to %s",
			  keyfile, certfile);
		goto out;
	}
	if (len > INT_MAX) {
		rc = fail(err, errlen, -EINVAL, "%zu bytes: too large to sign",
			  len);
		goto out;
	}
	in = BIO_new_mem_buf(data, (int)len);
	p7 = in ? PKCS7_sign(cert, key, NULL, in, flags) : NULL;
	if (!p7) {
		rc = fail(err, errlen, -EIO, "signing failed");
		goto out;
	}
	n = i2d_PKCS7(p7, &der);
	if (n <= 0) {
		rc = fail(err, errlen, -EIO, "encoding the signature failed");
		goto out;
	}
	*out = der;
	*outlen = (size_t)n;
	rc = 0;
out:
	PKCS7_free(p7);
	BIO_free(in);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/**
 * ipectl_sign() - sign policy text as a PKCS#7 message with the text inside.
 * @data: the policy bytes.
 * @len: number of bytes.
 * @keyfile: the signer's private key (PEM or DER).
 * @certfile: the signer's certificate (PEM or DER).
 * @out: a DER message, to be freed with OPENSSL_free().
 * @outlen: its length.
 * @err: message buffer for failures.
 * @errlen: its size.
 *
 * Return: 0; -ENOENT (a file cannot be read), -EINVAL (not a key or
 * certificate, or they do not match), -EIO (OpenSSL failed).
 */
int ipectl_sign(const unsigned char *data, size_t len, const char *keyfile,
		const char *certfile, unsigned char **out, size_t *outlen,
		char *err, size_t errlen)
{
	return sign(data, len, keyfile, certfile,
		    PKCS7_NOATTR | PKCS7_BINARY | PKCS7_NOSMIMECAP, out, outlen,
		    err, errlen);
}

/**
 * ipectl_sign_appended() - the policy text with a signature appended.
 * @data: the policy bytes.
 * @len: number of bytes.
 * @keyfile: the signer's private key (PEM or DER).
 * @certfile: the signer's certificate (PEM or DER).
 * @out: text, detached PKCS#7, trailer, magic; to be freed with free().
 * @outlen: its length.
 * @err: message buffer for failures.
 * @errlen: its size.
 *
 * The signature is what ipectl_sign() makes, with the content detached:
 *   openssl smime -sign -noattr -nosmimecap -binary -outform der
 *
 * Return: as ipectl_sign(), or -ENOMEM.
 */
int ipectl_sign_appended(const unsigned char *data, size_t len,
			 const char *keyfile, const char *certfile,
			 unsigned char **out, size_t *outlen, char *err,
			 size_t errlen)
{
	unsigned char *sig, *blob;
	size_t siglen, n;
	int rc;

	rc = sign(data, len, keyfile, certfile,
		  PKCS7_NOATTR | PKCS7_BINARY | PKCS7_NOSMIMECAP |
		  PKCS7_DETACHED, &sig, &siglen, err, errlen);
	if (rc)
		return rc;
	n = len + siglen + IPE_ENG_SIG_TAIL_LEN;
	blob = malloc(n);
	if (!blob) {
		OPENSSL_free(sig);
		return fail(err, errlen, -ENOMEM, "out of memory");
	}
	memcpy(blob, data, len);
	memcpy(blob + len, sig, siglen);
	/* i2d_PKCS7() gave an int: siglen fits the trailer's 32 bits */
	ipe_eng_appended_tail((u32)siglen, blob + len + siglen);
	OPENSSL_free(sig);
	*out = blob;
	*outlen = n;
	return 0;
}

static char *subject_of(X509 *c)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;
	long n;
	char *p;

	if (!b)
		return NULL;
	X509_NAME_print_ex(b, X509_get_subject_name(c), 0,
			   XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_get_mem_data(b, &p);
	if (n >= 0) {
		s = malloc((size_t)n + 1);
		if (s) {
			memcpy(s, p, (size_t)n);
			s[n] = '\0';
		}
	}
	BIO_free(b);
	return s;
}

/*
 * Verify @msg: with @data, a detached signature of it (@msg must not carry
 * content); without, a message with the content inside.
 */
static int verify(const unsigned char *msg, size_t len,
		  const unsigned char *data, size_t dlen, const char *certfile,
		  unsigned char **content, size_t *clen, char **signer,
		  char *err, size_t errlen)
{
	const unsigned char *p = msg;
	STACK_OF(X509) *signers = NULL;
	X509_STORE *store = NULL;
	X509 *cert = NULL;
	BIO *out = NULL, *in = NULL;
	PKCS7 *p7;
	int rc, flags = PKCS7_BINARY;
	char *bytes;
	long n;

	*content = NULL;
	*signer = NULL;
	if (len > LONG_MAX || dlen > INT_MAX)
		return fail(err, errlen, -EMSGSIZE, "too large");
	p7 = d2i_PKCS7(NULL, &p, (long)len);
	if (!p7 || p != msg + len || !PKCS7_type_is_signed(p7))
		return fail(err, errlen, -EBADMSG,
			    data ? "the appended signature is not a DER PKCS#7 signed message" :
				   "not a DER PKCS#7 signed message");
	if (!data && PKCS7_get_detached(p7)) {
		rc = fail(err, errlen, -EBADMSG,
			  "the policy is not inside the message (signed with -nodetach?)");
		goto out;
	}
	if (data && !PKCS7_get_detached(p7)) {
		/* the kernel: "PKCS#7 signature with non-detached data" */
		rc = fail(err, errlen, -EBADMSG,
			  "the appended signature carries a policy of its own (signed with -nodetach?)");
		goto out;
	}
	store = X509_STORE_new();
	in = data ? BIO_new_mem_buf(data, (int)dlen) : NULL;
	if (!store || (data && !in)) {
		rc = fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	if (certfile) {
		cert = ipectl_load_cert(certfile, err, errlen);
		if (!cert) {
			rc = -EINVAL;
			goto out;
		}
		X509_STORE_add_cert(store, cert);
		/* the kernel does not check purposes: neither do we */
		X509_STORE_set_purpose(store, X509_PURPOSE_ANY);
	} else {
		flags |= PKCS7_NOVERIFY;
	}
	out = BIO_new(BIO_s_mem());
	if (!out || PKCS7_verify(p7, NULL, store, in, out, flags) != 1) {
		rc = fail(err, errlen, -EKEYREJECTED,
			  certfile ? "the signature does not verify against %s" :
				     "the signature does not verify",
			  certfile);
		goto out;
	}
	n = BIO_get_mem_data(out, &bytes);
	*content = malloc(n > 0 ? (size_t)n : 1);
	if (!*content) {
		rc = fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	if (n > 0)
		memcpy(*content, bytes, (size_t)n);
	*clen = (size_t)(n > 0 ? n : 0);
	signers = PKCS7_get0_signers(p7, NULL, 0);
	if (signers && sk_X509_num(signers) > 0)
		*signer = subject_of(sk_X509_value(signers, 0));
	rc = 0;
out:
	sk_X509_free(signers);
	BIO_free(out);
	BIO_free(in);
	X509_free(cert);
	X509_STORE_free(store);
	PKCS7_free(p7);
	ERR_clear_error();
	return rc;
}

/**
 * ipectl_verify() - check a signed policy and recover its text.
 * @msg: the DER message.
 * @len: its length.
 * @certfile: trust only a chain to this certificate; NULL to check the
 *	signature against the certificate inside the message alone.
 * @content: a malloc'ed copy of the signed policy bytes.
 * @clen: its length.
 * @signer: a malloc'ed one-line subject of the signer, or NULL.
 * @err: message buffer for failures.
 * @errlen: its size.
 *
 * Return: 0; -EBADMSG (not a PKCS#7 SignedData with embedded content),
 * -EKEYREJECTED (the signature or the chain does not verify), -ENOENT,
 * -EINVAL (bad certificate file).
 */
int ipectl_verify(const unsigned char *msg, size_t len, const char *certfile,
		  unsigned char **content, size_t *clen, char **signer,
		  char *err, size_t errlen)
{
	return verify(msg, len, NULL, 0, certfile, content, clen, signer, err,
		      errlen);
}

/**
 * ipectl_verify_any() - ipectl_verify() for either signed format.
 * @msg: upstream's PKCS#7 message, or a text with an appended signature.
 * @len: its length.
 * @certfile: as ipectl_verify().
 * @content: as ipectl_verify().
 * @clen: as ipectl_verify().
 * @signer: as ipectl_verify().
 * @appended: set when @msg is in the appended-signature format.
 * @err: message buffer for failures.
 * @errlen: its size.
 *
 * The limits are the module's: 65535 bytes for a PKCS#7 message (the
 * detached signature included), 64 MiB for a whole appended-signature
 * policy.
 *
 * Return: as ipectl_verify(), and -EMSGSIZE (over a limit), -ENOPKG or
 * -EBADMSG (a malformed trailer, as ipectl_appended_split(), or an
 * appended signature with content of its own).
 */
int ipectl_verify_any(const unsigned char *msg, size_t len,
		      const char *certfile, unsigned char **content,
		      size_t *clen, char **signer, bool *appended, char *err,
		      size_t errlen)
{
	size_t tlen, slen;
	int rc;

	*content = NULL;
	*signer = NULL;
	rc = ipectl_appended_split(msg, len, &tlen, &slen);
	*appended = rc != -ENODATA;
	if (rc == -ENODATA) {
		if (len > IPECTL_MAX_PKCS7)
			return fail(err, errlen, -EMSGSIZE,
				    "%zu bytes: the kernel refuses PKCS#7 messages over %d bytes",
				    len, IPECTL_MAX_PKCS7);
		return verify(msg, len, NULL, 0, certfile, content, clen,
			      signer, err, errlen);
	}
	if (rc == -ENOPKG)
		return fail(err, errlen, rc,
			    "the appended signature's trailer does not say PKCS#7 (id_type %u)",
			    msg[len - IPE_ENG_SIG_TAIL_LEN +
				offsetof(struct ipe_eng_sig_trailer, id_type)]);
	if (rc)
		return fail(err, errlen, rc,
			    "the appended signature's trailer is malformed (bad field or signature length)");
	if (len > IPECTL_MAX_APPENDED)
		return fail(err, errlen, -EMSGSIZE,
			    "%zu bytes: the module refuses policies over %u bytes",
			    len, IPECTL_MAX_APPENDED);
	if (slen > IPECTL_MAX_PKCS7)
		return fail(err, errlen, -EMSGSIZE,
			    "the appended signature has %zu bytes: the kernel refuses PKCS#7 messages over %d bytes",
			    slen, IPECTL_MAX_PKCS7);
	/* a detached verify recovers nothing: the text is what was signed */
	rc = verify(msg + tlen, slen, msg, tlen, certfile, content, clen,
		    signer, err, errlen);
	return rc;
}

static int add_ext(X509 *c, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, c, c, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(c, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static EVP_PKEY *new_key(bool ecdsa)
{
	return ecdsa ? EVP_EC_gen("P-256") : EVP_RSA_gen(3072);
}

static int write_outputs(EVP_PKEY *key, X509 *c, const char *keyfile,
			 const char *pemfile, const char *derfile, char *err,
			 size_t errlen)
{
	BIO *b;
	int ok;

	b = BIO_new_file(keyfile, "w");
	ok = b && PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
	BIO_free(b);
	if (!ok)
		return fail(err, errlen, -EIO, "cannot write %s", keyfile);
	b = BIO_new_file(pemfile, "w");
	ok = b && PEM_write_bio_X509(b, c);
	BIO_free(b);
	if (!ok)
		return fail(err, errlen, -EIO, "cannot write %s", pemfile);
	b = BIO_new_file(derfile, "wb");
	ok = b && i2d_X509_bio(b, c);
	BIO_free(b);
	if (!ok)
		return fail(err, errlen, -EIO, "cannot write %s", derfile);
	return 0;
}

/**
 * ipectl_keygen() - a key and a self-signed certificate for policy signing.
 * @cn: the certificate's common name.
 * @ecdsa: ECDSA P-256 instead of RSA 3072.
 * @days: validity.
 * @keyfile: where the private key goes (PEM, mode 0600 by the caller's umask).
 * @pemfile: the certificate, PEM.
 * @derfile: the certificate, DER (for mokutil, the firmware db, the
 *	module's key directory).
 * @err: message buffer for failures.
 * @errlen: its size.
 *
 * The certificate is its own CA (basicConstraints CA:TRUE, keyCertSign) and
 * a code signer (digitalSignature, extendedKeyUsage codeSigning), which the
 * kernel's keyrings accept wherever it is enrolled.
 *
 * Return: 0 or -EIO.
 */
int ipectl_keygen(const char *cn, bool ecdsa, int days, const char *keyfile,
		  const char *pemfile, const char *derfile, char *err,
		  size_t errlen)
{
	EVP_PKEY *key = new_key(ecdsa);
	X509 *c = X509_new();
	X509_NAME *name;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	int rc = -EIO;

	if (!key || !c) {
		rc = fail(err, errlen, -EIO, "key generation failed");
		goto out;
	}
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto out_fail;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	name = X509_get_subject_name(c);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c)) ||
	    !X509_set_version(c, 2) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_issuer_name(c, name) ||
	    !X509_gmtime_adj(X509_getm_notBefore(c), 0) ||
	    !X509_gmtime_adj(X509_getm_notAfter(c), (long)days * 86400) ||
	    !X509_set_pubkey(c, key) ||
	    !add_ext(c, NID_basic_constraints, "critical,CA:TRUE") ||
	    !add_ext(c, NID_key_usage, "critical,digitalSignature,keyCertSign") ||
	    !add_ext(c, NID_ext_key_usage, "codeSigning") ||
	    !add_ext(c, NID_subject_key_identifier, "hash") ||
	    !add_ext(c, NID_authority_key_identifier, "keyid:always") ||
	    !X509_sign(c, key, EVP_sha256()))
		goto out_fail;
	rc = write_outputs(key, c, keyfile, pemfile, derfile, err, errlen);
	goto out;
out_fail:
	rc = fail(err, errlen, -EIO, "making the certificate failed");
out:
	BN_free(bn);
	X509_free(c);
	EVP_PKEY_free(key);
	return rc;
}
