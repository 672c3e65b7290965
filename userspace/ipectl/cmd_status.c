// SPDX-License-Identifier: MIT
/*
 * cmd_status.c - `ipectl status`: the enforcer, its tree and modes, the
 * active policy, and what is configured for every boot; with --rules, how
 * often each rule of the active policy decided (ipe_lkm's rule_hits).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
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

/* What the tree says, read once for either output. */
struct status {
	struct ipectl_tree t;
	char enforce[8], success_audit[8];
	char active[256], version[32];	/* "" when none is active */
	char module_version[64], trust[128];	/* ipe_lkm only */
	size_t loaded;
	char problem[768];		/* the configuration not in force */
};

static void read_status(struct status *st, const struct configured *cf)
{
	char rel[512], **names;
	size_t i;

	ipectl_tree_read_or(&st->t, "enforce", st->enforce,
			    sizeof(st->enforce), "?");
	ipectl_tree_read_or(&st->t, "success_audit", st->success_audit,
			    sizeof(st->success_audit), "?");
	if (ipectl_tree_active(&st->t, st->active, sizeof(st->active)) == 1) {
		snprintf(rel, sizeof(rel), "policies/%s/version", st->active);
		ipectl_tree_read_or(&st->t, rel, st->version,
				    sizeof(st->version), "?");
	}
	if (!ipectl_tree_policies(&st->t, &names, &st->loaded)) {
		for (i = 0; i < st->loaded; i++)
			free(names[i]);
		free(names);
	}
	if (st->t.module) {
		ipectl_read_line("/sys/module/ipe_lkm/version",
				 st->module_version, sizeof(st->module_version));
		ipectl_read_line("/sys/module/ipe_lkm/parameters/trust",
				 st->trust, sizeof(st->trust));
	}
	/* what ipe-policies.service should have made active at boot */
	if (cf->signed_n && cf->active[0] && strcmp(cf->active, st->active))
		snprintf(st->problem, sizeof(st->problem),
			 "the configured active policy '%s' (%s/active) is not the active one%s%s%s: 'systemctl status ipe-policies' says why",
			 cf->active, cf->dir, st->active[0] ? " ('" : "",
			 st->active, st->active[0] ? "' is)" : "");
}

/* A JSON string member, or null for "". */
static void json_member(const char *name, const char *value, bool comma)
{
	printf("%s\"%s\":", comma ? "," : "", name);
	if (value[0])
		ipectl_json_str(stdout, value, strlen(value));
	else
		fputs("null", stdout);
}

/* One line of rule_hits: "<line> <hits> <rule>". */
struct rule_hit {
	unsigned int line;
	uint64_t hits;
	const char *rule;	/* inside the file's text */
};

/* The counters of the active policy, read once for either output. */
struct rules {
	char *text;		/* rule_hits, its lines cut at '\n' */
	struct rule_hit *r;
	size_t n;
	const char *unavailable;	/* why there are none, or NULL */
};

#define NO_RULES_BUILTIN \
	"per-rule counters are an ipe_lkm extension: not available with the kernel's built-in IPE"
#define NO_RULES_OLD \
	"this ipe_lkm has no per-rule counters (policies/NAME/rule_hits): it is older than ipectl"

/* Cut @text into its lines and parse each.  Return: 0 or -EBADMSG. */
static int parse_rule_hits(char *text, struct rules *ru)
{
	char *line, *save = NULL;
	size_t cap = 0;
	int end;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct rule_hit h;

		end = 0;
		if (sscanf(line, "%u %" SCNu64 " %n", &h.line, &h.hits,
			   &end) != 2 || !end || !line[end])
			return -EBADMSG;
		h.rule = line + end;
		if (ru->n == cap) {
			struct rule_hit *r;

			cap = cap ? 2 * cap : 64;
			r = realloc(ru->r, cap * sizeof(*r));
			if (!r)
				return -ENOMEM;
			ru->r = r;
		}
		ru->r[ru->n++] = h;
	}
	return 0;
}

/*
 * The active policy's rule_hits, into @ru (nothing without an active
 * policy).  Return: 0, or -errno when the file could not be read (then
 * ru->unavailable says why when that is not an error of the moment).
 */
static int read_rules(const struct status *st, struct rules *ru)
{
	char rel[512];
	ssize_t n;
	int rc;

	memset(ru, 0, sizeof(*ru));
	if (!st->t.module) {
		ru->unavailable = NO_RULES_BUILTIN;
		return -ENOTSUP;
	}
	if (!st->active[0])
		return 0;
	snprintf(rel, sizeof(rel), "policies/%s/rule_hits", st->active);
	n = ipectl_tree_read_all(&st->t, rel, &ru->text);
	if (n == -ESTALE)	/* updated while read: read the new one */
		n = ipectl_tree_read_all(&st->t, rel, &ru->text);
	if (n == -ENOENT) {
		char v[32];

		/* the policy is there, its counters are not */
		snprintf(rel, sizeof(rel), "policies/%s/version", st->active);
		if (ipectl_tree_read(&st->t, rel, v, sizeof(v)) >= 0)
			ru->unavailable = NO_RULES_OLD;
	}
	if (n < 0)
		return (int)n;
	rc = parse_rule_hits(ru->text, ru);
	if (rc == -EBADMSG)
		ipectl_error("%s/%s: not lines of '<line> <hits> <rule>'",
			     st->t.path, rel);
	return rc;
}

