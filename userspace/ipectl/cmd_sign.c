// SPDX-License-Identifier: MIT
/*
 * cmd_sign.c - `ipectl sign`, in both signed formats: upstream's PKCS#7
 * with the text inside, and ipe_lkm's text with an appended signature
 * (--appended; docs/policy-formats.md).
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
#include "pkcs7.h"

/* Write @data to the device or pipe @path as it is (no rename over it). */
static int write_device(const char *path, const unsigned char *data,
			size_t len)
{
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC), rc = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (len) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		data += n;
		len -= n;
	}
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

/**
 * ipectl_write_file() - write a whole file, atomically (ipectl_write_at()).
 * @path: destination; "-" is standard output; a character device or a
 *	pipe is written to as it is, whatever @force.
 * @data: bytes.
 * @len: number of bytes.
 * @force: replace an existing file.
 *
 * Return: 0, -EEXIST, -EISDIR, or -errno.
 */
int ipectl_write_file(const char *path, const unsigned char *data, size_t len,
		      bool force)
{
	char *copy, *slash;
	const char *dir = ".", *name = path;
	int dfd, rc;

	struct stat st;

	if (!strcmp(path, "-"))
		return fwrite(data, 1, len, stdout) == len ? 0 : -EIO;
	/*
	 * A device or a pipe (/dev/null, /dev/stdout) is written to, never
	 * replaced by a rename; a directory is refused.
	 */
	if (!lstat(path, &st) && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
		return write_device(path, data, len);
	if (!lstat(path, &st) && S_ISDIR(st.st_mode))
		return -EISDIR;
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

/* What `ipectl sign` was asked for. */
struct sign_args {
	const char *key;
	const char *cert;
	const char *out;
	const char *policy;
	bool force;
	bool appended;
	struct ipectl_pass pass;
};

/* Return: 0, or -(exit status) to return. */
static int parse_args(const struct ipectl_cmd *cmd, int argc, char *argv[],
		      struct sign_args *a)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "appended", no_argument, NULL, 'a' },
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ "passphrase-env", required_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "k:c:o:f", opts, NULL)) != -1) {
		switch (c) {
		case 'k': a->key = optarg; break;
		case 'c': a->cert = optarg; break;
		case 'o': a->out = optarg; break;
		case 'f': a->force = true; break;
		case 'a': a->appended = true; break;
		case 'P':
		case 'V':
			if (ipectl_pass_option(&a->pass, c, optarg))
				return -IPECTL_EXIT_INPUT;
			break;
		default: ipectl_usage(cmd, stderr); return -IPECTL_EXIT_INPUT;
		}
	}
	if (optind != argc - 1) {
		ipectl_error("sign: give exactly one policy file");
		ipectl_usage(cmd, stderr);
		return -IPECTL_EXIT_INPUT;
	}
	a->policy = argv[optind];
	return 0;
}

/* Write the signed policy where -o (or the default) says.  Return: status. */
static int write_out(const struct sign_args *a, const unsigned char *der,
		     size_t derlen)
{
	char *alloc = NULL;
	const char *out = a->out;
	int rc;

	if (!out)
		out = alloc = default_out(a->policy, a->appended);
	rc = out ? ipectl_write_file(out, der, derlen, a->force) : -ENOMEM;
	if (rc) {
		ipectl_error("cannot write %s: %s%s", out ? out : "output",
			     strerror(-rc),
			     rc == -EEXIST ? " (--force replaces it)" : "");
	} else if (strcmp(out, "-")) {
		fprintf(stderr, "ipectl: signed %s -> %s (%zu bytes%s); deploy it with 'ipectl deploy %s'\n",
			a->policy, out, derlen,
			a->appended ? ", appended signature" : "", out);
	}
	free(alloc);
	return ipectl_exit_status(-rc);
}

int cmd_sign(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct sign_args a = {
		.key = env_or_null("IPECTL_KEY"),
		.cert = env_or_null("IPECTL_CERT"),
	};
	struct ipectl_signer signer;
	unsigned char *data = NULL, *der = NULL;
	size_t len, derlen;
	int rc, status;

	ipectl_pass_init(&a.pass, NULL);
	rc = parse_args(cmd, argc, argv, &a);
	if (rc)
		return -rc;
	if (ipectl_signer_ready(a.key, a.cert))
		return IPECTL_EXIT_INPUT;
	a.pass.what = a.key;
	signer = (struct ipectl_signer){ a.key, a.cert, &a.pass.src };
	rc = ipectl_read_input(a.policy, &data, &len);
	if (rc)
		return rc;
	status = ipectl_check_buffer(a.policy, data, len, false, true);
	if (status)
		ipectl_error("%s is not a valid policy: not signed", a.policy);
	else
		status = sign_as(a.appended, data, len, &signer, &der, &derlen);
	ipectl_pass_free(&a.pass);
	if (!status)
		status = write_out(&a, der, derlen);
	sign_free(a.appended, der);
	free(data);
	return status;
}
