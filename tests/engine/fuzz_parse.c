// SPDX-License-Identifier: MIT
/*
 * fuzz_parse.c - libFuzzer target: any bytes through the parser; a policy
 * that parses is evaluated for inputs derived from the same bytes, with the
 * index checked against a plain first-match walk, and rendered; its first
 * rules, rendered as policy text, parse back into the same rules.
 *
 *   make -C tests/engine fuzz-run-parse FUZZ_SECONDS=3600
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"	/* the property table, digest_eq */

static void check_eval(const struct ipe_eng_policy *p, const u8 *data,
		       size_t size)
{
	struct ipe_eng_file_props fp = { 0 };
	struct ipe_eng_digest d = { "sha256", NULL, 0 };
	struct ipe_eng_prop_buf pb;
	unsigned int op, i;
	char buf[128];

	/* use a digest from the policy when there is one, so rules can hit */
	for (i = 0; i < p->nrules && !d.digest; i++) {
		const struct ipe_eng_rule *r = &p->rules[i];
		const struct ipe_eng_prop *x;

		if (!ipe_eng_rule_nprops(p, r))
			continue;
		x = ipe_eng_rule_prop(p, r, 0, &pb);
		if (x->type == IPE_ENG_PROP_FSV_DIGEST ||
		    x->type == IPE_ENG_PROP_DMV_ROOTHASH)
			d = x->digest;
	}
	fp.boot_verified = size & 1;
	fp.dmv_signed = size & 2;
	fp.fsv_signed = size & 4;
	fp.fsv_digest = d.digest ? &d : NULL;
	fp.dmv_roothash = (size & 8) && d.digest ? &d : NULL;

	for (op = 0; op <= __IPE_ENG_OP_MAX; op++) {
		struct ipe_eng_ctx ctx = { (enum ipe_eng_op)op,
			(size && (data[0] & 1)) ? NULL : &fp, 0 };
		struct ipe_eng_match m;
		const struct ipe_eng_rule *want = NULL;

		ipe_eng_eval(p, &ctx, &m);
		for (i = 0; op < __IPE_ENG_OP_MAX && i < p->nrules && !want;
		     i++) {
			if (p->rules[i].op == op &&
			    ipe_eng_rule_matches(p, &p->rules[i], &ctx))
				want = &p->rules[i];
		}
		if (m.rule != want)
			abort();
		if (ipe_eng_render_match(&m, IPE_ENG_RENDER_AUDIT, buf,
					 sizeof(buf)) < 10)
			abort();
	}
}

static bool same_rule(const struct ipe_eng_policy *p,
		      const struct ipe_eng_rule *a,
		      const struct ipe_eng_policy *q,
		      const struct ipe_eng_rule *b)
{
	u32 i, n = ipe_eng_rule_nprops(p, a);
	struct ipe_eng_prop_buf xb, yb;

	if (a->op != b->op || a->action != b->action ||
	    n != ipe_eng_rule_nprops(q, b))
		return false;
	for (i = 0; i < n; i++) {
		const struct ipe_eng_prop *x = ipe_eng_rule_prop(p, a, i, &xb);
		const struct ipe_eng_prop *y = ipe_eng_rule_prop(q, b, i, &yb);

		if (x->type != y->type)
			return false;
		if (ipe_eng_prop_defs[x->type].digest &&
		    !ipe_eng_digest_eq(&x->digest, &y->digest))
			return false;
	}
	return true;
}

/* Rule @r of @p, rendered as policy text, parses back alone into itself. */
static void round_trip(const struct ipe_eng_policy *p,
		       const struct ipe_eng_rule *r)
{
	static const char head[] =
		"policy_name=r policy_version=0.0.0\nDEFAULT action=DENY\n";
	struct ipe_eng_match m = { (enum ipe_eng_action)r->action,
		IPE_ENG_MATCH_RULE, (enum ipe_eng_op)r->op, r, p };
	struct ipe_eng_policy *q = NULL;
	size_t n = ipe_eng_render_match(&m, IPE_ENG_RENDER_POLICY, NULL, 0);
	char *text = malloc(sizeof(head) + n + 1);

	if (!text)
		abort();
	memcpy(text, head, sizeof(head) - 1);
	ipe_eng_render_match(&m, IPE_ENG_RENDER_POLICY,
			     text + sizeof(head) - 1, n + 1);
	if (ipe_eng_parse(text, sizeof(head) - 1 + n, 0, NULL, NULL, &q,
			  NULL) ||
	    q->nrules != 1 || q->tables[r->op].nrules != 1 ||
	    !same_rule(p, r, q, &q->rules[0]))
		abort();
	ipe_eng_policy_free(q);
	free(text);
}

/* Round trip the first rules of each op. */
static void check_render_parse(const struct ipe_eng_policy *p)
{
	unsigned int seen[__IPE_ENG_OP_MAX] = { 0 }, i;

	for (i = 0; i < p->nrules; i++) {
		if (seen[p->rules[i].op]++ < 4)
			round_trip(p, &p->rules[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipe_eng_policy *p = NULL;
	struct ipe_eng_error e;
	int rc;

	rc = ipe_eng_parse((const char *)data, size, IPE_ENG_PARSE_ALL_ERRORS,
			   NULL, NULL, &p, &e);
	if (!rc != !!p)
		abort();
	if (rc && rc != -EBADMSG && rc != -EINVAL && rc != -ERANGE)
		abort();
	if (p) {
		rc = ipe_eng_check_name(p->name);
		if (rc && rc != -EACCES && rc != -ENAMETOOLONG)
			abort();
		check_eval(p, data, size);
		check_render_parse(p);
	}
	ipe_eng_policy_free(p);
	return 0;
}