static void json_rules(const struct rules *ru, int err)
{
	size_t i;

	if (err) {
		fputs(",\"rules\":null", stdout);
		if (ru->unavailable) {
			fputs(",\"rules_unavailable\":", stdout);
			ipectl_json_str(stdout, ru->unavailable,
					strlen(ru->unavailable));
		}
		return;
	}
	fputs(",\"rules\":[", stdout);
	for (i = 0; i < ru->n; i++) {
		printf("%s{\"line\":%u,\"rule\":", i ? "," : "",
		       ru->r[i].line);
		ipectl_json_str(stdout, ru->r[i].rule, strlen(ru->r[i].rule));
		printf(",\"hits\":%" PRIu64 "}", ru->r[i].hits);
	}
	putchar(']');
}

static void print_rules(const struct status *st, const struct rules *ru)
{
	size_t i;

	if (!st->active[0]) {
		printf("\nrules:          none (no active policy)\n");
		return;
	}
	printf("\nrules of %s %s, hits since it was activated:\n", st->active,
	       st->version);
	printf("%10s  %5s  %s\n", "hits", "line", "rule");
	for (i = 0; i < ru->n; i++)
		printf("%10" PRIu64 "  %5u  %s\n", ru->r[i].hits,
		       ru->r[i].line, ru->r[i].rule);
}

/* Print the status (and the rules, @ru non-NULL) as one JSON object. */
static void print_json(const struct status *st, const struct configured *cf,
		       const struct rules *ru, int rules_err)
{
	printf("{\"enforcer\":\"%s\"", st->t.module ? "ipe_lkm" : "builtin");
	json_member("module_version", st->t.module ? st->module_version : "",
		    true);
	json_member("trust", st->trust, true);
	json_member("tree", st->t.path, true);
	printf(",\"enforce\":%s,\"success_audit\":%s,\"policies\":%zu,\"active\":",
	       st->enforce[0] == '1' ? "true" : "false",
	       st->success_audit[0] == '1' ? "true" : "false", st->loaded);
	if (st->active[0]) {
		fputs("{\"name\":", stdout);
		ipectl_json_str(stdout, st->active, strlen(st->active));
		printf(",\"version\":\"%s\"}", st->version);
	} else {
		fputs("null", stdout);
	}
	json_member("problem", st->problem, true);
	putchar(',');
	json_configured(cf);
	if (ru)
		json_rules(ru, rules_err);
	puts("}");
}

static void print_text(const struct status *st, const struct configured *cf)
{
	printf("enforcer:       %s\n", st->t.module ? "ipe_lkm (module)" :
						      "built-in IPE (kernel)");
	if (st->t.module) {
		printf("module version: %s\n",
		       st->module_version[0] ? st->module_version : "?");
		printf("signers:        %s%s\n", st->trust[0] ? st->trust : "?",
		       strstr(st->trust, "secondary") ||
		       strstr(st->trust, "platform") ?
		       " (Machine Owner Keys are trusted: DKMS's among them)" : "");
	}
	printf("tree:           %s\n", st->t.path);
	printf("enforce:        %s\n", st->enforce[0] == '1' ? "on" :
	       "off (permissive: denials are only audited)");
	printf("success_audit:  %s\n", st->success_audit[0] == '1' ? "on" : "off");
	printf("policies:       %zu loaded\n", st->loaded);
	if (st->active[0])
		printf("active policy:  %s %s\n", st->active, st->version);
	else
		printf("active policy:  none (everything is allowed)\n");
	print_configured(cf);
}

/*
 * --rules: say why there are no counters; return the exit status of the
 * whole command (@status: that of the rest).
 */
static int rules_status(const struct status *st, const struct rules *ru,
			int err, int status)
{
	if (!err)
		return status;
	if (ru->unavailable)
		ipectl_error("%s", ru->unavailable);
	else if (err != -EBADMSG)
		ipectl_error("cannot read the counters of '%s': %s",
			     st->active, strerror(-err));
	return IPECTL_EXIT_SYSTEM;
}

int cmd_status(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct ipectl_tree_opts c = { 0 };
	struct status st = { 0 };
	struct rules ru = { 0 };
	struct configured cf;
	const char *forced;
	int rc, rules_err = 0;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 0, "tjR");
	read_configured(&cf);
	forced = c.tree ? c.tree : getenv("IPECTL_TREE");
	rc = ipectl_tree_find(forced, &st.t);
	if (rc == -ENOENT && !forced)
		return status_no_tree(c.json, &cf);
	if (rc) {
		(void)ipectl_open_tree(c.tree, &st.t);	/* says why */
		return IPECTL_EXIT_SYSTEM;
	}
	read_status(&st, &cf);
	if (c.rules)
		rules_err = read_rules(&st, &ru);
	if (c.json) {
		print_json(&st, &cf, c.rules ? &ru : NULL, rules_err);
	} else {
		print_text(&st, &cf);
		if (c.rules && !rules_err)
			print_rules(&st, &ru);
	}
	free(ru.r);
	free(ru.text);
	rc = IPECTL_EXIT_OK;
	if (st.problem[0]) {
		ipectl_error("%s", st.problem);
		rc = IPECTL_EXIT_SYSTEM;
	}
	return c.rules ? rules_status(&st, &ru, rules_err, rc) : rc;
}
