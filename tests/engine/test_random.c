// SPDX-License-Identifier: MIT
/*
 * test_random.c - random policies and inputs: the engine (with its digest
 * index) against a reference written here from upstream's semantics: walk
 * the rules in file order, first match wins, then the op's DEFAULT, then
 * the global one.  The reference works on the generator's own model of the
 * policy, not on anything the engine parsed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ipe_engine.h"

#define NDIG 24
#define MAXRULES 400
#define MAXPROPS 4

static const char *const algs[] = { "sha256", "sha512", "SHA256", "" };

struct mprop {
	int type;
	int alg;		/* for digests */
	int dig;		/* index into pool */
	int len;
};

struct mrule {
	int op;
	int action;
	int nprops;
	struct mprop p[MAXPROPS];
	unsigned int line;
};

struct model {
	int global;		/* 0 none, else action */
	int opdef[__IPE_ENG_OP_MAX];
	int nrules;
	struct mrule r[MAXRULES];
};

static u8 pool[NDIG][64];
static u64 rng_state = 0x12345678abcdefull;

static u32 rnd(u32 n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (u32)(rng_state % n);
}

static const char *const prop_text[] = {
	"boot_verified=FALSE", "boot_verified=TRUE", "dmverity_roothash=",
	"dmverity_signature=FALSE", "dmverity_signature=TRUE",
	"fsverity_digest=", "fsverity_signature=FALSE",
	"fsverity_signature=TRUE",
};

static void random_prop(struct mprop *p, bool digest_only)
{
	static const int digests[] = { IPE_ENG_PROP_DMV_ROOTHASH,
				       IPE_ENG_PROP_FSV_DIGEST };

	p->type = digest_only ? digests[rnd(2)] : (int)rnd(__IPE_ENG_PROP_MAX);
	p->alg = rnd(8) ? 0 : (int)rnd(4);
	p->dig = (int)rnd(NDIG);
	p->len = rnd(10) ? 32 : (int)rnd(4) * 2;
}

/* A random model and its text; returns the text length. */
static size_t generate(struct model *m, char *buf, size_t size)
{
	int nrules = (int)rnd(rnd(4) ? 40 : MAXRULES), i, j, k;
	unsigned int line = 1;
	size_t n = 0;

	memset(m, 0, sizeof(*m));
	n += (size_t)snprintf(buf + n, size - n, "policy_name=r policy_version=0.0.1\n");
	if (rnd(4)) {
		m->global = 1 + (int)rnd(2);
		n += (size_t)snprintf(buf + n, size - n, "DEFAULT action=%s\n",
				      m->global == 1 ? "ALLOW" : "DENY");
		line++;
	}
	for (i = 0; i < __IPE_ENG_OP_MAX; i++) {
		if (!m->global || rnd(3) == 0) {
			m->opdef[i] = 1 + (int)rnd(2);
			n += (size_t)snprintf(buf + n, size - n,
					      "DEFAULT op=%s action=%s\n",
					      ipe_eng_op_name(i),
					      m->opdef[i] == 1 ? "ALLOW" : "DENY");
			line++;
		}
	}
	for (i = 0; i < nrules; i++) {
		struct mrule *r = &m->r[i];
		bool single_digest = rnd(3) != 0;

		r->op = rnd(3) ? 0 : (int)rnd(__IPE_ENG_OP_MAX);
		r->action = 1 + (int)rnd(2);
		r->nprops = single_digest ? 1 : (int)rnd(MAXPROPS + 1);
		r->line = ++line;
		n += (size_t)snprintf(buf + n, size - n, "op=%s",
				      ipe_eng_op_name(r->op));
		for (j = 0; j < r->nprops; j++) {
			struct mprop *p = &r->p[j];

			random_prop(p, single_digest);
			n += (size_t)snprintf(buf + n, size - n, " %s",
					      prop_text[p->type]);
			if (p->type == IPE_ENG_PROP_DMV_ROOTHASH ||
			    p->type == IPE_ENG_PROP_FSV_DIGEST) {
				n += (size_t)snprintf(buf + n, size - n, "%s:",
						      algs[p->alg]);
				for (k = 0; k < p->len; k++)
					n += (size_t)snprintf(buf + n, size - n,
							      rnd(2) ? "%02x" : "%02X",
							      pool[p->dig][k]);
			}
		}
		n += (size_t)snprintf(buf + n, size - n, " action=%s\n",
				      r->action == 1 ? "ALLOW" : "DENY");
	}
	m->nrules = nrules;
	return n;
}

