// SPDX-License-Identifier: MIT
/*
 * test_oom.c - every allocation of the parser fails in turn: each failure
 * must give -ENOMEM and no policy (the parser sizes every store exactly
 * before it allocates, so none is best effort), never (under
 * LeakSanitizer) a leak; with no failure the policy decides as it should.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ipe_engine.h"

static long fail_at = -1;	/* allocations left before one fails */
static bool injected;		/* the failure happened */

void *ipe_eng_test_calloc(size_t n, size_t size)
{
	if (fail_at == 0) {
		fail_at = -1;
		injected = true;
		return NULL;
	}
	if (fail_at > 0)
		fail_at--;
	return calloc(n, size);
}

void ipe_eng_test_free(void *p)
{
	free(p);
}

int main(void)
{
	static const char pol[] =
		"policy_name=t policy_version=1.2.3\nDEFAULT action=DENY\n"
		"op=EXECUTE fsverity_digest=sha256:abcd action=ALLOW\n"
		"op=KMODULE dmverity_roothash=sha256:abcd action=ALLOW\n"
		"op=EXECUTE boot_verified=TRUE action=ALLOW\n"
		"op=X509_CERT boot_verified=TRUE dmverity_roothash=sha1:01 action=DENY\n";
	static const u8 dig[2] = { 0xab, 0xcd };
	const struct ipe_eng_digest d = { "sha256", dig, 2 };
	const struct ipe_eng_file_props fp = { .fsv_digest = &d };
	const struct ipe_eng_ctx ctx = { .op = IPE_ENG_OP_EXECUTE, .file = &fp };
	struct ipe_eng_policy *p;
	struct ipe_eng_error e;
	struct ipe_eng_match m;
	long i, failures = 0;
	int rc;

	t_begin();
	for (i = 0; i < 1000; i++) {
		fail_at = i;
		injected = false;
		rc = ipe_eng_parse(pol, sizeof(pol) - 1, 0, NULL, NULL, &p, &e);
		fail_at = -1;
		if (rc == -ENOMEM) {
			failures++;
			CHECK(!p, "policy returned after ENOMEM");
			CHECK(e.err == -ENOMEM, "error says ENOMEM");
			continue;
		}
		CHECK(rc == 0 && p, "parse: %d", rc);
		if (!p)
			break;
		ipe_eng_eval(p, &ctx, &m);
		CHECK(p->nrules == 4 && !strcmp(p->name, "t") &&
		      m.type == IPE_ENG_MATCH_RULE && m.rule->line == 3 &&
		      m.action == IPE_ENG_ACTION_ALLOW,
		      "allocation %ld: the policy decides as it should", i);
		ipe_eng_policy_free(p);
		CHECK(!injected, "allocation %ld failed, yet a policy", i);
		break;
	}
	CHECK(i < 1000, "more than 1000 allocations");
	CHECK(failures >= 5, "only %ld allocation points fail", failures);
	t_end("each failed allocation gives ENOMEM or a whole policy, and leaks nothing");
	return t_report();
}
