// SPDX-License-Identifier: MIT
/*
 * cmd_sign.c - `ipectl sign` and `ipectl verify`.
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

#define DEFAULT_DIR "/etc/ipe-lkm/signing"

/**
 * ipectl_write_file() - write a whole file, atomically (temp + rename).
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
	char tmp[4096];
	size_t off = 0;
	int fd, rc = 0;

	if (!strcmp(path, "-"))
		return fwrite(data, 1, len, stdout) == len ? 0 : -EIO;
	if (!force && access(path, F_OK) == 0)
		return -EEXIST;
	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (!rc && (fchmod(fd, 0644) || fsync(fd)))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

static const char *env_or(const char *var, const char *def)
{
	const char *v = getenv(var);

	return v && *v ? v : def;
}

static char *default_out(const char *policy)
{
	size_t n = strlen(policy);
	char *out = malloc(n + 5);

	if (!out)
		return NULL;
	memcpy(out, policy, n + 1);
	if (n > 4 && !strcmp(out + n - 4, ".pol"))
		out[n - 4] = '\0';
	strcat(out, ".p7s");
	return out;
}

int cmd_sign(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = env_or("IPECTL_KEY", DEFAULT_DIR "/policy-signing.key");
	const char *cert = env_or("IPECTL_CERT", DEFAULT_DIR "/policy-signing.crt");
	const char *out = NULL;
	unsigned char *data = NULL, *der = NULL;
	char err[512], *out_alloc = NULL;
	size_t len, derlen;
	bool force = false;
	int c, rc, status;

	while ((c = getopt_long(argc, argv, "k:c:o:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'c': cert = optarg; break;
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 'h': ipectl_usage(cmd, stdout); return IPECTL_EXIT_OK;
		default: ipectl_usage(cmd, stderr); return IPECTL_EXIT_INPUT;
		}
	}
	if (optind != argc - 1) {
		ipectl_error("sign: give exactly one policy file");
		ipectl_usage(cmd, stderr);
		return IPECTL_EXIT_INPUT;
	}
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
	rc = ipectl_sign(data, len, key, cert, &der, &derlen, err, sizeof(err));
	if (rc) {
		ipectl_error("%s", err);
		status = rc == -EIO ? IPECTL_EXIT_SYSTEM : IPECTL_EXIT_INPUT;
		goto out;
	}
	if (derlen > IPECTL_MAX_PKCS7) {
		ipectl_error("the signed policy has %zu bytes; the kernel refuses more than %d (EMSGSIZE): split the policy or use fewer digest rules",
			     derlen, IPECTL_MAX_PKCS7);
		status = IPECTL_EXIT_INPUT;
		goto out;
	}
	if (!out)
		out = out_alloc = default_out(argv[optind]);
	rc = out ? ipectl_write_file(out, der, derlen, force) : -ENOMEM;
	if (rc) {
		ipectl_error("cannot write %s: %s%s", out ? out : "output",
			     strerror(-rc),
			     rc == -EEXIST ? " (--force replaces it)" : "");
		status = rc == -EEXIST ? IPECTL_EXIT_INPUT : IPECTL_EXIT_SYSTEM;
		goto out;
	}
	if (strcmp(out, "-"))
		fprintf(stderr, "ipectl: signed %s -> %s (%zu bytes); deploy it with 'ipectl deploy %s'\n",
			argv[optind], out, derlen, out);
	status = IPECTL_EXIT_OK;
out:
	OPENSSL_free(der);
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

static int verify_one(const char *file, const char *cert, bool show,
		      bool json)
{
	unsigned char *msg, *text = NULL;
	char err[512], *signer = NULL;
	size_t len, tlen = 0;
	int rc, status;

	rc = ipectl_read_file(file, IPECTL_MAX_FILE, &msg, &len);
	if (rc) {
		ipectl_error("%s: cannot read: %s", file, strerror(-rc));
		return IPECTL_EXIT_INPUT;
	}
	if (len > IPECTL_MAX_PKCS7) {
		rc = -EMSGSIZE;
		snprintf(err, sizeof(err),
			 "%zu bytes: the kernel refuses PKCS#7 messages over %d bytes",
			 len, IPECTL_MAX_PKCS7);
	} else {
		rc = ipectl_verify(msg, len, cert, &text, &tlen, &signer, err,
				   sizeof(err));
	}
	status = rc ? IPECTL_EXIT_INPUT : IPECTL_EXIT_OK;
	if (json) {
		fputs("{\"file\":", stdout);
		ipectl_json_str(stdout, file, strlen(file));
		printf(",\"valid\":%s", rc ? "false" : "true");
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
	} else {
		printf("%s: OK: signed by %s%s\n", file, signer ? signer : "?",
		       cert ? ", chains to the given certificate" :
			      " (signature checked; pass -c CERT to check who signed)");
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
		{ "show", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cert = NULL;
	bool show = false, json = false;
	int c, i, status = IPECTL_EXIT_OK;

	while ((c = getopt_long(argc, argv, "c:sjh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cert = optarg; break;
		case 's': show = true; break;
		case 'j': json = true; break;
		case 'h': ipectl_usage(cmd, stdout); return IPECTL_EXIT_OK;
		default: ipectl_usage(cmd, stderr); return IPECTL_EXIT_INPUT;
		}
	}
	if (optind >= argc) {
		ipectl_error("verify: no file given");
		ipectl_usage(cmd, stderr);
		return IPECTL_EXIT_INPUT;
	}
	for (i = optind; i < argc; i++) {
		int s = verify_one(argv[i], cert, show, json);

		if (s > status)
			status = s;
	}
	return status;
}