struct input {
	bool has_file, boot, dmv_signed, fsv_signed;
	int fsv, fsv_alg, fsv_len;	/* fsv < 0: not a verity file */
	int dmv, dmv_alg, dmv_len;	/* dmv < 0: no dm-verity */
	u32 unsupported;
	int op;
};

static bool dig_eq(const struct mprop *p, int dig, int alg, int len)
{
	return dig >= 0 && p->len == len && p->alg == alg &&
	       !memcmp(pool[p->dig], pool[dig], (size_t)len);
}

static bool ref_prop(const struct mprop *p, const struct input *in)
{
	bool f = in->has_file;

	if (in->unsupported & (1u << p->type))
		return false;
	switch (p->type) {
	case IPE_ENG_PROP_BOOT_VERIFIED_FALSE: return !(f && in->boot);
	case IPE_ENG_PROP_BOOT_VERIFIED_TRUE: return f && in->boot;
	case IPE_ENG_PROP_DMV_ROOTHASH:
		return f && dig_eq(p, in->dmv, in->dmv_alg, in->dmv_len);
	case IPE_ENG_PROP_DMV_SIG_FALSE: return !(f && in->dmv_signed);
	case IPE_ENG_PROP_DMV_SIG_TRUE: return f && in->dmv_signed;
	case IPE_ENG_PROP_FSV_DIGEST:
		return f && dig_eq(p, in->fsv, in->fsv_alg, in->fsv_len);
	case IPE_ENG_PROP_FSV_SIG_FALSE: return !(f && in->fsv_signed);
	case IPE_ENG_PROP_FSV_SIG_TRUE: return f && in->fsv_signed;
	}
	return false;
}

/* Reference: action and line of the deciding rule (0 for a DEFAULT). */
static int ref_eval(const struct model *m, const struct input *in,
		    unsigned int *line, int *type)
{
	int i, j;

	*line = 0;
	for (i = 0; i < m->nrules; i++) {
		const struct mrule *r = &m->r[i];
		bool ok = r->op == in->op;

		for (j = 0; ok && j < r->nprops; j++)
			ok = ref_prop(&r->p[j], in);
		if (ok) {
			*line = r->line;
			*type = IPE_ENG_MATCH_RULE;
			return r->action;
		}
	}
	if (m->opdef[in->op]) {
		*type = IPE_ENG_MATCH_TABLE;
		return m->opdef[in->op];
	}
	*type = IPE_ENG_MATCH_GLOBAL;
	return m->global;
}

static void random_input(struct input *in)
{
	memset(in, 0, sizeof(*in));
	in->has_file = rnd(8) != 0;
	in->boot = rnd(2);
	in->dmv_signed = rnd(2);
	in->fsv_signed = rnd(2);
	in->fsv = rnd(4) ? (int)rnd(NDIG) : -1;
	in->fsv_alg = rnd(8) ? 0 : (int)rnd(4);
	in->fsv_len = rnd(10) ? 32 : (int)rnd(4) * 2;
	in->dmv = rnd(3) ? (int)rnd(NDIG) : -1;
	in->dmv_alg = rnd(8) ? 0 : (int)rnd(4);
	in->dmv_len = rnd(10) ? 32 : (int)rnd(4) * 2;
	in->unsupported = rnd(16) ? 0 : (1u << rnd(__IPE_ENG_PROP_MAX));
	in->op = rnd(3) ? 0 : (int)rnd(__IPE_ENG_OP_MAX);
}

