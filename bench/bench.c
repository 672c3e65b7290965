// SPDX-License-Identifier: MIT
/*
 * bench.c - ns per evaluation of fsverity_digest policies of 10, 1 000 and
 * 100 000 rules, for a file matching the first rule, the last rule, or none.
 * Every cell is measured in the same run, interleaved, and the ratio to the
 * 10-rule cell of the same column is printed: compare ratios, not absolute
 * ns, across machines.
 *
 *   bench/bench [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipe_engine.h"

static const unsigned int sizes[] = { 10, 1000, 100000 };
static const char *const cols[] = { "first", "last", "none" };
#define NS (sizeof(sizes) / sizeof(sizes[0]))
#define NC 3

static u64 rng = 0x9e3779b97f4a7c15ull;

static void fill(u8 *d)
{
	int i;

	for (i = 0; i < 32; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		d[i] = (u8)rng;
	}
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct cell {
	struct ipe_eng_policy *p;
	struct ipe_eng_ctx ctx;
	struct ipe_eng_file_props fp;
	struct ipe_eng_digest d;
	u8 bytes[32];
	double best;
};

/* The policy reads its text: it is kept (leaked) for the run. */
static struct ipe_eng_policy *make_policy(unsigned int n, u8 (*digs)[32])
{
	size_t size = 64 + (size_t)n * 128, len = 0;
	struct ipe_eng_policy *p;
	struct ipe_eng_error e;
	char *text = malloc(size);
	unsigned int i, j;

	if (!text)
		abort();
	len += (size_t)sprintf(text, "policy_name=bench policy_version=1.0.0\nDEFAULT action=DENY\n");
	for (i = 0; i < n; i++) {
		len += (size_t)sprintf(text + len, "op=EXECUTE fsverity_digest=sha256:");
		for (j = 0; j < 32; j++)
			len += (size_t)sprintf(text + len, "%02x", digs[i][j]);
		len += (size_t)sprintf(text + len, " action=ALLOW\n");
	}
	if (ipe_eng_parse(text, len, 0, NULL, NULL, &p, &e)) {
		fprintf(stderr, "bench: policy rejected: %s\n", e.msg);
		exit(2);
	}
	return p;
}

int main(int argc, char **argv)
{
	static struct cell cells[NS][NC];
	int rounds = argc > 1 ? atoi(argv[1]) : 15;
	const long iters = 200000;
	volatile int sink = 0;
	unsigned int s, c;
	int r;

	for (s = 0; s < NS; s++) {
		u8 (*digs)[32] = malloc(sizeof(*digs) * sizes[s]);
		struct ipe_eng_policy *p;
		unsigned int i;

		for (i = 0; i < sizes[s]; i++)
			fill(digs[i]);
		p = make_policy(sizes[s], digs);
		for (c = 0; c < NC; c++) {
			struct cell *x = &cells[s][c];

			x->p = p;
			if (c == 0)
				memcpy(x->bytes, digs[0], 32);
			else if (c == 1)
				memcpy(x->bytes, digs[sizes[s] - 1], 32);
			else
				fill(x->bytes);
			x->d = (struct ipe_eng_digest){ "sha256", x->bytes, 32 };
			x->fp.fsv_digest = &x->d;
			x->ctx.op = IPE_ENG_OP_EXECUTE;
			x->ctx.file = &x->fp;
			x->best = 1e30;
		}
		free(digs);
	}

	/* interleave the cells, keep each one's best round */
	for (r = 0; r < rounds; r++) {
		for (s = 0; s < NS; s++) {
			for (c = 0; c < NC; c++) {
				struct cell *x = &cells[s][c];
				struct ipe_eng_match m;
				double t0 = now_ns(), dt;
				long i;

				for (i = 0; i < iters; i++) {
					ipe_eng_eval(x->p, &x->ctx, &m);
					sink += m.action;
				}
				dt = (now_ns() - t0) / (double)iters;
				if (dt < x->best)
					x->best = dt;
			}
		}
	}

	printf("ns per evaluation (best of %d rounds of %ld), ratio to 10 rules\n",
	       rounds, iters);
	printf("%-8s", "rules");
	for (c = 0; c < NC; c++)
		printf(" %18s", cols[c]);
	printf("\n");
	for (s = 0; s < NS; s++) {
		printf("%-8u", sizes[s]);
		for (c = 0; c < NC; c++)
			printf("    %7.1f (%4.2fx)", cells[s][c].best,
			       cells[s][c].best / cells[0][c].best);
		printf("\n");
	}
	for (s = 0; s < NS; s++)
		ipe_eng_policy_free(cells[s][0].p);
	return sink == -1;
}
