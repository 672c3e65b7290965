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
		rc = ipectl_read_file(file, IPECTL_MAX_FILE, &raw, &n);
		if (rc) {
			ipectl_error("%s: cannot read: %s", file, strerror(-rc));
			return IPECTL_EXIT_INPUT;
		}
		snprintf(from, fromlen, "%s", file);
		if ((n && raw[0] == 0x30) ||
		    ipectl_appended_split(raw, n, &tl, &sl) != -ENODATA) {
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

int cmd_explain(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "op", required_argument, NULL, 'o' },
		{ "policy", required_argument, NULL, 'p' },
		{ "tree", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy = NULL, *tree = NULL;
	enum ipe_eng_op op = IPE_ENG_OP_EXECUTE;
	struct ipectl_file_props fp;
	struct ipe_eng_policy *p = NULL;
	struct ipe_eng_error e;
	struct ipe_eng_match m;
	struct ipe_eng_ctx ctx;
	unsigned char *text = NULL;
	char note[256], from[4200], rule[4096];
	bool json = false;
	size_t len;
	int c, rc, status;

	while ((c = getopt_long(argc, argv, "o:p:t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (ipe_eng_parse_op(optarg, &op)) {
				ipectl_error("unknown op '%s' (EXECUTE, FIRMWARE, KMODULE, KEXEC_IMAGE, KEXEC_INITRAMFS, POLICY, X509_CERT)",
					     optarg);
				return IPECTL_EXIT_INPUT;
			}
			break;
		case 'p': policy = optarg; break;
		case 't': tree = optarg; break;
		case 'j': json = true; break;
		case 'h': ipectl_usage(cmd, stdout); return IPECTL_EXIT_OK;
		default: ipectl_usage(cmd, stderr); return IPECTL_EXIT_INPUT;
		}
	}
	if (optind != argc - 1) {
		ipectl_usage(cmd, stderr);
		return IPECTL_EXIT_INPUT;
	}
	rc = ipectl_file_props(argv[optind], &fp, note, sizeof(note));
	if (rc) {
		ipectl_error("%s: %s", argv[optind], strerror(-rc));
		return IPECTL_EXIT_INPUT;
	}
	status = policy_text(policy, tree, &text, &len, from, sizeof(from));
	if (status)
		return status;
	if (ipe_eng_parse((const char *)text, len, 0, NULL, NULL, &p, &e)) {
		ipectl_error("%s: invalid policy: line %u: %s (%s)", from,
			     e.line, e.msg, ipectl_errno_name(e.err));
		free(text);
		return IPECTL_EXIT_INPUT;
	}
	ctx = (struct ipe_eng_ctx){ .op = op, .file = &fp.props };
	ipe_eng_eval(p, &ctx, &m);
	ipe_eng_render_match(&m, IPE_ENG_RENDER_POLICY, rule, sizeof(rule));

	if (json) {
		fputs("{\"file\":", stdout);
		ipectl_json_str(stdout, argv[optind], strlen(argv[optind]));
		printf(",\"op\":\"%s\",\"properties\":{\"boot_verified\":%s,\"dmverity_signature\":%s,\"fsverity_signature\":%s",
		       ipe_eng_op_name(op),
		       fp.props.boot_verified ? "true" : "false",
		       fp.props.dmv_signed ? "true" : "false",
		       fp.props.fsv_signed ? "true" : "false");
		json_digest("dmverity_roothash", fp.props.dmv_roothash);
		json_digest("fsverity_digest", fp.props.fsv_digest);
		fputs("},\"policy\":", stdout);
		ipectl_json_str(stdout, p->name, strlen(p->name));
		printf(",\"action\":\"%s\",\"rule\":", ipe_eng_action_name(m.action));
		ipectl_json_str(stdout, rule, strlen(rule));
		printf(",\"line\":%u,\"note\":", m.rule ? m.rule->line : 0);
		ipectl_json_str(stdout, note, strlen(note));
		fputs("}\n", stdout);
	} else {
		printf("file:        %s\n", argv[optind]);
		print_props(&fp);
		printf("policy:      '%s' %u.%u.%u, from %s\n", p->name,
		       p->version[0], p->version[1], p->version[2], from);
		printf("op:          %s\n", ipe_eng_op_name(op));
		printf("decision:    %s\n", ipe_eng_action_name(m.action));
		if (m.rule)
			printf("decided by:  line %u: %s\n", m.rule->line, rule);
		else
			printf("decided by:  %s (no rule matched)\n", rule);
		if (note[0])
			printf("note:        %s\n", note);
	}
	ipe_eng_policy_free(p);
	free(text);
	return IPECTL_EXIT_OK;
}
