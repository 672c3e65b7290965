// SPDX-License-Identifier: MIT
/*
 * cmd_status.c - `ipectl status`: the enforcer, its tree and modes, the
 * active policy, and what is configured for every boot.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "module.h"
#include "treecmd.h"

/* What the administrator configured for every boot (ipe-policies). */
struct configured {
	const char *dir;	/* IPE_POLICY_DIR, /etc/ipe-lkm/policies */
	const char *boot;	/* IPE_BOOT_POLICY, /etc/ipe-lkm/boot_policy.pol */
	bool boot_policy;
	size_t signed_n;	/* *.p7s and *.sig in dir */
	char active[256];	/* dir/active, first line, or "" */
};

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n > m && !strcmp(s + n - m, suf);
}

static void read_configured(struct configured *cf)
{
	char path[4096];
	struct dirent *e;
	DIR *d;

	memset(cf, 0, sizeof(*cf));
	cf->dir = getenv("IPE_POLICY_DIR");
	if (!cf->dir || !*cf->dir)
		cf->dir = "/etc/ipe-lkm/policies";
	cf->boot = getenv("IPE_BOOT_POLICY");
	if (!cf->boot || !*cf->boot)
		cf->boot = "/etc/ipe-lkm/boot_policy.pol";
	cf->boot_policy = !access(cf->boot, F_OK);
	d = opendir(cf->dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (has_suffix(e->d_name, ".p7s") || has_suffix(e->d_name, ".sig"))
			cf->signed_n++;
	}
	closedir(d);
	snprintf(path, sizeof(path), "%s/active", cf->dir);
	ipectl_read_line(path, cf->active, sizeof(cf->active));
	cf->active[strcspn(cf->active, " \t\r")] = '\0';
}

static bool is_configured(const struct configured *cf)
{
	return cf->boot_policy || cf->signed_n;
}

/* Why no enforcer is there: ipe_lkm's state, the kernel's own IPE. */
static void why_no_enforcer(char *buf, size_t size)
{
	char ko[1024], lsm[512] = "";
	FILE *f;

	f = fopen("/sys/kernel/security/lsm", "re");
	if (f) {
		if (!fgets(lsm, sizeof(lsm), f))
			lsm[0] = '\0';
		fclose(f);
	}
	lsm[strcspn(lsm, "\n")] = '\0';
	if (!ipectl_module_path(ko, sizeof(ko)))
		snprintf(buf, size,
			 "ipe_lkm is installed (%s) but not loaded ('ipectl load'; 'journalctl -b -u systemd-modules-load' says why), and the kernel's own IPE is not active (LSMs: %s)",
			 ko, lsm[0] ? lsm : "?");
	else
		snprintf(buf, size,
			 "ipe_lkm is not installed for this kernel ('dkms status ipe-lkm': headers missing, build failed, or a kernel ipe-lkm does not support), and the kernel's own IPE is not active (LSMs: %s)",
			 lsm[0] ? lsm : "?");
}

static void json_configured(const struct configured *cf)
{
	printf("\"configured\":{\"boot_policy\":%s,\"signed_policies\":%zu,\"active\":",
	       cf->boot_policy ? "true" : "false", cf->signed_n);
	if (cf->active[0])
		ipectl_json_str(stdout, cf->active, strlen(cf->active));
	else
		fputs("null", stdout);
	fputs("}", stdout);
}

static void print_configured(const struct configured *cf)
{
	printf("configured:     ");
	if (!is_configured(cf)) {
		printf("nothing (%s, %s)\n", cf->boot, cf->dir);
		return;
	}
	if (cf->boot_policy)
		printf("boot policy %s%s", cf->boot, cf->signed_n ? "; " : "");
	if (cf->signed_n)
		printf("%zu signed in %s, active %s", cf->signed_n, cf->dir,
		       cf->active[0] ? cf->active : "(none named)");
	putchar('\n');
}

/*
 * `ipectl status` with no tree: say so, and whether configured policies
 * go unenforced (exit 2 either way: there is no enforcer).
 */
static int status_no_tree(bool json, const struct configured *cf)
{
	char why[2048];
	struct utsname u;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	why_no_enforcer(why, sizeof(why));
	if (json) {
		fputs("{\"enforcer\":null,\"problem\":", stdout);
		ipectl_json_str(stdout, why, strlen(why));
		putchar(',');
		json_configured(cf);
		puts("}");
	} else {
		printf("enforcer:       none\n");
		print_configured(cf);
	}
	if (is_configured(cf))
		ipectl_error("NO IPE ENFORCEMENT on kernel %s: the configured policies are not enforced: %s",
			     u.release, why);
	else
		ipectl_error("no IPE policy tree on kernel %s: %s", u.release,
			     why);
	return IPECTL_EXIT_SYSTEM;
}

