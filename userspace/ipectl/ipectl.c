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
"              [--encrypt | --passphrase-fd FD | --passphrase-env VAR]\n"
"\n"
"Write DIR/policy-signing.key (private, PEM, mode 0600), DIR/policy-signing.crt\n"
"(PEM) and DIR/policy-signing.der: RSA 3072 (or ECDSA P-256 with --ecdsa),\n"
"a self-signed leaf certificate (CA:FALSE, keyUsage digitalSignature,\n"
"extendedKeyUsage codeSigning).  DIR (default: the current directory) must\n"
"be writable by its owner only, you or root; existing files are kept\n"
"unless --force.  Each file is written to a new temporary file and renamed\n"
"into place: a file or link someone put there is replaced, never written\n"
"through.  The CN defaults to \"IPE policy signing HOST DATE\".\n"
"\n"
"  --encrypt            encrypt the key (AES-256), passphrase asked twice on\n"
"                       the terminal\n"
"  --passphrase-fd FD   encrypt, with the first line read from FD\n"
"  --passphrase-env VAR encrypt, with the value of VAR\n"
"\n"
"Keep the key on a signing machine, not on the machines that enforce:\n"
"they need only the certificate (ipe-policy(5), docs/install.md).\n",
	},
	{
		.name = "sign",
		.func = cmd_sign,
		.short_desc = "check and sign a policy (PKCS#7)",
		.usage =
"ipectl sign -k KEY -c CERT [-o OUT] [--force] [--appended]\n"
"            [--passphrase-fd FD | --passphrase-env VAR] POLICY\n"
"\n"
"Check POLICY like 'ipectl check', then sign it exactly as\n"
"  openssl smime -sign -noattr -nodetach -nosmimecap -binary -outform der\n"
"does.  KEY and CERT default to $IPECTL_KEY and $IPECTL_CERT; there is no\n"
"default path.  An encrypted KEY takes its passphrase from FD (first line),\n"
"VAR, or else the terminal.  OUT defaults to POLICY\n"
"with .p7s for .pol (\"-\" is standard output); an existing OUT is kept\n"
"unless --force.  A signed policy over 65535 bytes is refused, as the\n"
"kernel would refuse it (EMSGSIZE).\n"
"\n"
"  --appended  (default OUT: .sig for .pol)\n"
"              write the policy text followed by a detached signature and\n"
"              a trailer, as signed kernel modules are: any size (up to\n"
"              64 MiB); ipe_lkm only, the built-in IPE refuses it (see\n"
"              ipe-policy(5))\n",
	},
	{
		.name = "verify",
		.func = cmd_verify,
		.short_desc = "check a signed policy, show its text",
		.usage =
"ipectl verify [-c CERT | --keyrings] [--show] [--json] FILE...\n"
"\n"
"Check that FILE is a PKCS#7 message with the policy inside, or a policy\n"
"with an appended signature (ipectl sign --appended), and that its\n"
"signature is intact.  Without -c that says nothing of who signed (anyone\n"
"can make a signature): exit status 3.  With -c, that the signer is a\n"
"certificate of CERT (a PEM bundle or one DER certificate) or chains to\n"
"one, by the kernel's rules: validity dates and purposes are not checked,\n"
"the signed content must be id-data.  With --keyrings, that the signer's\n"
"key or its issuer's is in the kernel's keyrings the built-in IPE trusts\n"
"(.secondary_trusted_keys with .builtin_trusted_keys and .machine, then\n"
".platform), compared by key identifier (exit status 3 when it is not,\n"
"and for an appended signature, which the built-in IPE refuses).\n"
"--show writes the signed policy\n"
"bytes to standard output.  Subjects are printed with control characters\n"
"escaped (\\xHH).\n",
	},
	{
		.name = "explain",
		.func = cmd_explain,
		.short_desc = "show which rule decides for a file",
		.usage =
"ipectl explain [--op OP] [--policy FILE] [--tree PATH] [--json] FILE\n"
"\n"
"Compute FILE's properties from userspace (initramfs, fs-verity digest and\n"
"signature, dm-verity root hash and signature of its device) and evaluate\n"
"the active policy, or --policy FILE (plain or signed), with the same\n"
"engine as the kernel.  OP defaults to EXECUTE.\n",
	},
	{
		.name = "generate",
		.func = cmd_generate,
		.short_desc = "write a policy trusting what this machine has",
		.usage =
"ipectl generate [--fsverity PATH]... [--scripts] [--enable] [--dmverity]\n"
"                [--boot-verified] [--from-report FILE.json]...\n"
"                [--default ALLOW|DENY] [--name NAME] [--version M.m.r]\n"
"                [-o OUT] [--force]\n"
"\n"
"Write a policy that lets run what this (reference) machine has:\n"
"  --fsverity PATH  every ELF executable and shared object (ET_EXEC, ET_DYN,\n"
"                   whatever its mode) under PATH, a file or a directory\n"
"                   walked without following symbolic links nor entering\n"
"                   other filesystems (give them with --fsverity too):\n"
"                   op=EXECUTE fsverity_digest=ALG:HEX action=ALLOW, the\n"
"                   digest the kernel measures, one rule per digest\n"
"  --scripts        also \"#!\" scripts (a file given itself: always)\n"
"  --enable         turn fs-verity on (SHA-256, 4096-byte blocks) where it\n"
"                   is off; without it such files get no rule\n"
"  --dmverity       each active dm-verity device's root hash, and\n"
"                   dmverity_signature=TRUE if a root hash was signed\n"
"  --boot-verified  op=EXECUTE boot_verified=TRUE (the initramfs)\n"
"  --from-report F  the executables 'ipectl report --json' saw denied or\n"
"                   would-deny, as --fsverity takes them (scripts too),\n"
"                   when the same file (inode, device) is here\n"
"  --default A      the op=EXECUTE default (DENY)\n"
"  --name, --version  policy_name (generated), policy_version (0.0.1)\n"
"  -o OUT           the policy file (standard output); kept unless --force\n"
"\n"
"The policy: the header, DEFAULT action=ALLOW, DEFAULT op=EXECUTE action=A,\n"
"then boot_verified, the dm-verity rules by device name, the fs-verity\n"
"rules by first path, each after a comment naming where it came from;\n"
"the same inputs give the same bytes.  What gets no rule (fs-verity off,\n"
"not readable, not here, another op...) is listed at its end and on\n"
"stderr, with what to do.\n"
"\n"
"Exit status: 0 every executable found has a rule, 3 the policy was\n"
"written but something has no rule, 1 bad usage or an unreadable input,\n"
"2 a system error (nothing written).\n",
	},
	{
		.name = "deploy",
		.func = cmd_deploy,
		.short_desc = "load or update a signed policy in the kernel",
		.usage =
"ipectl deploy [--activate] [-k KEY -c CERT [--appended]\n"
"              [--passphrase-fd FD | --passphrase-env VAR]] [--tree PATH] FILE\n"
"\n"
"Write a signed policy (either format) to new_policy, or to\n"
"policies/NAME/update when a policy of that name is loaded.  A plain\n"
"policy is signed first with -k/-c (or $IPECTL_KEY/$IPECTL_CERT), with an\n"
"appended signature if --appended.  A version not above the loaded\n"
"one is refused before the kernel would (ESTALE).  --activate makes it\n"
"the active policy.\n",
	},
	{
		.name = "activate",
		.func = cmd_activate,
		.short_desc = "make a loaded policy the active one",
		.usage =
"ipectl activate [--tree PATH] NAME\n"
"\n"
"The kernel refuses a policy older than the active one (EINVAL).\n",
	},
	{
		.name = "delete",
		.func = cmd_delete,
		.short_desc = "remove a loaded policy that is not active",
		.usage = "ipectl delete [--tree PATH] NAME\n",
	},
	{
		.name = "list",
		.func = cmd_list,
		.short_desc = "loaded policies: name, version, active, digest",
		.usage =
"ipectl list [--tree PATH] [--json]\n"
"\n"
"The digest is SHA-256 of the signed policy, as audit records show it.\n",
	},
	{
		.name = "show",
		.func = cmd_show,
		.short_desc = "print a loaded policy's text",
		.usage = "ipectl show [--tree PATH] [--json] NAME\n",
	},
	{
		.name = "status",
		.func = cmd_status,
		.short_desc = "enforcer, tree, modes and active policy",
		.usage =
"ipectl status [--tree PATH] [--json] [--rules]\n"
"\n"
"The tree is found automatically: ipe_lkm's when the module is loaded,\n"
"else the kernel's built-in IPE (/sys/kernel/security/ipe); --tree or\n"
"$IPECTL_TREE forces one.  Also shows what is configured for every boot\n"
"(/etc/ipe-lkm/boot_policy.pol, /etc/ipe-lkm/policies and its 'active').\n"
"Exit status 2 when there is no enforcer (saying why, and that configured\n"
"policies are NOT ENFORCED) or when the configured active policy is not\n"
"the active one.\n"
"\n"
"--rules: also every rule and DEFAULT of the active policy, in its order,\n"
"with how often it decided since the policy was last activated (ipe_lkm's\n"
"policies/NAME/rule_hits; JSON: \"rules\", an array of {line, rule, hits}).\n"
"Exit status 2 with the kernel's built-in IPE, which has no such counters.\n",
	},
	{
		.name = "enforce",
		.func = cmd_enforce,
		.short_desc = "enforce on, or off (permissive: audit only)",
		.usage = "ipectl enforce [--tree PATH] on|off\n",
	},
	{
		.name = "success-audit",
		.func = cmd_success_audit,
		.short_desc = "audit allowed accesses too, on or off",
		.usage = "ipectl success-audit [--tree PATH] on|off\n",
	},
	{
		.name = "load",
		.func = cmd_load,
		.short_desc = "load the ipe_lkm module (libkmod)",
		.usage =
"ipectl load [--permissive] [--success-audit]\n"
"\n"
"Load ipe_lkm for the running kernel, as modprobe would.\n",
	},
	{
		.name = "unload",
		.func = cmd_unload,
		.short_desc = "remove the ipe_lkm module",
		.usage =
"ipectl unload\n"
"\n"
"The kernel refuses while a policy is active and enforced:\n"
"'ipectl enforce off' first.\n",
	},
	{
		.name = "rescan",
		.func = cmd_rescan,
		.short_desc = "re-announce dm-verity volumes to ipe_lkm",
		.usage =
"ipectl rescan\n"
"\n"
"Load the live table of every dm-verity device again, so that ipe_lkm\n"
"learns the volumes activated before it was loaded ('load' does it\n"
"itself; the packages' udev rule runs this whenever ipe_lkm is loaded).\n"
"Exit status 2 when a device could not be re-announced.\n",
	},
	{
		.name = "report",
		.func = cmd_report,
		.short_desc = "what IPE denied or would deny, from audit logs",
		.usage =
"ipectl report [--since T] [--until T] [--node N]... [--allowed] [--json]\n"
"              [--journal | --journal-dir DIR] [SOURCE...]\n"
"\n"
"Read IPE's audit records (1420 access, 1421 activation, 1422 policy load,\n"
"1404 enforce switch) with libauparse and tell what was denied, or would\n"
"have been in permissive mode (enforcing=0), per node, file, op, hook,\n"
"rule and the policy then active; then each node's policy loads,\n"
"activations and enforce switches.  SOURCE is an auditd log (RAW or\n"
"ENRICHED, node= prefixes of a collector), \"-\" for standard input, or\n"
"auditd's log directory (audit.log.N ... audit.log, oldest first).\n"
"--journal reads the local journal, --journal-dir a journal directory\n"
"(node: each entry's _HOSTNAME).  With neither and no SOURCE:\n"
"/var/log/audit when its audit.log is readable, else the journal.\n"
"\n"
"  --since T, --until T  only records in [T, T]; T is YYYY-MM-DD[ HH:MM[:SS]]\n"
"                        or YYYY-MM-DDTHH:MM[:SS], local time, Z for UTC,\n"
"                        or @EPOCH\n"
"  --node N              only node N's records (repeatable); \"\" takes\n"
"                        records without node=\n"
"  --allowed             list allowed accesses too (success_audit records;\n"
"                        always counted)\n"
"  --json                one JSON object, schema ipectl-report/1 (ipectl(8))\n"
"\n"
"Lines and records that cannot be read are skipped and counted by reason.\n"
"Exit status: 0 the report was made, 1 bad usage or an unreadable SOURCE,\n"
"2 a system failure (the journal cannot be opened, out of memory).\n",
	},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

