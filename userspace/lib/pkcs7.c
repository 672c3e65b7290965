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
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/store.h>
#include <openssl/ui.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pkcs7.h"
#include "util.h"

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

/* OpenSSL's passphrase callback, on top of struct ipectl_passphrase. */
static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct ipectl_passphrase *p = u;
	int n;

	if (size <= 0)
		return -1;
	n = p->get(p->ctx, buf, (size_t)size, rwflag != 0);
	if (n < 0) {
		p->err = n;
		return -1;
	}
	return n;
}

static const char *pass_error(const struct ipectl_passphrase *p)
{
	return p->explain ? p->explain(p->err) : strerror(-p->err);
}

static bool pem_is_encrypted(const unsigned char *data, size_t len)
{
	static const char *const marks[] = {
		"-----BEGIN ENCRYPTED PRIVATE KEY-----",
		"Proc-Type: 4,ENCRYPTED",
	};
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		if (memmem(data, len, marks[i], strlen(marks[i])))
			return true;
	}
	return false;
}

/*
 * A key on a PKCS#11 token (smart card, HSM, SoftHSM), reached through
 * OpenSSL's pkcs11 provider (Debian: pkcs11-provider, in bookworm-backports)
 * and p11-kit's proxy module (or PKCS11_PROVIDER_MODULE).  The provider
 * lives in a library context of its own: loaded into the default one, a
 * token that uses OpenSSL itself (SoftHSM) would find its own digests
 * served by the token again, and hang.
 */
struct p11 {
	OSSL_LIB_CTX *lib;
	OSSL_PROVIDER *prov, *dflt;
	UI_METHOD *ui;
	struct ipectl_passphrase *pass;
	bool asked;		/* the token asked for its PIN */
};

static int p11_pin_cb(char *buf, int size, int rwflag, void *u)
{
	struct p11 *p = u;

	p->asked = true;
	return pass_cb(buf, size, rwflag, p->pass);
}

static void p11_release(struct p11 *p)
{
	UI_destroy_method(p->ui);
	if (p->prov)
		OSSL_PROVIDER_unload(p->prov);
	if (p->dflt)
		OSSL_PROVIDER_unload(p->dflt);
	OSSL_LIB_CTX_free(p->lib);
	memset(p, 0, sizeof(*p));
}

static bool is_pkcs11_uri(const char *key)
{
	return !strncmp(key, "pkcs11:", 7);
}

/*
 * The private key named by the PKCS#11 URI @s->key (RFC 7512); the token's
 * PIN, when it asks, from @s->pass (or pin-value/pin-source in the URI).
 * On success @p holds what the key needs until it is freed.
 */
static EVP_PKEY *load_pkcs11_key(const struct ipectl_signer *s, struct p11 *p,
				 int *rc, char *err, size_t errlen)
{
	struct ipectl_passphrase *pass = s->pass;
	OSSL_STORE_CTX *st = NULL;
	EVP_PKEY *k = NULL;

	p->lib = OSSL_LIB_CTX_new();
	p->prov = p->lib ? OSSL_PROVIDER_load(p->lib, "pkcs11") : NULL;
	if (!p->prov) {
		*rc = fail(err, errlen, -ENOPKG,
			   "%s: OpenSSL's pkcs11 provider cannot be loaded (Debian: apt install -t bookworm-backports pkcs11-provider)",
			   s->key);
		goto out;
	}
	p->dflt = OSSL_PROVIDER_load(p->lib, "default");
	if (pass) {
		pass->err = 0;
		p->pass = pass;
		p->ui = UI_UTIL_wrap_read_pem_callback(p11_pin_cb, 0);
	}
	st = p->dflt ? OSSL_STORE_open_ex(s->key, p->lib, "?provider=pkcs11",
					  p->ui, p, NULL, NULL, NULL) : NULL;
	if (!st) {
		*rc = fail(err, errlen, -ENOENT, "%s: no such PKCS#11 object or token",
			   s->key);
		goto out;
	}
	OSSL_STORE_expect(st, OSSL_STORE_INFO_PKEY);
	while (!k && !OSSL_STORE_eof(st)) {
		OSSL_STORE_INFO *i = OSSL_STORE_load(st);

		if (!i)
			break;
		if (OSSL_STORE_INFO_get_type(i) == OSSL_STORE_INFO_PKEY)
			k = OSSL_STORE_INFO_get1_PKEY(i);
		OSSL_STORE_INFO_free(i);
	}
	if (k)
		goto out;
	if (pass && pass->err)
		*rc = fail(err, errlen, -ENOKEY,
			   "%s: the token's PIN could not be read: %s", s->key,
			   pass_error(pass));
	else if (p->asked)
		*rc = fail(err, errlen, -EKEYREJECTED,
			   "%s: wrong PIN, or no such private key on the token ('p11tool --list-all-privkeys --login URI' lists them)",
			   s->key);
	else
		*rc = fail(err, errlen, -ENOENT,
			   "%s: no such private key, and the token asked for no PIN ('p11tool --list-all-privkeys --login URI' lists them)",
			   s->key);
out:
	OSSL_STORE_close(st);
	if (!k)
		p11_release(p);
	return k;
}

