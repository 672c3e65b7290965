// SPDX-License-Identifier: MIT
/*
 * cmd_sign.c - `ipectl sign` and `ipectl verify`, in both signed formats:
 * upstream's PKCS#7 with the text inside, and ipe_lkm's text with an
 * appended signature (--appended; docs/policy-formats.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipe_engine.h"
#include "ipectl.h"
#include "keyrings.h"
#include "pkcs7.h"

/**
 * ipectl_write_file() - write a whole file, atomically (ipectl_write_at()).
 * @path: destination; "-" is standard output.
 * @data: bytes.
 * @len: number of bytes.
 * @force: replace an existing file.
 *
 * Return: 0, -EEXIST, or -errno.
 */
int ipectl_write_file(const char *path, const unsigned char *data, size_t len,
		      bool force)
{
	char *copy, *slash;
	const char *dir = ".", *name = path;
	int dfd, rc;

	if (!strcmp(path, "-"))
		return fwrite(data, 1, len, stdout) == len ? 0 : -EIO;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	slash = strrchr(copy, '/');
	if (slash) {
		*slash = '\0';
		dir = slash == copy ? "/" : copy;
		name = slash + 1;
	}
	dfd = *name ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd < 0) {
		rc = *name ? -errno : -EISDIR;
	} else {
		rc = ipectl_write_at(dfd, name, data, len, 0644, force);
		close(dfd);
	}
	free(copy);
	return rc;
}

static const char *env_or_null(const char *var)
{
	const char *v = getenv(var);

	return v && *v ? v : NULL;
}

/**
 * ipectl_signer_ready() - check a signer before it is used; prints why not.
 * @key: the private key file, or NULL when none was given.
 * @cert: the certificate file, or NULL.
 *
 * There is no default key: it belongs on a signing machine, not in a
 * well-known place on the machines that enforce.  A key that others can
 * read is used, with a warning.
 *
 * Return: 0, or IPECTL_EXIT_INPUT.
 */
int ipectl_signer_ready(const char *key, const char *cert)
{
	struct stat st;

	if (!key || !cert) {
		ipectl_error("no signing key: give -k KEY -c CERT (or set IPECTL_KEY and IPECTL_CERT)");
		return IPECTL_EXIT_INPUT;
	}
	if (!stat(key, &st) && S_ISREG(st.st_mode) && (st.st_mode & 077))
		ipectl_warn("%s can be read by others (mode %04o): chmod 600 it, and consider it known to them",
			    key, (unsigned int)(st.st_mode & 07777));
	return 0;
}

/**
 * ipectl_pass_option() - handle --passphrase-fd/--passphrase-env.
 * @p: the passphrase source.
 * @opt: 'P' (fd) or 'V' (environment variable).
 * @arg: the option's argument.
 *
 * Return: 0, or IPECTL_EXIT_INPUT after printing why.
 */
int ipectl_pass_option(struct ipectl_pass *p, int opt, const char *arg)
{
	if (opt == 'V') {
		p->env = arg;
		return 0;
	}
	if (ipectl_pass_set_fd(p, arg)) {
		ipectl_error("--passphrase-fd %s: not an open file descriptor", arg);
		return IPECTL_EXIT_INPUT;
	}
	return 0;
}

/* OUT for POLICY: .pol replaced by .p7s (.sig when appended), or added. */
static char *default_out(const char *policy, bool appended)
{
	size_t n = strlen(policy);
	char *out = malloc(n + 5);

	if (!out)
		return NULL;
	memcpy(out, policy, n + 1);
	if (n > 4 && !strcmp(out + n - 4, ".pol"))
		out[n - 4] = '\0';
	strcat(out, appended ? ".sig" : ".p7s");
	return out;
}

/* Sign @data in the chosen format; prints its errors. */
static int sign_as(bool appended, const unsigned char *data, size_t len,
		   const struct ipectl_signer *s, unsigned char **blob,
		   size_t *bloblen)
{
	char err[512];
	int rc;

	if (appended)
		rc = ipectl_sign_appended(data, len, s, blob, bloblen, err,
					  sizeof(err));
	else
		rc = ipectl_sign(data, len, s, blob, bloblen, err, sizeof(err));
	if (rc) {
		ipectl_error("%s", err);
		return rc == -EIO || rc == -ENOMEM || rc == -ENOPKG ? IPECTL_EXIT_SYSTEM :
						     IPECTL_EXIT_INPUT;
	}
	if (!appended && *bloblen > IPECTL_MAX_PKCS7) {
		ipectl_error("the signed policy has %zu bytes; the kernel refuses more than %d (EMSGSIZE): use --appended (ipe_lkm only), split the policy or use fewer digest rules",
			     *bloblen, IPECTL_MAX_PKCS7);
		return IPECTL_EXIT_INPUT;
	}
	if (appended && *bloblen > IPECTL_MAX_APPENDED) {
		ipectl_error("the signed policy has %zu bytes; ipe_lkm refuses more than %u (EMSGSIZE)",
			     *bloblen, IPECTL_MAX_APPENDED);
		return IPECTL_EXIT_INPUT;
	}
	return IPECTL_EXIT_OK;
}

