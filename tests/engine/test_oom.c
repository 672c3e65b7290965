// SPDX-License-Identifier: MIT
/*
 * test_oom.c - every allocation of the parser fails in turn: each failure
 * must give -ENOMEM, no policy and (under LeakSanitizer) no leak.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ipe_engine.h"

static long fail_at = -1;	/* allocations left before one fails */

void *ipe_eng_test_calloc(size_t n, size_t size)
{
	if (fail_at == 0) {
		fail_at = -1;
		return NULL;
	}
	if (fail_at > 0)
		fail_at--;
	return calloc(n, size);
}

int main(void)
{
	static const char pol[] =
		"policy_name=t policy_version=1.2.3\nDEFAULT action=DENY\n"
		"op=EXECUTE fsverity_digest=sha256:abcd action=ALLOW\n"
		"op=KMODULE dmverity_roothash=sha256:abcd action=ALLOW\n"
		"op=EXECUTE boot_verified=TRUE action=ALLOW\n";
	struct ipe_eng_policy *p;
	struct ipe_eng_error e;
	long i, failures = 0;
	int rc = -ENOMEM;

	t_begin();
	for (i = 0; rc == -ENOMEM && i < 1000; i++) {
		fail_at = i;
		rc = ipe_eng_parse(pol, sizeof(pol) - 1, 0, NULL, NULL, &p, &e);
		if (rc == -ENOMEM) {
			failures++;
			CHECK(!p, "policy returned after ENOMEM");
			CHECK(e.err == -ENOMEM, "error says ENOMEM");
		}
	}
	fail_at = -1;
	CHECK(rc == 0 && p, "parse succeeds once allocations do: %d", rc);
	CHECK(failures >= 5, "only %ld allocation points", failures);
	ipe_eng_policy_free(p);
	t_end("each failed allocation gives ENOMEM and leaks nothing");
	return t_report();
}
