// SPDX-License-Identifier: MIT
/*
 * test_mem.c - what a parsed policy of 100 000 fsverity_digest rules costs:
 * every byte the engine allocates is counted (and the most held at once,
 * while parsing), and must stay within the budget of issue 17: 16 MiB of
 * kernel memory with the 11.2 MB text kept, i.e. at most 45 bytes a rule.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "engine_priv.h"

#define NRULES 100000
#define BUDGET_PER_RULE 45

static size_t live, peak;

/* A size header before each block, so that a free knows what it frees. */
void *ipe_eng_test_calloc(size_t n, size_t size)
{
	size_t *b = calloc(1, 16 + n * size);

	if (!b)
		return NULL;
	*b = n * size;
	live += *b;
	if (live > peak)
		peak = live;
	return (char *)b + 16;
}

void ipe_eng_test_free(void *p)
{
	size_t *b;

	if (!p)
		return;
	b = (size_t *)((char *)p - 16);
	live -= *b;
	free(b);
}

static u64 rng = 0x9e3779b97f4a7c15ull;

static u8 next_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (u8)rng;
}

/* The policy of the issue: one digest rule a line; @last: the last digest. */
static char *make_text(size_t *len, u8 last[32])
{
	static const char hex[] = "0123456789abcdef";
	static const char head[] =
		"policy_name=big policy_version=1.0.0\nDEFAULT action=DENY\n";
	char *t = malloc(sizeof(head) + (size_t)NRULES * 112), *at = t;
	unsigned int i, j;

	if (!t)
		abort();
	at += sprintf(at, "%s", head);
	for (i = 0; i < NRULES; i++) {
		at += sprintf(at, "op=EXECUTE fsverity_digest=sha256:");
		for (j = 0; j < 32; j++) {
			last[j] = next_byte();
			*at++ = hex[last[j] >> 4];
			*at++ = hex[last[j] & 15];
		}
		at += sprintf(at, " action=ALLOW\n");
	}
	*len = (size_t)(at - t);
	return t;
}

static void test_budget(void)
{
	struct ipe_eng_policy *p = NULL;
	struct ipe_eng_error e;
	struct ipe_eng_digest d = { "sha256", NULL, 32 };
	struct ipe_eng_file_props fp = { .fsv_digest = &d };
	struct ipe_eng_ctx ctx = { .op = IPE_ENG_OP_EXECUTE, .file = &fp };
	struct ipe_eng_match m;
	u8 last[32];
	size_t len, held;
	char *text = make_text(&len, last);

	t_begin();
	CHECK(!ipe_eng_parse(text, len, 0, NULL, NULL, &p, &e), "parse");
	if (p) {
		held = live;
		printf("  %u rules: %zu bytes held (%.1f a rule), %zu at most while parsing (%.1f a rule)\n",
		       p->nrules, held, (double)held / NRULES, peak,
		       (double)peak / NRULES);
		CHECK(p->nrules == NRULES, "nrules %u", p->nrules);
		CHECK(held <= (size_t)NRULES * BUDGET_PER_RULE,
		      "%zu bytes held, budget %d a rule", held,
		      NRULES * BUDGET_PER_RULE);
		CHECK(peak <= (size_t)NRULES * BUDGET_PER_RULE,
		      "%zu bytes at most while parsing", peak);
		d.digest = last;
		ipe_eng_eval(p, &ctx, &m);
		CHECK(m.rule && m.rule == &p->rules[NRULES - 1] &&
		      ipe_eng_match_slot(p, &m) == NRULES - 1,
		      "the last rule decides its digest");
	}
	ipe_eng_policy_free(p);
	CHECK(live == 0, "%zu bytes not freed", live);
	free(text);
	t_end("100 000 digest rules fit in 45 bytes a rule");
}

int main(void)
{
	test_budget();
	return t_report();
}