/*
 * Read a private key, PEM (possibly encrypted) or DER.  Return it, or NULL
 * with *@rc: -ENOENT (unreadable), -EINVAL (not a key), -ENOKEY (encrypted
 * and no passphrase can be had), -EKEYREJECTED (wrong passphrase).
 */
static EVP_PKEY *load_key(const struct ipectl_signer *s, int *rc, char *err,
			  size_t errlen)
{
	struct ipectl_passphrase *pass = s->pass;
	unsigned char *data = NULL;
	EVP_PKEY *k = NULL;
	size_t len = 0;
	BIO *b;
	int r;

	r = ipectl_read_file(s->key, 1u << 20, &data, &len);
	if (r) {
		*rc = fail(err, errlen, -ENOENT, "cannot read key %s: %s",
			   s->key, strerror(-r));
		return NULL;
	}
	b = len <= INT_MAX ? BIO_new_mem_buf(data, (int)len) : NULL;
	if (b && pem_is_encrypted(data, len)) {
		if (!pass) {
			*rc = fail(err, errlen, -ENOKEY,
				   "%s is encrypted: give its passphrase (--passphrase-fd, --passphrase-env, or a terminal)",
				   s->key);
			goto out;
		}
		pass->err = 0;
		k = PEM_read_bio_PrivateKey(b, NULL, pass_cb, pass);
		if (k)
			goto out;
		if (pass->err)
			*rc = fail(err, errlen, -ENOKEY,
				   "%s is encrypted and its passphrase could not be read: %s",
				   s->key, pass_error(pass));
		else
			*rc = fail(err, errlen, -EKEYREJECTED,
				   "wrong passphrase for %s", s->key);
		ERR_clear_error();
		goto out;
	}
	if (b)
		k = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)"");
	if (!k && b) {
		BIO_free(b);
		b = BIO_new_mem_buf(data, (int)len);
		k = b ? d2i_PrivateKey_bio(b, NULL) : NULL;
	}
	if (!k)
		*rc = fail(err, errlen, -EINVAL,
			   "%s is not a private key (PEM or DER)", s->key);
out:
	BIO_free(b);
	OPENSSL_cleanse(data, len);
	free(data);
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

/*
 * Every certificate of @path into @store: a PEM bundle, or one DER
 * certificate.  Return how many, or 0 with @err set.
 */
static int load_anchors(X509_STORE *store, const char *path, char *err,
			size_t errlen)
{
	BIO *b = BIO_new_file(path, "r");
	X509 *c;
	int n = 0;

	if (!b) {
		fail(err, errlen, 0, "cannot open certificate %s", path);
		return 0;
	}
	while ((c = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_cert(store, c) == 1)
			n++;
		X509_free(c);
	}
	ERR_clear_error();
	BIO_free(b);
	if (!n) {
		c = ipectl_load_cert(path, err, errlen);
		if (c && X509_STORE_add_cert(store, c) == 1)
			n = 1;
		X509_free(c);
	}
	return n;
}

