// SPDX-License-Identifier: MIT
/*
 * cmd_keygen.c - `ipectl keygen`: a policy-signing key and certificate.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipectl.h"
#include "pkcs7.h"

int cmd_keygen(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "cn", required_argument, NULL, 'n' },
		{ "days", required_argument, NULL, 't' },
		{ "ecdsa", no_argument, NULL, 'e' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = ".", *cn = "IPE policy signing key";
	char key[4096], pem[4096], der[4096], err[512];
	bool ecdsa = false, force = false;
	int c, days = 3650, rc;
	mode_t old;

	while ((c = getopt_long(argc, argv, "d:n:t:efh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': cn = optarg; break;
		case 't':
			days = atoi(optarg);
			if (days <= 0) {
				ipectl_error("--days takes a positive number");
				return IPECTL_EXIT_INPUT;
			}
			break;
		case 'e': ecdsa = true; break;
		case 'f': force = true; break;
		case 'h': ipectl_usage(cmd, stdout); return IPECTL_EXIT_OK;
		default: ipectl_usage(cmd, stderr); return IPECTL_EXIT_INPUT;
		}
	}
	if (optind != argc) {
		ipectl_usage(cmd, stderr);
		return IPECTL_EXIT_INPUT;
	}
	snprintf(key, sizeof(key), "%s/policy-signing.key", dir);
	snprintf(pem, sizeof(pem), "%s/policy-signing.crt", dir);
	snprintf(der, sizeof(der), "%s/policy-signing.der", dir);
	if (!force && (!access(key, F_OK) || !access(pem, F_OK))) {
		ipectl_error("%s already holds a signing key; --force replaces it",
			     dir);
		return IPECTL_EXIT_INPUT;
	}
	old = umask(077);
	rc = ipectl_keygen(cn, ecdsa, days, key, pem, der, err, sizeof(err));
	umask(old);
	if (rc) {
		ipectl_error("%s", err);
		return IPECTL_EXIT_SYSTEM;
	}
	chmod(pem, 0644);
	chmod(der, 0644);
	printf("Private key:  %s (keep it secret)\n"
	       "Certificate:  %s (PEM), %s (DER)\n\n"
	       "Sign a policy:  ipectl sign -k %s -c %s POLICY\n\n"
	       "The kernel must trust the certificate.  Either:\n"
	       "  - enroll it as a Machine Owner Key (Secure Boot with shim):\n"
	       "      mokutil --import %s   (then reboot and confirm in MokManager)\n"
	       "  - add it to the UEFI firmware db (platform keyring)\n"
	       "  - embed it in the module: copy it to /etc/ipe-lkm/keys/ and\n"
	       "    rebuild (dkms autoinstall, or make -C module)\n",
	       key, pem, der, key, pem, der);
	return IPECTL_EXIT_OK;
}
