// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * index.c - find single-digest rules by hash instead of by walking them.
 *
 * A rule whose only property is an fsverity_digest or a dmverity_roothash
 * is "eligible".  Each op's eligible rules go into an open-addressing table
 * keyed by (property type, digest bytes); for a key written several times
 * the table keeps the earliest rule, the only one that can ever match first.
 * Evaluation looks the file's digests up, then walks only the other rules
 * that come before the hit (see eval.c), so the answer is still exactly the
 * first match in file order, and the cost no longer grows with the number
 * of digest rules.
 */
#include "engine_priv.h"

struct slot {
	u32 hash;
	u32 pos1;	/* rule position + 1; 0 = empty */
};

struct ipe_eng_index {
	u32 mask;
	struct slot *slots;
};

/**
 * ipe_eng_index_eligible() - does the index hold this rule?
 * @r: a rule.
 *
 * Return: true if its only property is a digest.
 */
bool ipe_eng_index_eligible(const struct ipe_eng_rule *r)
{
	return r->nprops == 1 &&
	       (r->props[0].type == IPE_ENG_PROP_FSV_DIGEST ||
		r->props[0].type == IPE_ENG_PROP_DMV_ROOTHASH);
}

/*
 * The digest bytes, 8 at a time, through a multiply-xorshift mix.  Digests
 * are cryptographic, but policy text is not trusted to be: every byte is
 * mixed, so crafted prefixes cannot pile keys into one chain.  The
 * algorithm name is left out; equal digests under different names share a
 * chain and are told apart by ipe_eng_digest_eq().
 */
static u32 digest_hash(enum ipe_eng_prop_type type,
		       const struct ipe_eng_digest *d)
{
	const u64 k = 0x9e3779b97f4a7c15ull;
	u64 h = k ^ ((u64)d->len << 8) ^ (u64)type;
	u32 i = 0;

	for (; i + 8 <= d->len; i += 8) {
		u64 w;

		memcpy(&w, d->digest + i, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	for (; i < d->len; i++) {
		h = (h ^ d->digest[i]) * k;
		h ^= h >> 29;
	}
	return (u32)(h ^ (h >> 32));
}

/**
 * ipe_eng_index_build() - index the eligible rules of one op.
 * @t: the op's table, with @t->rules filled in.
 *
 * Context: may sleep (allocates).
 * Return: 0 (also when nothing is eligible: @t->index stays NULL), -ENOMEM.
 */
int ipe_eng_index_build(struct ipe_eng_op_table *t)
{
	struct ipe_eng_index *idx;
	u32 n = t->nrules - t->nplain, cap = 8, i;

	if (!n)
		return 0;
	while (cap < n * 2)
		cap <<= 1;

	idx = ipe_eng_zalloc(sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	idx->slots = ipe_eng_zalloc_array(cap, sizeof(*idx->slots));
	if (!idx->slots) {
		ipe_eng_free(idx);
		return -ENOMEM;
	}
	idx->mask = cap - 1;
	t->index = idx;

	for (i = 0; i < t->nrules; i++) {
		const struct ipe_eng_rule *r = t->rules[i];
		const struct ipe_eng_prop *p = &r->props[0];
		u32 h, s;

		if (!ipe_eng_index_eligible(r))
			continue;
		/* an earlier rule with the same key already wins */
		if (ipe_eng_index_lookup(t, p->type, &p->digest) != IPE_ENG_NO_POS)
			continue;
		h = digest_hash(p->type, &p->digest);
		for (s = h & idx->mask; idx->slots[s].pos1; s = (s + 1) & idx->mask)
			;
		idx->slots[s].hash = h;
		idx->slots[s].pos1 = r->pos + 1;
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
 * @t: an op's table.
 * @type: IPE_ENG_PROP_FSV_DIGEST or IPE_ENG_PROP_DMV_ROOTHASH.
 * @d: the file's digest.
 *
 * Context: any; takes no lock and does not sleep.
 * Return: that rule's position, or IPE_ENG_NO_POS.
 */
u32 ipe_eng_index_lookup(const struct ipe_eng_op_table *t,
			 enum ipe_eng_prop_type type,
			 const struct ipe_eng_digest *d)
{
	const struct ipe_eng_index *idx = t->index;
	u32 h, s;

	if (!idx)
		return IPE_ENG_NO_POS;
	h = digest_hash(type, d);
	for (s = h & idx->mask; idx->slots[s].pos1; s = (s + 1) & idx->mask) {
		const struct ipe_eng_prop *p;

		if (idx->slots[s].hash != h)
			continue;
		p = &t->rules[idx->slots[s].pos1 - 1]->props[0];
		if (p->type == type && ipe_eng_digest_eq(&p->digest, d))
			return idx->slots[s].pos1 - 1;
	}
	return IPE_ENG_NO_POS;
}
