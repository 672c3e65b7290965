// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * index.c - find single-digest rules by hash instead of by walking them.
 *
 * A rule whose only property is an fsverity_digest or a dmverity_roothash,
 * in its compact form (ipe_eng_rule_is_digest()), is indexed.  Each op's go
 * into an open-addressing table keyed by (property type, algorithm, digest
 * bytes), of 8 bytes a slot; for a key written several times
 * the table keeps the earliest rule, the only one that can ever match first.
 * Evaluation looks the file's digests up, then walks only the other rules
 * that come before the hit (see eval.c), so the answer is still exactly the
 * first match in file order, and the cost no longer grows with the number
 * of digest rules.
 */
#include "engine_priv.h"

struct slot {
	u32 hash;
	u32 rule1;	/* index in the policy's rules + 1; 0 = empty */
};

/*
 * The slots are an allocation of their own, of a power of two bytes: with
 * the mask in front of them, 100 000 rules' 1 MiB of slots took a 2 MiB
 * kmalloc() in the kernel.
 */
struct ipe_eng_index {
	u32 mask;
	struct slot *slots;
};

/*
 * The digest bytes, 8 at a time, through a multiply-xorshift mix.  Digests
 * are cryptographic, but policy text is not trusted to be: every byte is
 * mixed, so crafted prefixes cannot pile keys into one chain.  The
 * algorithm name is left out; equal digests under different names share a
 * chain and are told apart by the comparison.
 */
static u32 digest_hash(enum ipe_eng_prop_type type, const u8 *d, u32 len)
{
	const u64 k = 0x9e3779b97f4a7c15ull;
	u64 h = k ^ ((u64)len << 8) ^ (u64)type;
	u32 i = 0;

	for (; i + 8 <= len; i += 8) {
		u64 w;

		memcpy(&w, d + i, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	for (; i < len; i++) {
		h = (h ^ d[i]) * k;
		h ^= h >> 29;
	}
	return (u32)(h ^ (h >> 32));
}

/* Is indexed rule @r the digest @d (of @len bytes, @alg of @alg_len)? */
static bool rule_is(const struct ipe_eng_policy *p,
		    const struct ipe_eng_rule *r, enum ipe_eng_prop_type type,
		    const char *alg, u32 alg_len, const u8 *d, u32 len)
{
	const struct ipe_eng_kind *k = &p->kinds[r->kind];

	return r->shape == type && k->len == len && k->alg_len == alg_len &&
	       !memcmp(k->alg, alg, alg_len) &&
	       ipe_eng_hex_eq(p->text + r->at, d, len);
}

/* The first slot of @idx holding the key, or the empty one ending its run. */
static u32 find(const struct ipe_eng_policy *p, const struct ipe_eng_index *idx,
		u32 h, enum ipe_eng_prop_type type, const char *alg,
		u32 alg_len, const u8 *d, u32 len)
{
	u32 i;

	for (i = h & idx->mask; idx->slots[i].rule1; i = (i + 1) & idx->mask) {
		const struct slot *s = &idx->slots[i];

		if (s->hash == h && rule_is(p, &p->rules[s->rule1 - 1], type,
					    alg, alg_len, d, len))
			break;
	}
	return i;
}

/**
 * ipe_eng_index_build() - index the one-digest rules of one op.
 * @p: the policy, with its rules and kinds.
 * @op: the op.
 * @n: how many one-digest rules @op has.
 *
 * For a key written several times the index keeps the earliest rule.
 *
 * Context: may sleep (allocates).
 * Return: 0 (also when @n is 0: the op's index stays NULL), -ENOMEM.
 */
int ipe_eng_index_build(struct ipe_eng_policy *p, enum ipe_eng_op op, u32 n)
{
	struct ipe_eng_index *idx;
	u8 d[IPE_ENG_ONE_DIGEST_MAX];
	u32 cap = 8, i;

	if (!n)
		return 0;
	/* a load of at most 0.8: 10.5 bytes a rule for 100 000 rules */
	while (cap < n + n / 4)
		cap <<= 1;
	idx = ipe_eng_zalloc(sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	idx->slots = ipe_eng_zalloc_array(cap, sizeof(struct slot));
	if (!idx->slots) {
		ipe_eng_free(idx);
		return -ENOMEM;
	}
	idx->mask = cap - 1;
	p->tables[op].index = idx;

	for (i = 0; i < p->nrules; i++) {
		const struct ipe_eng_rule *r = &p->rules[i];
		const struct ipe_eng_kind *k = &p->kinds[r->kind];
		struct slot *s;
		u32 h;

		if (r->op != op || !ipe_eng_rule_is_digest(r))
			continue;
		ipe_eng_hex_decode(p->text + r->at, k->len, d);
		h = digest_hash((enum ipe_eng_prop_type)r->shape, d, k->len);
		s = &idx->slots[find(p, idx, h, (enum ipe_eng_prop_type)r->shape,
				     k->alg, k->alg_len, d, k->len)];
		if (s->rule1)
			continue;	/* an earlier rule with this key wins */
		s->hash = h;
		s->rule1 = i + 1;
	}
	return 0;
}

/**
 * ipe_eng_index_free() - free an index.
 * @idx: the index, or NULL.
 */
void ipe_eng_index_free(struct ipe_eng_index *idx)
{
	if (!idx)
		return;
	ipe_eng_free_array(idx->slots);
	ipe_eng_free(idx);
}

/**
 * ipe_eng_index_lookup() - the earliest indexed rule for a digest.
 * @p: the policy.
 * @t: one of its op tables.
 * @type: IPE_ENG_PROP_FSV_DIGEST or IPE_ENG_PROP_DMV_ROOTHASH.
 * @d: the file's digest.
 *
 * Context: any; takes no lock and does not sleep.
 * Return: that rule's index in @p->rules, or IPE_ENG_NO_POS.
 */
u32 ipe_eng_index_lookup(const struct ipe_eng_policy *p,
			 const struct ipe_eng_op_table *t,
			 enum ipe_eng_prop_type type,
			 const struct ipe_eng_digest *d)
{
	const struct ipe_eng_index *idx = t->index;
	u32 i;

	if (!idx)
		return IPE_ENG_NO_POS;
	i = find(p, idx, digest_hash(type, d->digest, d->len), type, d->alg,
		 (u32)strlen(d->alg), d->digest, d->len);
	return idx->slots[i].rule1 ? idx->slots[i].rule1 - 1 : IPE_ENG_NO_POS;
}
