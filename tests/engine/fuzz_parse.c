// SPDX-License-Identifier: MIT
/*
 * fuzz_parse.c - libFuzzer target: any bytes through the parser; a policy
 * that parses is evaluated for inputs derived from the same bytes, with the
 * index checked against a plain first-match walk, and rendered.
 *
 *   make -C tests/engine fuzz && tests/engine/fuzz_parse -max_total_time=3600 CORPUS
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipe_engine.h"

static void check_eval(const struct ipe_eng_policy *p, const u8 *data,
		       size_t size)
{
	struct ipe_eng_file_props fp = { 0 };
	struct ipe_eng_digest d = { "sha256", NULL, 0 };
	unsigned int op, i;
	char buf[128];

	/* use a digest from the policy when there is one, so rules can hit */
	for (op = 0; op < __IPE_ENG_OP_MAX && !d.digest; op++) {
		for (i = 0; i < p->tables[op].nrules; i++) {
			const struct ipe_eng_rule *r = p->tables[op].rules[i];

			if (r->nprops && (r->props[0].type == IPE_ENG_PROP_FSV_DIGEST ||
					  r->props[0].type == IPE_ENG_PROP_DMV_ROOTHASH)) {
				d = r->props[0].digest;
				break;
			}
		}
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
		if (op < __IPE_ENG_OP_MAX) {
			for (i = 0; i < p->tables[op].nrules && !want; i++) {
				if (ipe_eng_rule_matches(p->tables[op].rules[i], &ctx))
					want = p->tables[op].rules[i];
			}
		}
		if (m.rule != want)
			abort();
		if (ipe_eng_render_match(&m, IPE_ENG_RENDER_AUDIT, buf,
					 sizeof(buf)) < 10)
			abort();
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
	if (p)
		check_eval(p, data, size);
	ipe_eng_policy_free(p);
	return 0;
}
