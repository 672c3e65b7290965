// SPDX-License-Identifier: MIT
/*
 * treecmd.c - what the commands working on the kernel's policy tree
 * share: their options, finding the tree, loaded versions, activation,
 * and what a kernel refusal means to an administrator.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "treecmd.h"

/* What the kernel's errno means for an administrator, and what to do. */
static const char *advice(int rc)
{
	switch (-rc) {
	case EPERM:
		return "permission denied: writing needs CAP_MAC_ADMIN (run as root)";
	case ENOKEY:
		return "the kernel does not trust the signing certificate: enroll it (mokutil --import, the firmware db, or /etc/ipe-lkm/keys/ and rebuild the module); see ipectl keygen";
	case EKEYREJECTED:
		return "the kernel rejected the signature";
	case EBADMSG:
		return "the kernel could not read it as a signed policy (check it with 'ipectl verify' and 'ipectl check')";
	case EMSGSIZE:
		return "the signed policy is larger than the kernel accepts (65535 bytes for PKCS#7; ipe_lkm takes larger policies with an appended signature: ipectl sign --appended)";
	case EEXIST:
		return "a policy of that name is already loaded";
	case ESTALE:
		return "the loaded policy of that name has the same or a higher version (rollback refused)";
	case ENOENT:
		return "no such policy";
	case ENOPKG:
		return "the kernel lacks the signature's algorithm";
	default:
		return strerror(-rc);
	}
}

/* Say what the kernel refused and why; return the exit status. */
int ipectl_kernel_error(const char *what, int rc)
{
	ipectl_error("%s: %s (%s)", what, advice(rc), ipectl_errno_name(rc));
	return ipectl_exit_status(rc);
}

/*
 * The tree to work on (@forced, $IPECTL_TREE, or found), saying why there
 * is none.  Return: 0 or -errno.
 */
int ipectl_open_tree(const char *forced, struct ipectl_tree *t)
{
	int rc = ipectl_tree_find(forced ? forced : getenv("IPECTL_TREE"), t);

	if (rc == -ENODEV)
		ipectl_error("securityfs is not mounted: mount -t securityfs securityfs /sys/kernel/security");
	else if (rc)
		ipectl_error("no IPE policy tree: load the module with 'ipectl load', or boot a kernel with IPE%s",
			     forced ? " (or check --tree)" : "");
	return rc;
}

/*
 * The version of loaded policy @name, read as the policy parser reads
 * policy_version.  Return: 0 or -errno.
 */
int ipectl_loaded_version(const struct ipectl_tree *t, const char *name,
			  u16 v[3])
{
	char rel[512], buf[32];
	ssize_t n;

	snprintf(rel, sizeof(rel), "policies/%s/version", name);
	n = ipectl_tree_read(t, rel, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return ipe_eng_parse_version(buf, strcspn(buf, "\n"), v);
}

/*
 * Parse the tree commands' options, accepting only those whose short
 * letter is in @accepted.  Return: optind, or -(exit status) to return.
 */
int ipectl_tree_opts_parse(const struct ipectl_cmd *cmd, int argc,
			   char *argv[], struct ipectl_tree_opts *c,
			   const char *accepted)
{
	static const struct option opts[] = {
		{ "tree", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "activate", no_argument, NULL, 'a' },
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "appended", no_argument, NULL, 'A' },
		{ "rules", no_argument, NULL, 'R' },
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ "passphrase-env", required_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int o, i;

	ipectl_pass_init(&c->pass, NULL);
	while ((o = getopt_long(argc, argv, "t:jak:c:", opts, NULL)) != -1) {
		if (o != '?' && !strchr(accepted, o)) {
			for (i = 0; opts[i].val != o; i++)
				;
			ipectl_error("'ipectl %s' takes no option --%s",
				     cmd->name, opts[i].name);
			ipectl_usage(cmd, stderr);
			return -IPECTL_EXIT_INPUT;
		}
		switch (o) {
		case 't': c->tree = optarg; break;
		case 'j': c->json = true; break;
		case 'a': c->activate = true; break;
		case 'k': c->key = optarg; break;
		case 'c': c->cert = optarg; break;
		case 'A': c->appended = true; break;
		case 'R': c->rules = true; break;
		case 'P':
		case 'V':
			if (ipectl_pass_option(&c->pass, o, optarg))
				return -IPECTL_EXIT_INPUT;
			break;
		default: ipectl_usage(cmd, stderr); return -IPECTL_EXIT_INPUT;
		}
	}
	return optind;
}

/*
 * Make @name active, refusing before the kernel would an older version
 * than the active policy's (@newv, when known).  Return: the exit status.
 */
int ipectl_activate_name(const struct ipectl_tree *t, const char *name,
			 const u16 newv[3])
{
	char rel[512], active[256];
	u16 av[3];
	int rc;

	if (newv && ipectl_tree_active(t, active, sizeof(active)) == 1 &&
	    strcmp(active, name) && !ipectl_loaded_version(t, active, av) &&
	    ipe_eng_version_cmp(av, newv) > 0) {
		ipectl_error("cannot activate '%s' %u.%u.%u: the active policy '%s' has the higher version %u.%u.%u, and the kernel refuses to go back (EINVAL)",
			     name, newv[0], newv[1], newv[2], active, av[0],
			     av[1], av[2]);
		return ipectl_exit_status(EINVAL);
	}
	snprintf(rel, sizeof(rel), "policies/%s/active", name);
	rc = ipectl_tree_write(t, rel, "1", 1);
	if (rc == -EINVAL) {
		ipectl_error("activate '%s': the active policy has a higher version (EINVAL)",
			     name);
		return ipectl_exit_status(rc);
	}
	if (rc)
		return ipectl_kernel_error("activate", rc);
	return IPECTL_EXIT_OK;
}

/* A small file of the tree into @buf, or @def when it cannot be read. */
void ipectl_tree_read_or(const struct ipectl_tree *t, const char *rel,
			 char *buf, size_t size, const char *def)
{
	if (ipectl_tree_read(t, rel, buf, size) < 0)
		snprintf(buf, size, "%s", def);
}

/* enforce, success_audit: on|off (1|0) into @file.  Return: exit status. */
int ipectl_set_switch(const struct ipectl_cmd *cmd, int argc, char *argv[],
		      const char *file)
{
	struct ipectl_tree_opts c = { 0 };
	struct ipectl_tree t;
	const char *v;
	int rc;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 1, "t");
	if (!strcmp(argv[0], "on") || !strcmp(argv[0], "1"))
		v = "1";
	else if (!strcmp(argv[0], "off") || !strcmp(argv[0], "0"))
		v = "0";
	else {
		ipectl_error("%s takes on or off", cmd->name);
		return IPECTL_EXIT_INPUT;
	}
	if (ipectl_open_tree(c.tree, &t))
		return IPECTL_EXIT_SYSTEM;
	rc = ipectl_tree_write(&t, file, v, 1);
	if (rc)
		return ipectl_kernel_error(cmd->name, rc);
	printf("%s: %s\n", file, v[0] == '1' ? "on" : "off");
	return IPECTL_EXIT_OK;
}
