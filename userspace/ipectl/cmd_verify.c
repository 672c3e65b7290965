// SPDX-License-Identifier: MIT
/*
 * cmd_verify.c - `ipectl verify`: a signed policy's signature, in either
 * format, and who signed it (-c CERT), or whether the kernel's keyrings
 * hold its signer (--keyrings).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipe_engine.h"
#include "ipectl.h"
#include "keyrings.h"
#include "pkcs7.h"

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

	rc = ipectl_read_input(file, &msg, &len);
	if (rc)
		return rc;
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
		{ NULL, 0, NULL, 0 },
	};
	const char *cert = NULL;
	bool show = false, json = false, keyrings = false;
	int c, i, status = IPECTL_EXIT_OK;

	while ((c = getopt_long(argc, argv, "c:ksj", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cert = optarg; break;
		case 'k': keyrings = true; break;
		case 's': show = true; break;
		case 'j': json = true; break;
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
