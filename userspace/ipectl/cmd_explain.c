// SPDX-License-Identifier: MIT
/*
 * cmd_explain.c - `ipectl explain`: which rule decides for a file, and why.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileprops.h"
#include "ipe_engine.h"
#include "ipectl.h"
#include "pkcs7.h"
#include "tree.h"

static void print_digest(const char *key, const struct ipe_eng_digest *d)
{
	u32 i;

	printf(" %s=%s:", key, d->alg);
	for (i = 0; i < d->len; i++)
		printf("%02x", d->digest[i]);
}

static void print_props(const struct ipectl_file_props *fp)
{
	const struct ipe_eng_file_props *p = &fp->props;

	printf("properties:  boot_verified=%s", p->boot_verified ? "TRUE" : "FALSE");
	if (p->dmv_roothash)
		print_digest("dmverity_roothash", p->dmv_roothash);
	printf(" dmverity_signature=%s", p->dmv_signed ? "TRUE" : "FALSE");
	if (p->fsv_digest)
		print_digest("fsverity_digest", p->fsv_digest);
	printf(" fsverity_signature=%s\n", p->fsv_signed ? "TRUE" : "FALSE");
}

static void json_digest(const char *key, const struct ipe_eng_digest *d)
{
	u32 i;

	printf(",\"%s\":", key);
	if (!d) {
		fputs("null", stdout);
		return;
	}
	printf("\"%s:", d->alg);
	for (i = 0; i < d->len; i++)
		printf("%02x", d->digest[i]);
	fputc('"', stdout);
}

/* The policy text: --policy FILE (plain or signed), or the active one. */
static int policy_text(const char *file, const char *forced_tree,
		       unsigned char **text, size_t *len, char *from,
		       size_t fromlen)
{
	struct ipectl_tree t;
	char name[256], rel[512], err[512], *signer = NULL;
	unsigned char *raw;
	size_t n, tl, sl;
	bool appended;
	ssize_t r;
	int rc;

	if (file) {
		rc = ipectl_read_input(file, &raw, &n);
		if (rc)
			return rc;
		snprintf(from, fromlen, "%s", file);
		if (ipe_eng_policy_form(raw, n, &tl, &sl) != IPE_ENG_FORM_TEXT) {
			rc = ipectl_verify_any(raw, n, NULL, text, len, &signer,
					       &appended, err, sizeof(err));
			free(raw);
			free(signer);
			if (rc) {
				ipectl_error("%s: %s", file, err);
				return IPECTL_EXIT_INPUT;
			}
			return 0;
		}
		*text = raw;
		*len = n;
		return 0;
	}
	if (ipectl_tree_find(forced_tree, &t)) {
		ipectl_error("no IPE policy tree: give a policy with --policy FILE");
		return IPECTL_EXIT_SYSTEM;
	}
	if (ipectl_tree_active(&t, name, sizeof(name)) != 1) {
		ipectl_error("no policy is active (everything is allowed): give one with --policy FILE");
		return IPECTL_EXIT_INPUT;
	}
	*text = malloc(IPECTL_MAX_FILE);
	if (!*text)
		return IPECTL_EXIT_SYSTEM;
	snprintf(rel, sizeof(rel), "policies/%s/policy", name);
	r = ipectl_tree_read(&t, rel, (char *)*text, IPECTL_MAX_FILE);
	if (r < 0) {
		ipectl_error("cannot read the active policy: %s", strerror((int)-r));
		free(*text);
		return IPECTL_EXIT_SYSTEM;
	}
	*len = (size_t)r;
	snprintf(from, fromlen, "the active policy (%s)", t.path);
	return 0;
}

/* One decision to explain: the file, its properties, the verdict. */
struct explained {
	const char *file;
	enum ipe_eng_op op;
	struct ipectl_file_props fp;
	char note[256];			/* about the properties, or "" */
	const struct ipe_eng_policy *p;
	const char *from;		/* where the policy came from */
	struct ipe_eng_match m;
	char rule[4096];		/* the deciding rule, rendered */
};

