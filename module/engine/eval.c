// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * eval.c - decide an access: first matching rule, then DEFAULTs.
 */
#include "engine_priv.h"

/**
 * ipe_eng_rule_matches() - do all of a rule's properties hold?
 * @p: the rule's policy.
 * @r: the rule.
 * @ctx: what is being decided.
 *
 * Return: true if every property is true (always, for a rule without any).
 */
bool ipe_eng_rule_matches(const struct ipe_eng_policy *p,
			  const struct ipe_eng_rule *r,
			  const struct ipe_eng_ctx *ctx)
{
	struct ipe_eng_prop_buf buf;
	u32 i, n = ipe_eng_rule_nprops(p, r);

	for (i = 0; i < n; i++) {
		if (!ipe_eng_prop_eval(ipe_eng_rule_prop(p, r, i, &buf), ctx))
			return false;
	}
	return true;
}

/* The earliest indexed rule that matches the file's digests. */
static u32 indexed_hit(const struct ipe_eng_policy *p,
		       const struct ipe_eng_op_table *t,
		       const struct ipe_eng_ctx *ctx)
{
	const struct ipe_eng_file_props *f = ctx->file;
	u32 best = IPE_ENG_NO_POS, at;

	if (!t->index || !f)
		return IPE_ENG_NO_POS;
	if (f->fsv_digest &&
	    !(ctx->unsupported & (1u << IPE_ENG_PROP_FSV_DIGEST)))
		best = ipe_eng_index_lookup(p, t, IPE_ENG_PROP_FSV_DIGEST,
					    f->fsv_digest);
	if (f->dmv_roothash &&
	    !(ctx->unsupported & (1u << IPE_ENG_PROP_DMV_ROOTHASH))) {
		at = ipe_eng_index_lookup(p, t, IPE_ENG_PROP_DMV_ROOTHASH,
					  f->dmv_roothash);
		if (at < best)
			best = at;
	}
	return best;
}

/**
 * ipe_eng_eval() - decide an access as upstream's ipe_evaluate_event().
 * @p: the active policy.
 * @ctx: the op and the file's properties.
 * @m: the decision and what made it.
 *
 * Rules of the op are tried in file order and the first whose properties
 * all hold decides; with none, the op's DEFAULT, else the global DEFAULT.
 * The invalid op goes straight to the global DEFAULT, and as upstream (which
 * also WARNs there) is allowed when the policy has none.
 *
 * Context: any; no allocation, no lock, no sleep.
 */
void ipe_eng_eval(const struct ipe_eng_policy *p,
		  const struct ipe_eng_ctx *ctx, struct ipe_eng_match *m)
{
	const struct ipe_eng_op_table *t;
	u32 hit, i;

	m->op = ctx->op;
	m->rule = NULL;
	m->policy = p;
	if ((unsigned int)ctx->op >= __IPE_ENG_OP_MAX) {
		m->op = IPE_ENG_OP_INVALID;
		goto global;
	}

	t = &p->tables[ctx->op];
	hit = indexed_hit(p, t, ctx);
	for (i = 0; i < t->nplain && t->plain[i] < hit; i++) {
		if (ipe_eng_rule_matches(p, &p->rules[t->plain[i]], ctx)) {
			hit = t->plain[i];
			break;
		}
	}
	if (hit != IPE_ENG_NO_POS) {
		m->rule = &p->rules[hit];
		m->action = (enum ipe_eng_action)m->rule->action;
		m->type = IPE_ENG_MATCH_RULE;
		return;
	}
	if (t->default_action != IPE_ENG_ACTION_INVALID) {
		m->action = t->default_action;
		m->type = IPE_ENG_MATCH_TABLE;
		return;
	}
global:
	m->type = IPE_ENG_MATCH_GLOBAL;
	m->action = p->global_default != IPE_ENG_ACTION_INVALID ?
		    p->global_default : IPE_ENG_ACTION_ALLOW;
}

/**
 * ipe_eng_match_slot() - the deciding slot of an evaluation.
 * @p: the policy @m was decided by.
 * @m: the outcome of ipe_eng_eval() with @p.
 *
 * Context: any; constant time.
 * Return: the slot, < ipe_eng_nslots(@p) (see there).
 */
