/* SPDX-License-Identifier: MIT */
/*
 * pkcs7.h - policy signatures (OpenSSL).
 */
#ifndef IPECTL_PKCS7_H
#define IPECTL_PKCS7_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/x509.h>

/* The kernel's ASN.1 decoder refuses larger messages (EMSGSIZE). */
#define IPECTL_MAX_PKCS7 65535

int ipectl_sign(const unsigned char *data, size_t len, const char *keyfile,
		const char *certfile, unsigned char **out, size_t *outlen,
		char *err, size_t errlen);
int ipectl_verify(const unsigned char *msg, size_t len, const char *certfile,
		  unsigned char **content, size_t *clen, char **signer,
		  char *err, size_t errlen);
int ipectl_keygen(const char *cn, bool ecdsa, int days, const char *keyfile,
		  const char *pemfile, const char *derfile, char *err,
		  size_t errlen);
X509 *ipectl_load_cert(const char *path, char *err, size_t errlen);

#endif /* IPECTL_PKCS7_H */