/* Free what sign_as() made. */
static void sign_free(bool appended, unsigned char *blob)
{
	if (appended)
		free(blob);
	else
		OPENSSL_free(blob);
}

int cmd_sign(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "appended", no_argument, NULL, 'a' },
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ "passphrase-env", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = env_or_null("IPECTL_KEY");
	const char *cert = env_or_null("IPECTL_CERT");
	struct ipectl_signer signer;
	struct ipectl_pass pass;
	const char *out = NULL;
	unsigned char *data = NULL, *der = NULL;
	char *out_alloc = NULL;
	size_t len, derlen;
	bool force = false, appended = false;
	int c, rc, status;

	ipectl_pass_init(&pass, NULL);
	while ((c = getopt_long(argc, argv, "k:c:o:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'c': cert = optarg; break;
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 'a': appended = true; break;
		case 'P':
		case 'V':
			if (ipectl_pass_option(&pass, c, optarg))
				return IPECTL_EXIT_INPUT;
			break;
		case 'h': ipectl_usage(cmd, stdout); return IPECTL_EXIT_OK;
		default: ipectl_usage(cmd, stderr); return IPECTL_EXIT_INPUT;
		}
	}
	if (optind != argc - 1) {
		ipectl_error("sign: give exactly one policy file");
		ipectl_usage(cmd, stderr);
		return IPECTL_EXIT_INPUT;
	}
	if (ipectl_signer_ready(key, cert))
		return IPECTL_EXIT_INPUT;
	pass.what = key;
	signer = (struct ipectl_signer){ key, cert, &pass.src };
	rc = ipectl_read_file(argv[optind], IPECTL_MAX_FILE, &data, &len);
	if (rc) {
		ipectl_error("%s: cannot read: %s", argv[optind], strerror(-rc));
		return IPECTL_EXIT_INPUT;
	}
	status = ipectl_check_buffer(argv[optind], data, len, false, true);
	if (status) {
		ipectl_error("%s is not a valid policy: not signed", argv[optind]);
		goto out;
	}
	status = sign_as(appended, data, len, &signer, &der, &derlen);
	ipectl_pass_free(&pass);
	if (status)
		goto out;
	if (!out)
		out = out_alloc = default_out(argv[optind], appended);
	rc = out ? ipectl_write_file(out, der, derlen, force) : -ENOMEM;
	if (rc) {
		ipectl_error("cannot write %s: %s%s", out ? out : "output",
			     strerror(-rc),
			     rc == -EEXIST ? " (--force replaces it)" : "");
		status = rc == -EEXIST ? IPECTL_EXIT_INPUT : IPECTL_EXIT_SYSTEM;
		goto out;
	}
	if (strcmp(out, "-"))
		fprintf(stderr, "ipectl: signed %s -> %s (%zu bytes%s); deploy it with 'ipectl deploy %s'\n",
			argv[optind], out, derlen,
			appended ? ", appended signature" : "", out);
	status = IPECTL_EXIT_OK;
out:
	sign_free(appended, der);
	free(out_alloc);
	free(data);
	return status;
}

static void print_policy_json(const unsigned char *text, size_t len)
{
	struct ipe_eng_policy *p;
	struct ipe_eng_error e;

	if (ipe_eng_parse((const char *)text, len, 0, NULL, NULL, &p, &e)) {
		printf(",\"policy\":null,\"policy_errno\":\"%s\"",
		       ipectl_errno_name(e.err));
		return;
	}
	fputs(",\"policy\":{\"name\":", stdout);
	ipectl_json_str(stdout, p->name, strlen(p->name));
	printf(",\"version\":\"%u.%u.%u\"}", p->version[0], p->version[1],
	       p->version[2]);
	ipe_eng_policy_free(p);
}

/*
 * --keyrings: is the signer's key, or its issuer's, in the kernel's
 * keyrings the built-in IPE trusts?  @ring gets the keyring's name.
 * Return: the exit status (OK, UNVERIFIED, or SYSTEM when the keyrings
 * cannot be read).
 */
static int kernel_trust(const char *file, const unsigned char *msg,
			size_t len, bool appended, char *ring, size_t size)
{
	struct ipectl_key_ids ids;
	int rc;

	ring[0] = '\0';
	if (appended)
		return IPECTL_EXIT_UNVERIFIED;	/* the built-in IPE: EBADMSG */
	if (ipectl_signer_key_ids(msg, len, &ids) || !ids.n)
		return IPECTL_EXIT_UNVERIFIED;
	rc = ipectl_kernel_keyring_of(&ids, ring, size);
	if (rc < 0 && rc != -ENOENT) {
		ipectl_error("%s: cannot read the kernel's keyrings: %s", file,
			     strerror(-rc));
		return IPECTL_EXIT_SYSTEM;
	}
	return rc == 1 ? IPECTL_EXIT_OK : IPECTL_EXIT_UNVERIFIED;
}