int main(int argc, char **argv)
{
	static char text[MAXRULES * 400];
	static struct model m;
	long iters = argc > 1 ? atol(argv[1]) : 3000;
	unsigned long evals = 0, mismatches = 0, rule_hits = 0;
	unsigned long mask_mismatches = 0, mask_evals = 0;
	long it;
	int i, j;

	for (i = 0; i < NDIG; i++)
		for (j = 0; j < 64; j++)
			pool[i][j] = (u8)rnd(256);
	/* two pool digests share a prefix, to exercise equal-prefix keys */
	memcpy(pool[1], pool[0], 16);

	t_begin();
	for (it = 0; it < iters; it++) {
		size_t len = generate(&m, text, sizeof(text));
		struct ipe_eng_policy *p;
		struct ipe_eng_error e;
		int k;

		if (ipe_eng_parse(text, len, 0, NULL, NULL, &p, &e)) {
			CHECK(0, "generated policy rejected: line %u: %s",
			      e.line, e.msg);
			break;
		}
		for (k = 0; k < 200; k++) {
			struct ipe_eng_digest fd, dd;
			struct ipe_eng_file_props fp = { 0 };
			struct ipe_eng_ctx ctx;
			struct ipe_eng_match mt;
			struct input in;
			unsigned int line;
			int want, type;

			random_input(&in);
			fp.boot_verified = in.boot;
			fp.dmv_signed = in.dmv_signed;
			fp.fsv_signed = in.fsv_signed;
			if (in.fsv >= 0) {
				fd = (struct ipe_eng_digest){ algs[in.fsv_alg],
					pool[in.fsv], (u32)in.fsv_len };
				fp.fsv_digest = &fd;
			}
			if (in.dmv >= 0) {
				dd = (struct ipe_eng_digest){ algs[in.dmv_alg],
					pool[in.dmv], (u32)in.dmv_len };
				fp.dmv_roothash = &dd;
			}
			ctx = (struct ipe_eng_ctx){ in.op,
				in.has_file ? &fp : NULL, in.unsupported };
			ipe_eng_eval(p, &ctx, &mt);
			want = ref_eval(&m, &in, &line, &type);
			evals++;
			rule_hits += type == IPE_ENG_MATCH_RULE;
			if ((int)mt.action != want || (int)mt.type != type ||
			    (mt.rule ? mt.rule->line : 0) != line) {
				if (!mismatches)
					CHECK(0, "policy %ld input %d: engine %d/%d line %u, reference %d/%d line %u",
					      it, k, mt.action, mt.type,
					      mt.rule ? mt.rule->line : 0, want,
					      type, line);
				mismatches++;
			}
			/*
			 * The module reads only the properties the op's rules
			 * test: leaving the others unset must not change
			 * anything.
			 */
			if (in.has_file) {
				u32 used = ipe_eng_props_used(p, in.op);
				struct ipe_eng_file_props part = { 0 };
				struct ipe_eng_match m2;

				if (used & IPE_ENG_PROPS_BOOT_VERIFIED)
					part.boot_verified = fp.boot_verified;
				if (used & IPE_ENG_PROPS_DMVERITY) {
					part.dmv_signed = fp.dmv_signed;
					part.dmv_roothash = fp.dmv_roothash;
				}
				if (used & IPE_ENG_PROPS_FSVERITY) {
					part.fsv_signed = fp.fsv_signed;
					part.fsv_digest = fp.fsv_digest;
				}
				ctx.file = &part;
				ipe_eng_eval(p, &ctx, &m2);
				if (m2.action != mt.action || m2.type != mt.type ||
				    m2.rule != mt.rule) {
					if (!mask_mismatches)
						CHECK(0, "policy %ld input %d: props_used %#x changes the outcome",
						      it, k, used);
					mask_mismatches++;
				}
				mask_evals += used != ((1u << __IPE_ENG_PROP_MAX) - 1);
			}
		}
		ipe_eng_policy_free(p);
	}
	CHECK(!mismatches, "%lu of %lu evaluations differ", mismatches, evals);
	CHECK(!mask_mismatches, "%lu evaluations differ with only the used properties",
	      mask_mismatches);
	CHECK(mask_evals > evals / 10, "props_used rarely leaves a property out: %lu",
	      mask_evals);
	CHECK(rule_hits > evals / 10, "inputs too rarely match a rule: %lu of %lu",
	      rule_hits, evals);
	printf("  %lu evaluations, %lu decided by a rule\n", evals, rule_hits);
	t_end("indexed evaluation equals first-match reference on random policies");
	return t_report();
}
