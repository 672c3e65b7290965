/* SPDX-License-Identifier: MIT */
/*
 * harness.h - the smallest test harness: CHECK() records, main() reports
 * "PASS name" / "FAIL name: why" per case and "N passed, N failed".
 */
#ifndef IPE_TEST_HARNESS_H
#define IPE_TEST_HARNESS_H

#include <stdio.h>

static unsigned int t_passed, t_failed;
static int t_case_failed;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			if (!t_case_failed)                                \
				fputs("  ", stdout);                       \
			t_case_failed = 1;                                 \
			printf("[%s:%d] ", __FILE__, __LINE__);            \
			printf(__VA_ARGS__);                               \
			fputs("\n  ", stdout);                             \
		}                                                          \
	} while (0)

static inline void t_begin(void)
{
	t_case_failed = 0;
}

static inline void t_end(const char *name)
{
	if (t_case_failed) {
		t_failed++;
		printf("\nFAIL %s\n", name);
	} else {
		t_passed++;
		printf("PASS %s\n", name);
	}
}

static inline int t_report(void)
{
	printf("%u passed, %u failed\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}

#endif