/* PKCS#7 SignedData of @data, with it inside or detached (@flags). */
static int sign(const unsigned char *data, size_t len,
		const struct ipectl_signer *s, int flags, unsigned char **out,
		size_t *outlen, char *err, size_t errlen)
{
	int n, rc = -EINVAL;
	struct p11 p11 = { 0 };
	EVP_PKEY *key = is_pkcs11_uri(s->key) ?
		load_pkcs11_key(s, &p11, &rc, err, errlen) :
		load_key(s, &rc, err, errlen);
	X509 *cert = key ? ipectl_load_cert(s->cert, err, errlen) : NULL;
	BIO *in = NULL;
	PKCS7 *p7 = NULL;
	unsigned char *der = NULL;

	if (!key || !cert)
		goto out;
	if (!X509_check_private_key(cert, key)) {
		rc = fail(err, errlen, -EINVAL, "%s does not belong to %s",
			  s->key, s->cert);
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
	p11_release(&p11);
	return rc;
}

/**
 * ipectl_sign() - sign policy text as a PKCS#7 message with the text inside.
 * @data: the policy bytes.
 * @len: number of bytes.
 * @s: the signer's key, certificate and passphrase source.
 * @out: a DER message, to be freed with OPENSSL_free().
 * @outlen: its length.
 * @err: message buffer for failures.
 * @errlen: its size.
 *
 * Return: 0; -ENOENT (a file cannot be read), -EINVAL (not a key or
 * certificate, or they do not match), -ENOKEY (an encrypted key and no
 * passphrase), -EKEYREJECTED (a wrong passphrase), -EIO (OpenSSL failed).
 */
int ipectl_sign(const unsigned char *data, size_t len,
		const struct ipectl_signer *s, unsigned char **out,
		size_t *outlen, char *err, size_t errlen)
{
	return sign(data, len, s,
		    PKCS7_NOATTR | PKCS7_BINARY | PKCS7_NOSMIMECAP, out, outlen,
		    err, errlen);
}

/**
 * ipectl_sign_appended() - the policy text with a signature appended.
 * @data: the policy bytes.
 * @len: number of bytes.
 * @s: the signer's key, certificate and passphrase source.
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
			 const struct ipectl_signer *s, unsigned char **out,
			 size_t *outlen, char *err, size_t errlen)
{
	unsigned char *sig, *blob;
	size_t siglen, n;
	int rc;

	rc = sign(data, len, s,
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

/*
 * @s with every character a terminal could act on escaped as \xHH: C0
 * controls, DEL, C1 controls (U+0080-U+009F, which UTF-8 terminals take as
 * control sequences) and bytes that are not valid UTF-8.  Malloc'ed.
 */
static char *escape_controls(const char *s, size_t n)
{
	char *out = malloc(n * 8 + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t len, i;

	if (!out)
		return NULL;
	while (p < end) {
		unsigned int c = *p;

		if (c >= 0x20 && c < 0x7f) {
			*o++ = (char)c;
			p++;
			continue;
		}
		len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
		if (len && c < 0xf5 && (size_t)(end - p) >= len) {
			for (i = 1; i < len && (p[i] & 0xc0) == 0x80; i++)
				;
			/* a whole sequence, and not a C1 control (C2 80..9F) */
			if (i == len && !(c == 0xc2 && p[1] < 0xa0) &&
			    !(c == 0xe0 && p[1] < 0xa0) && !(c == 0xf0 && p[1] < 0x90) &&
			    !(c == 0xed && p[1] >= 0xa0) && !(c == 0xf4 && p[1] >= 0x90)) {
				memcpy(o, p, len);
				o += len;
				p += len;
				continue;
			}
		}
		o += sprintf(o, "\\x%02X", c);
		p++;
	}
	*o = '\0';
	return out;
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
	if (n >= 0)
		s = escape_controls(p, (size_t)n);
	BIO_free(b);
	return s;
}

/*
 * @msg as the kernel reads a signed policy: one DER PKCS#7 SignedData
 * whose content is of type id-data, inside the message or, with
 * @detached, outside it.  Return: the message, or NULL with *@rc and @err
 * saying why.
 */
static PKCS7 *parse_signed(const unsigned char *msg, size_t len,
			   bool detached, int *rc, char *err, size_t errlen)
{
	const unsigned char *p = msg;
	PKCS7 *p7;

	p7 = d2i_PKCS7(NULL, &p, (long)len);
	if (!p7 || p != msg + len || !PKCS7_type_is_signed(p7)) {
		*rc = fail(err, errlen, -EBADMSG,
			   detached ? "the appended signature is not a DER PKCS#7 signed message" :
				      "not a DER PKCS#7 signed message");
		PKCS7_free(p7);
		return NULL;
	}
	if (!detached && PKCS7_get_detached(p7))
		*rc = fail(err, errlen, -EBADMSG,
			   "the policy is not inside the message (signed with -nodetach?)");
	/* the kernel: "PKCS#7 signature with non-detached data" */
	else if (detached && !PKCS7_get_detached(p7))
		*rc = fail(err, errlen, -EBADMSG,
			   "the appended signature carries a policy of its own (signed with -nodetach?)");
	/*
	 * The kernel takes only id-data content (VERIFYING_UNSPECIFIED_
	 * SIGNATURE), inside or detached.
	 */
	else if (!PKCS7_type_is_data(p7->d.sign->contents))
		*rc = fail(err, errlen, -EBADMSG,
			   "the signed content is not of type id-data: the kernel refuses it");
	else
		return p7;
	PKCS7_free(p7);
	return NULL;
}

/*
 * Trust what the kernel's PKCS#7 code would: any certificate of @certfile
 * is an anchor, the signer's own included (a leaf, not a CA); neither
 * validity dates nor purposes are checked.  Return: 0 or -EINVAL.
 */
static int trust_anchors(X509_STORE *store, const char *certfile, char *err,
			 size_t errlen)
{
	if (!load_anchors(store, certfile, err, errlen))
		return -EINVAL;
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN |
				    X509_V_FLAG_NO_CHECK_TIME);
	X509_STORE_set_purpose(store, X509_PURPOSE_ANY);
	return 0;
}

/* What PKCS7_verify() wrote to @out, into a malloc'ed *@content. */
static int take_content(BIO *out, unsigned char **content, size_t *clen,
			char *err, size_t errlen)
{
	char *bytes;
	long n = BIO_get_mem_data(out, &bytes);

	*content = malloc(n > 0 ? (size_t)n : 1);
	if (!*content)
		return fail(err, errlen, -ENOMEM, "out of memory");
	if (n > 0)
		memcpy(*content, bytes, (size_t)n);
	*clen = (size_t)(n > 0 ? n : 0);
	return 0;
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
	STACK_OF(X509) *signers = NULL;
	X509_STORE *store = NULL;
	BIO *out = NULL, *in = NULL;
	int rc, flags = PKCS7_BINARY;
	PKCS7 *p7;

	*content = NULL;
	*signer = NULL;
	if (len > LONG_MAX || dlen > INT_MAX)
		return fail(err, errlen, -EMSGSIZE, "too large");
	p7 = parse_signed(msg, len, data != NULL, &rc, err, errlen);
	if (!p7)
		return rc;
	store = X509_STORE_new();
	in = data ? BIO_new_mem_buf(data, (int)dlen) : NULL;
	out = BIO_new(BIO_s_mem());
	if (!store || (data && !in) || !out) {
		rc = fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	if (certfile) {
		rc = trust_anchors(store, certfile, err, errlen);
		if (rc)
			goto out;
	} else {
		flags |= PKCS7_NOVERIFY;
	}
	if (PKCS7_verify(p7, NULL, store, in, out, flags) != 1) {
		rc = fail(err, errlen, -EKEYREJECTED,
			  certfile ? "the signature does not verify against %s" :
				     "the signature does not verify",
			  certfile);
		goto out;
	}
	rc = take_content(out, content, clen, err, errlen);
	if (rc)
		goto out;
	signers = PKCS7_get0_signers(p7, NULL, 0);
	if (signers && sk_X509_num(signers) > 0)
		*signer = subject_of(sk_X509_value(signers, 0));
out:
	sk_X509_free(signers);
	BIO_free(out);
	BIO_free(in);
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
 * -EBADMSG (a malformed trailer, as ipe_eng_appended_split(), or an
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
	/* as the module tells the forms apart: ipe_eng_policy_form() */
	rc = ipe_eng_policy_form(msg, len, &tlen, &slen);
	*appended = rc != IPE_ENG_FORM_TEXT && rc != IPE_ENG_FORM_PKCS7;
	if (!*appended) {
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
	if (rc < 0)
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

/* Move what @b holds into @out (NUL-terminated, wiped when freed). */
static int take_bio(BIO *b, struct ipectl_blob *out)
{
	char *p;
	long n = BIO_get_mem_data(b, &p);

	if (n <= 0)
		return -EIO;
	out->data = malloc((size_t)n + 1);
	if (!out->data)
		return -ENOMEM;
	memcpy(out->data, p, (size_t)n);
	out->data[n] = '\0';
	out->len = (size_t)n;
	return 0;
}

/**
 * ipectl_blob_free() - wipe and free a buffer.
 * @b: the buffer; may be empty.
 */
void ipectl_blob_free(struct ipectl_blob *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->len);
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

static int encode_outputs(EVP_PKEY *key, X509 *c,
			  struct ipectl_passphrase *pass,
			  struct ipectl_blob *keyout, struct ipectl_blob *pem,
			  struct ipectl_blob *der, char *err, size_t errlen)
{
	BIO *bk = BIO_new(BIO_s_mem()), *bp = BIO_new(BIO_s_mem());
	BIO *bd = BIO_new(BIO_s_mem());
	int ok, rc = -EIO;

	if (!bk || !bp || !bd)
		goto out;
	if (pass) {
		pass->err = 0;
		ok = PEM_write_bio_PKCS8PrivateKey(bk, key, EVP_aes_256_cbc(),
						   NULL, 0, pass_cb, pass);
		if (!ok && pass->err) {
			rc = fail(err, errlen, -ENOKEY, "no passphrase: %s",
				  pass_error(pass));
			goto out;
		}
	} else {
		ok = PEM_write_bio_PrivateKey(bk, key, NULL, NULL, 0, NULL,
					      NULL);
	}
	if (!ok || !PEM_write_bio_X509(bp, c) || !i2d_X509_bio(bd, c) ||
	    take_bio(bk, keyout) || take_bio(bp, pem) || take_bio(bd, der)) {
		rc = fail(err, errlen, -EIO, "encoding the key or certificate failed");
		goto out;
	}
	rc = 0;
out:
	if (rc) {
		ipectl_blob_free(keyout);
		ipectl_blob_free(pem);
		ipectl_blob_free(der);
	}
	BIO_free_all(bk);
	BIO_free(bp);
	BIO_free(bd);
	return rc;
}

/**
 * ipectl_keygen() - a policy-signing key and its self-signed certificate.
 * @cn: the certificate's common name.
 * @ecdsa: ECDSA P-256 instead of RSA 3072.
 * @days: validity.
 * @pass: encrypt the key with this passphrase (asked with confirmation);
 *	NULL: not encrypted.
 * @key: the private key, PEM (PKCS#8, AES-256 when encrypted).
 * @pem: the certificate, PEM.
 * @der: the certificate, DER (the module's key directory, a firmware db).
 * @err: message buffer for failures.
 * @errlen: its size.
 *
 * The certificate is a leaf for signing code (basicConstraints CA:FALSE,
 * keyUsage digitalSignature, extendedKeyUsage codeSigning): it cannot
 * vouch for other keys, and is not meant to be enrolled as a kernel
 * module signer.  Nothing is written: the caller decides where (and
 * ipectl_blob_free() wipes the key).
 *
 * Return: 0, -ENOKEY (no passphrase), -EIO or -ENOMEM.
 */
int ipectl_keygen(const char *cn, bool ecdsa, int days,
		  struct ipectl_passphrase *pass, struct ipectl_blob *key_out,
		  struct ipectl_blob *pem, struct ipectl_blob *der, char *err,
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
	    !add_ext(c, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(c, NID_key_usage, "critical,digitalSignature") ||
	    !add_ext(c, NID_ext_key_usage, "codeSigning") ||
	    !add_ext(c, NID_subject_key_identifier, "hash") ||
	    !add_ext(c, NID_authority_key_identifier, "keyid:always") ||
	    !X509_sign(c, key, EVP_sha256()))
		goto out_fail;
	rc = encode_outputs(key, c, pass, key_out, pem, der, err, errlen);
	goto out;
out_fail:
	rc = fail(err, errlen, -EIO, "making the certificate failed");
out:
	BN_free(bn);
	X509_free(c);
	EVP_PKEY_free(key);
	return rc;
}

/*
 * The signers of a signed policy in either format, as OpenSSL finds them
 * among the certificates the message carries.  Nothing is verified.
 * Return: the signers (free with sk_X509_free(), then PKCS7_free(*p7)),
 * or NULL when @msg is not signed data with its signer's certificate.
 */
static STACK_OF(X509) *signers_of(const unsigned char *msg, size_t len,
				  PKCS7 **p7)
{
	const unsigned char *p = msg;
	size_t tlen, slen;

	if (ipe_eng_policy_form(msg, len, &tlen, &slen) ==
	    IPE_ENG_FORM_APPENDED) {
		p = msg + tlen;
		len = slen;
	}
	*p7 = len <= LONG_MAX ? d2i_PKCS7(NULL, &p, (long)len) : NULL;
	if (!*p7 || !PKCS7_type_is_signed(*p7))
		return NULL;
	return PKCS7_get0_signers(*p7, NULL, 0);
}

/**
 * ipectl_signed_by() - whether a signed policy's signer has the key of a
 *	given certificate.
 * @msg: the signed policy, either format.
 * @len: its length.
 * @certfile: the certificate (PEM or DER).
 *
 * Nothing is verified here: this only names the signer (ipectl deploy's
 * warning about DKMS's Machine Owner Key).
 *
 * Return: 1 (yes), 0 (no), or -errno (unreadable certificate, not a
 * signed policy).
 */
int ipectl_signed_by(const unsigned char *msg, size_t len,
		     const char *certfile)
{
	STACK_OF(X509) *signers = NULL;
	char err[256];
	PKCS7 *p7 = NULL;
	X509 *cert;
	int i, rc = 0;

	cert = ipectl_load_cert(certfile, err, sizeof(err));
	if (!cert)
		return -ENOENT;
	signers = signers_of(msg, len, &p7);
	if (!signers) {
		rc = -EBADMSG;
		goto out;
	}
	for (i = 0; i < sk_X509_num(signers); i++) {
		if (EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(signers, i)),
				X509_get0_pubkey(cert)) == 1)
			rc = 1;
	}
out:
	sk_X509_free(signers);
	PKCS7_free(p7);
	X509_free(cert);
	ERR_clear_error();
	return rc;
}

static void add_id(struct ipectl_key_ids *ids, const ASN1_OCTET_STRING *id)
{
	const unsigned char *d;
	int i, n;
	char *h;

	if (!id || ids->n >= IPECTL_MAX_KEY_IDS)
		return;
	d = ASN1_STRING_get0_data(id);
	n = ASN1_STRING_length(id);
	if (n <= 0 || n > IPECTL_MAX_KEY_ID_LEN)
		return;
	h = ids->hex[ids->n++];
	for (i = 0; i < n; i++)
		snprintf(h + 2 * i, 3, "%02x", d[i]);
}

/**
 * ipectl_signer_key_ids() - the key identifiers a kernel keyring would know
 *	a policy's signer by.
 * @msg: the signed policy, either format.
 * @len: its length.
 * @ids: filled in: the subject key identifier of each signer's certificate
 *	(the signer's own key) and the key identifier of its authority key
 *	identifier (the key that issued it), in lower-case hex, as the
 *	kernel's X.509 key descriptions print them.
 *
 * Nothing is verified here: the caller says where such a key is, the
 * kernel decides.
 *
 * Return: 0, or -EBADMSG when @msg does not carry its signer's
 * certificate.
 */
int ipectl_signer_key_ids(const unsigned char *msg, size_t len,
			  struct ipectl_key_ids *ids)
{
	STACK_OF(X509) *signers;
	PKCS7 *p7 = NULL;
	int i;

	memset(ids, 0, sizeof(*ids));
	signers = signers_of(msg, len, &p7);
	if (!signers) {
		PKCS7_free(p7);
		ERR_clear_error();
		return -EBADMSG;
	}
	for (i = 0; i < sk_X509_num(signers); i++) {
		X509 *c = sk_X509_value(signers, i);

		add_id(ids, X509_get0_subject_key_id(c));
		add_id(ids, X509_get0_authority_key_id(c));
	}
	sk_X509_free(signers);
	PKCS7_free(p7);
	ERR_clear_error();
	return 0;
}