int cmd_status(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct ipectl_tree_opts c = { 0 };
	struct configured cf;
	struct ipectl_tree t;
	char enf[8], sa[8], active[256] = "", ver[32] = "", modver[64] = "";
	char rel[512], **names, trust[128] = "", problem[768] = "";
	size_t n = 0, i;
	int rc;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 0);
	read_configured(&cf);
	rc = ipectl_tree_find(c.tree ? c.tree : getenv("IPECTL_TREE"), &t);
	if (rc == -ENOENT && !c.tree && !getenv("IPECTL_TREE"))
		return status_no_tree(c.json, &cf);
	if (rc) {
		(void)ipectl_open_tree(c.tree, &t);	/* says why */
		return IPECTL_EXIT_SYSTEM;
	}
	ipectl_tree_read_or(&t, "enforce", enf, sizeof(enf), "?");
	ipectl_tree_read_or(&t, "success_audit", sa, sizeof(sa), "?");
	if (ipectl_tree_active(&t, active, sizeof(active)) == 1) {
		snprintf(rel, sizeof(rel), "policies/%s/version", active);
		ipectl_tree_read_or(&t, rel, ver, sizeof(ver), "?");
	}
	if (!ipectl_tree_policies(&t, &names, &n)) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	if (t.module) {
		ipectl_read_line("/sys/module/ipe_lkm/version", modver, sizeof(modver));
		ipectl_read_line("/sys/module/ipe_lkm/parameters/trust", trust,
			     sizeof(trust));
	}
	/* what ipe-policies.service should have made active at boot */
	if (cf.signed_n && cf.active[0] && strcmp(cf.active, active))
		snprintf(problem, sizeof(problem),
			 "the configured active policy '%s' (%s/active) is not the active one%s%s%s: 'systemctl status ipe-policies' says why",
			 cf.active, cf.dir, active[0] ? " ('" : "",
			 active, active[0] ? "' is)" : "");
	if (c.json) {
		printf("{\"enforcer\":\"%s\",\"module_version\":",
		       t.module ? "ipe_lkm" : "builtin");
		if (t.module)
			ipectl_json_str(stdout, modver, strlen(modver));
		else
			fputs("null", stdout);
		fputs(",\"trust\":", stdout);
		if (trust[0])
			ipectl_json_str(stdout, trust, strlen(trust));
		else
			fputs("null", stdout);
		fputs(",\"tree\":", stdout);
		ipectl_json_str(stdout, t.path, strlen(t.path));
		printf(",\"enforce\":%s,\"success_audit\":%s,\"policies\":%zu,\"active\":",
		       enf[0] == '1' ? "true" : "false",
		       sa[0] == '1' ? "true" : "false", n);
		if (active[0]) {
			fputs("{\"name\":", stdout);
			ipectl_json_str(stdout, active, strlen(active));
			printf(",\"version\":\"%s\"}", ver);
		} else {
			fputs("null", stdout);
		}
		fputs(",\"problem\":", stdout);
		if (problem[0])
			ipectl_json_str(stdout, problem, strlen(problem));
		else
			fputs("null", stdout);
		putchar(',');
		json_configured(&cf);
		puts("}");
	} else {
		printf("enforcer:       %s\n", t.module ? "ipe_lkm (module)" :
							  "built-in IPE (kernel)");
		if (t.module) {
			printf("module version: %s\n", modver[0] ? modver : "?");
			printf("signers:        %s%s\n", trust[0] ? trust : "?",
			       strstr(trust, "secondary") || strstr(trust, "platform") ?
			       " (Machine Owner Keys are trusted: DKMS's among them)" : "");
		}
		printf("tree:           %s\n", t.path);
		printf("enforce:        %s\n", enf[0] == '1' ? "on" : "off (permissive: denials are only audited)");
		printf("success_audit:  %s\n", sa[0] == '1' ? "on" : "off");
		printf("policies:       %zu loaded\n", n);
		if (active[0])
			printf("active policy:  %s %s\n", active, ver);
		else
			printf("active policy:  none (everything is allowed)\n");
		print_configured(&cf);
	}
	if (!problem[0])
		return IPECTL_EXIT_OK;
	ipectl_error("%s", problem);
	return IPECTL_EXIT_SYSTEM;
}