u32 ipe_eng_match_slot(const struct ipe_eng_policy *p,
		       const struct ipe_eng_match *m)
{
	if (m->type == IPE_ENG_MATCH_RULE && m->rule)
		return (u32)(m->rule - p->rules);
	if (m->type == IPE_ENG_MATCH_TABLE &&
	    (unsigned int)m->op < __IPE_ENG_OP_MAX)
		return p->nrules + (u32)m->op;
	return p->nrules + __IPE_ENG_OP_MAX;
}

/**
 * ipe_eng_slot_line() - the policy line of a slot's rule or DEFAULT.
 * @p: the policy.
 * @slot: a slot of @p.
 *
 * Return: the 1-based line, 0 for a DEFAULT the policy does not have.
 */
u32 ipe_eng_slot_line(const struct ipe_eng_policy *p, u32 slot)
{
	if (slot < p->nrules)
		return p->rules[slot].line;
	slot -= p->nrules;
	if (slot < __IPE_ENG_OP_MAX)
		return p->tables[slot].default_line;
	return p->global_default_line;
}

/**
 * ipe_eng_slot_match() - an evaluation's outcome as @slot decides it.
 * @p: the policy.
 * @slot: a slot of @p.
 * @m: filled in, to be rendered with ipe_eng_render_match().
 *
 * The global slot of a policy without a global DEFAULT is its implicit
 * ALLOW (of the invalid op).
 */
void ipe_eng_slot_match(const struct ipe_eng_policy *p, u32 slot,
			struct ipe_eng_match *m)
{
	m->rule = NULL;
	m->policy = p;
	if (slot < p->nrules) {
		m->rule = &p->rules[slot];
		m->type = IPE_ENG_MATCH_RULE;
		m->op = (enum ipe_eng_op)m->rule->op;
		m->action = (enum ipe_eng_action)m->rule->action;
		return;
	}
	slot -= p->nrules;
	if (slot < __IPE_ENG_OP_MAX) {
		m->type = IPE_ENG_MATCH_TABLE;
		m->op = (enum ipe_eng_op)slot;
		m->action = p->tables[slot].default_action;
		return;
	}
	m->type = IPE_ENG_MATCH_GLOBAL;
	m->op = IPE_ENG_OP_INVALID;
	m->action = p->global_default != IPE_ENG_ACTION_INVALID ?
		    p->global_default : IPE_ENG_ACTION_ALLOW;
}

/* The DEFAULTs the policy has, as slots, in line order; returns how many. */
static u32 defaults_by_line(const struct ipe_eng_policy *p,
			    u32 out[__IPE_ENG_OP_MAX + 1])
{
	u32 n = 0, s, i;

	for (s = p->nrules; s < ipe_eng_nslots(p); s++) {
		u32 line = ipe_eng_slot_line(p, s);

		if (!line)
			continue;
		for (i = n; i > 0 && ipe_eng_slot_line(p, out[i - 1]) > line; i--)
			out[i] = out[i - 1];
		out[i] = s;
		n++;
	}
	return n;
}

/* How many rules are written before @line (rules are in line order). */
static u32 rules_before(const struct ipe_eng_policy *p, u32 line)
{
	u32 lo = 0, hi = p->nrules;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (p->rules[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/**
 * ipe_eng_nlisted() - how many rules and DEFAULTs a policy's text has.
 * @p: the policy.
 *
 * Return: the number of slots ipe_eng_listed_slot() walks: every rule and
 * every DEFAULT written (an unwritten global DEFAULT is not listed).
 */
u32 ipe_eng_nlisted(const struct ipe_eng_policy *p)
{
	u32 d[__IPE_ENG_OP_MAX + 1];

	return p->nrules + defaults_by_line(p, d);
}

/**
 * ipe_eng_listed_slot() - the @k-th rule or DEFAULT in the policy's text.
 * @p: the policy.
 * @k: from 0, < ipe_eng_nlisted(@p).
 *
 * Context: any; O(log nrules), does not allocate.
 * Return: its slot.
 */
u32 ipe_eng_listed_slot(const struct ipe_eng_policy *p, u32 k)
{
	u32 d[__IPE_ENG_OP_MAX + 1];
	u32 n = defaults_by_line(p, d), i, before = 0;

	for (i = 0; i < n; i++) {
		u32 at = i + rules_before(p, ipe_eng_slot_line(p, d[i]));

		if (at == k)
			return d[i];
		if (at < k)
			before++;
	}
	return k - before;
}