/* The list of commands: stdout for --help, stderr after a usage error. */
static void overview(FILE *f)
{
	size_t i;

	fputs("Usage: ipectl COMMAND [ARGS...]\n\n"
	      "Integrity Policy Enforcement (IPE) administration.\n\n"
	      "Commands:\n", f);
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-14s %s\n", cmds[i].name, cmds[i].short_desc);
	fputs("\n'ipectl COMMAND --help' describes a command; "
	      "see also ipectl(8), ipe-policy(5).\n"
	      "Exit status: 0 success, 1 bad input or invalid policy, "
	      "2 the system or the kernel refused.\n", f);
}

/*
 * "--help" or "-h" anywhere before "--" asks for the command's usage:
 * handled here, once, for every command.
 */
static bool wants_help(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

int main(int argc, char *argv[])
{
	size_t i;

	if (argc < 2) {
		overview(stderr);
		return IPECTL_EXIT_INPUT;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		overview(stdout);
		return IPECTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ipectl %s\n", IPECTL_VERSION);
		return IPECTL_EXIT_OK;
	}
	for (i = 0; i < NCMDS; i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (wants_help(argc - 1, argv + 1)) {
			ipectl_usage(&cmds[i], stdout);
			return IPECTL_EXIT_OK;
		}
		return cmds[i].func(&cmds[i], argc - 1, argv + 1);
	}
	ipectl_error("unknown command '%s'; 'ipectl --help' lists them",
		     argv[1]);
	return IPECTL_EXIT_INPUT;
}
