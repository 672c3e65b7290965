// SPDX-License-Identifier: MIT
/*
 * ipectl.c - main(): dispatch to a command, generic --help and --version.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ipectl.h"

#ifndef IPECTL_VERSION
#define IPECTL_VERSION "0.0.0"
#endif

static const struct ipectl_cmd cmds[] = {
	{
		.name = "check",
		.func = cmd_check,
		.short_desc = "check policy files as the kernel would parse them",
		.usage =
"ipectl check [--json] [--quiet] FILE...\n"
"\n"
"Parse each FILE (\"-\" for standard input) exactly as upstream IPE parses a\n"
"policy, from the file's full bytes.  Each error is printed as\n"
"  FILE:LINE: message (ERRNO)\n"
"where ERRNO is the error a write of that policy to the kernel fails with;\n"
"the first error of a file is the one the kernel reports.  Warnings (text\n"
"that parses but cannot do what it seems to) do not fail the check.\n"
"\n"
"  --json    one JSON object per file, one per line\n"
"  --quiet   print errors only\n"
"\n"
"Exit status: 0 every file is a valid policy, 1 a file is invalid or\n"
"unreadable, 2 a system error.\n",
	},
	{
		.name = "keygen",
		.func = cmd_keygen,
		.short_desc = "make a policy-signing key and certificate",
		.usage =
"ipectl keygen [-d DIR] [--cn NAME] [--days N] [--ecdsa] [--force]\n"
"\n"
"Write DIR/policy-signing.key (private, PEM), DIR/policy-signing.crt (PEM)\n"
"and DIR/policy-signing.der: RSA 3072 (or ECDSA P-256 with --ecdsa), a\n"
"self-signed certificate that is its own CA, with keyUsage\n"
"digitalSignature and extendedKeyUsage codeSigning, and print how to make\n"
"the kernel trust it.  DIR defaults to the current directory.\n",
	},
	{
		.name = "sign",
		.func = cmd_sign,
		.short_desc = "check and sign a policy (PKCS#7)",
		.usage =
"ipectl sign [-k KEY] [-c CERT] [-o OUT] [--force] POLICY\n"
"\n"
"Check POLICY like 'ipectl check', then sign it exactly as\n"
"  openssl smime -sign -noattr -nodetach -nosmimecap -binary -outform der\n"
"does.  KEY and CERT default to $IPECTL_KEY and $IPECTL_CERT, else\n"
"/etc/ipe-lkm/signing/policy-signing.{key,crt}.  OUT defaults to POLICY\n"
"with .p7s for .pol (\"-\" is standard output); an existing OUT is kept\n"
"unless --force.  A signed policy over 65535 bytes is refused, as the\n"
"kernel would refuse it (EMSGSIZE).\n",
	},
	{
		.name = "verify",
		.func = cmd_verify,
		.short_desc = "check a signed policy, show its text",
		.usage =
"ipectl verify [-c CERT] [--show] [--json] FILE...\n"
"\n"
"Check that FILE is a PKCS#7 message with the policy inside and a valid\n"
"signature; with -c, that the signer chains to CERT.  --show writes the\n"
"signed policy bytes to standard output.\n",
	},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

/**
 * ipectl_usage() - print a command's usage, or the list of commands.
 * @cmd: the command, or NULL for the overview.
 * @f: stdout for --help, stderr after a usage error.
 */
void ipectl_usage(const struct ipectl_cmd *cmd, FILE *f)
{
	size_t i;

	if (cmd) {
		fputs("Usage: ", f);
		fputs(cmd->usage, f);
		return;
	}
	fputs("Usage: ipectl COMMAND [ARGS...]\n\n"
	      "Integrity Policy Enforcement (IPE) administration.\n\n"
	      "Commands:\n", f);
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-14s %s\n", cmds[i].name, cmds[i].short_desc);
	fputs("\n'ipectl COMMAND --help' describes a command; "
	      "see also ipectl(8), ipe-policy(5).\n", f);
}

/**
 * ipectl_error() - print "ipectl: ERROR: ..." and a newline to stderr.
 * @fmt: printf format.
 */
void ipectl_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ipectl: ERROR: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int main(int argc, char *argv[])
{
	size_t i;

	if (argc < 2) {
		ipectl_usage(NULL, stderr);
		return IPECTL_EXIT_INPUT;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		ipectl_usage(NULL, stdout);
		return IPECTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ipectl %s\n", IPECTL_VERSION);
		return IPECTL_EXIT_OK;
	}
	for (i = 0; i < NCMDS; i++) {
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].func(&cmds[i], argc - 1, argv + 1);
	}
	ipectl_error("unknown command '%s'; 'ipectl --help' lists them",
		     argv[1]);
	return IPECTL_EXIT_INPUT;
}