static void print_keyrings(const char *file, const char *signer,
			   bool appended, const char *ring)
{
	if (appended)
		printf("%s: NOT FOR THE KERNEL'S IPE: an appended signature (by %s), which only ipe_lkm takes; the kernel's built-in IPE refuses it (EBADMSG)\n",
		       file, signer ? signer : "?");
	else if (ring[0])
		printf("%s: OK: signed by %s, whose key or issuer is in the kernel's %s keyring: the kernel's built-in IPE trusts it\n",
		       file, signer ? signer : "?", ring);
	else
		printf("%s: NOT IN THE KERNEL'S KEYRINGS: signed by %s, whose key and issuer are in none of .secondary_trusted_keys (with .builtin_trusted_keys and .machine) and .platform: the kernel's built-in IPE refuses it (ENOKEY); a Machine Owner Key (under Secure Boot) or a UEFI db certificate is trusted there\n",
		       file, signer ? signer : "?");
}

static int verify_one(const char *file, const char *cert, bool keyrings,
		      bool show, bool json)
{
	unsigned char *msg, *text = NULL;
	char err[512], *signer = NULL, ring[64] = "";
	size_t len, tlen = 0;
	bool appended;
	int rc, status;

	rc = ipectl_read_file(file, IPECTL_MAX_FILE, &msg, &len);
	if (rc) {
		ipectl_error("%s: cannot read: %s", file, strerror(-rc));
		return IPECTL_EXIT_INPUT;
	}
	rc = ipectl_verify_any(msg, len, cert, &text, &tlen, &signer, &appended,
			       err, sizeof(err));
	/* without -c only the signature is checked: anyone may have made it */
	status = rc ? IPECTL_EXIT_INPUT :
		 cert ? IPECTL_EXIT_OK : IPECTL_EXIT_UNVERIFIED;
	if (!rc && keyrings)
		status = kernel_trust(file, msg, len, appended, ring,
				      sizeof(ring));
	if (json) {
		fputs("{\"file\":", stdout);
		ipectl_json_str(stdout, file, strlen(file));
		printf(",\"valid\":%s,\"signer_verified\":%s,\"format\":\"%s\"",
		       rc ? "false" : "true",
		       !rc && status == IPECTL_EXIT_OK ? "true" : "false",
		       appended ? "appended" : "pkcs7");
		if (keyrings) {
			fputs(",\"kernel_keyring\":", stdout);
			if (ring[0])
				ipectl_json_str(stdout, ring, strlen(ring));
			else
				fputs("null", stdout);
		}
		if (rc) {
			printf(",\"errno\":\"%s\",\"error\":",
			       ipectl_errno_name(rc));
			ipectl_json_str(stdout, err, strlen(err));
		} else {
			fputs(",\"signer\":", stdout);
			ipectl_json_str(stdout, signer ? signer : "",
					signer ? strlen(signer) : 0);
			print_policy_json(text, tlen);
		}
		fputs("}\n", stdout);
	} else if (rc) {
		ipectl_error("%s: %s (%s)", file, err, ipectl_errno_name(rc));
	} else if (show) {
		fwrite(text, 1, tlen, stdout);
	} else if (keyrings) {
		print_keyrings(file, signer, appended, ring);
	} else if (cert) {
		printf("%s: OK: %ssigned by %s, chains to the given certificate\n",
		       file, appended ? "appended signature, " : "",
		       signer ? signer : "?");
	} else {
		printf("%s: INTACT, SIGNER NOT VERIFIED: %ssigned by %s; anyone can make such a signature: pass -c CERT to check who signed\n",
		       file, appended ? "appended signature, " : "",
		       signer ? signer : "?");
	}
	free(signer);
	free(text);
	free(msg);
	return status;
}

int cmd_verify(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "keyrings", no_argument, NULL, 'k' },
		{ "show", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cert = NULL;
	bool show = false, json = false, keyrings = false;
	int c, i, status = IPECTL_EXIT_OK;

	while ((c = getopt_long(argc, argv, "c:ksjh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cert = optarg; break;
		case 'k': keyrings = true; break;
		case 's': show = true; break;
		case 'j': json = true; break;
		case 'h': ipectl_usage(cmd, stdout); return IPECTL_EXIT_OK;
		default: ipectl_usage(cmd, stderr); return IPECTL_EXIT_INPUT;
		}
	}
	if (cert && keyrings) {
		ipectl_error("verify: -c and --keyrings name two different trust anchors: give one");
		return IPECTL_EXIT_INPUT;
	}
	if (optind >= argc) {
		ipectl_error("verify: no file given");
		ipectl_usage(cmd, stderr);
		return IPECTL_EXIT_INPUT;
	}
	/* an error outranks an unverified signer, which outranks success */
	for (i = optind; i < argc; i++) {
		int s = verify_one(argv[i], cert, keyrings, show, json);

		if (s == IPECTL_EXIT_UNVERIFIED) {
			if (status == IPECTL_EXIT_OK)
				status = s;
		} else if (s != IPECTL_EXIT_OK &&
			   (status == IPECTL_EXIT_OK ||
			    status == IPECTL_EXIT_UNVERIFIED || s > status)) {
			status = s;
		}
	}
	return status;
}