static void print_json(const struct explained *x)
{
	fputs("{\"file\":", stdout);
	ipectl_json_str(stdout, x->file, strlen(x->file));
	printf(",\"op\":\"%s\",\"properties\":{\"boot_verified\":%s,\"dmverity_signature\":%s,\"fsverity_signature\":%s",
	       ipe_eng_op_name(x->op),
	       x->fp.props.boot_verified ? "true" : "false",
	       x->fp.props.dmv_signed ? "true" : "false",
	       x->fp.props.fsv_signed ? "true" : "false");
	json_digest("dmverity_roothash", x->fp.props.dmv_roothash);
	json_digest("fsverity_digest", x->fp.props.fsv_digest);
	fputs("},\"policy\":", stdout);
	ipectl_json_str(stdout, x->p->name, strlen(x->p->name));
	printf(",\"action\":\"%s\",\"rule\":", ipe_eng_action_name(x->m.action));
	ipectl_json_str(stdout, x->rule, strlen(x->rule));
	printf(",\"line\":%u,\"note\":", x->m.rule ? x->m.rule->line : 0);
	ipectl_json_str(stdout, x->note, strlen(x->note));
	fputs("}\n", stdout);
}

static void print_text(const struct explained *x)
{
	printf("file:        %s\n", x->file);
	print_props(&x->fp);
	printf("policy:      '%s' %u.%u.%u, from %s\n", x->p->name,
	       x->p->version[0], x->p->version[1], x->p->version[2], x->from);
	printf("op:          %s\n", ipe_eng_op_name(x->op));
	printf("decision:    %s\n", ipe_eng_action_name(x->m.action));
	if (x->m.rule)
		printf("decided by:  line %u: %s\n", x->m.rule->line, x->rule);
	else
		printf("decided by:  %s (no rule matched)\n", x->rule);
	if (x->note[0])
		printf("note:        %s\n", x->note);
}

/* What `ipectl explain` was asked for. */
struct explain_args {
	const char *policy;
	const char *tree;
	bool json;
};

/* Return: 0, or -(exit status) to return. */
static int parse_args(const struct ipectl_cmd *cmd, int argc, char *argv[],
		      struct explain_args *a, struct explained *x)
{
	static const struct option opts[] = {
		{ "op", required_argument, NULL, 'o' },
		{ "policy", required_argument, NULL, 'p' },
		{ "tree", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:p:t:j", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (ipe_eng_parse_op(optarg, &x->op)) {
				ipectl_error("unknown op '%s' (EXECUTE, FIRMWARE, KMODULE, KEXEC_IMAGE, KEXEC_INITRAMFS, POLICY, X509_CERT)",
					     optarg);
				return -IPECTL_EXIT_INPUT;
			}
			break;
		case 'p': a->policy = optarg; break;
		case 't': a->tree = optarg; break;
		case 'j': a->json = true; break;
		default: ipectl_usage(cmd, stderr); return -IPECTL_EXIT_INPUT;
		}
	}
	if (optind != argc - 1) {
		ipectl_usage(cmd, stderr);
		return -IPECTL_EXIT_INPUT;
	}
	x->file = argv[optind];
	return 0;
}

int cmd_explain(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct explained x = { .op = IPE_ENG_OP_EXECUTE };
	struct explain_args a = { 0 };
	struct ipe_eng_policy *p = NULL;
	struct ipe_eng_error e;
	struct ipe_eng_ctx ctx;
	unsigned char *text = NULL;
	char from[4200];
	size_t len;
	int rc, status;

	rc = parse_args(cmd, argc, argv, &a, &x);
	if (rc)
		return -rc;
	rc = ipectl_file_props(x.file, &x.fp, x.note, sizeof(x.note));
	if (rc) {
		ipectl_error("%s: %s", x.file, strerror(-rc));
		return IPECTL_EXIT_INPUT;
	}
	status = policy_text(a.policy, a.tree, &text, &len, from, sizeof(from));
	if (status)
		return status;
	if (ipe_eng_parse((const char *)text, len, 0, NULL, NULL, &p, &e)) {
		ipectl_error("%s: invalid policy: line %u: %s (%s)", from,
			     e.line, e.msg, ipectl_errno_name(e.err));
		free(text);
		return IPECTL_EXIT_INPUT;
	}
	x.p = p;
	x.from = from;
	ctx = (struct ipe_eng_ctx){ .op = x.op, .file = &x.fp.props };
	ipe_eng_eval(p, &ctx, &x.m);
	ipe_eng_render_match(&x.m, IPE_ENG_RENDER_POLICY, x.rule,
			     sizeof(x.rule));
	if (a.json)
		print_json(&x);
	else
		print_text(&x);
	ipe_eng_policy_free(p);
	free(text);
	return IPECTL_EXIT_OK;
}
