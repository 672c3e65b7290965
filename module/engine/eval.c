// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * eval.c - decide an access: first matching rule, then DEFAULTs.
 */
#include "engine_priv.h"

/**
 * ipe_eng_rule_matches() - do all of a rule's properties hold?
 * @r: the rule.
 * @ctx: what is being decided.
 *
 * Return: true if every property is true (always, for a rule without any).
 */
bool ipe_eng_rule_matches(const struct ipe_eng_rule *r,
			  const struct ipe_eng_ctx *ctx)
{
	u16 i;

	for (i = 0; i < r->nprops; i++) {
		if (!ipe_eng_prop_eval(&r->props[i], ctx))
			return false;
	}
	return true;
}

/* The earliest indexed rule that matches the file's digests. */
static u32 indexed_hit(const struct ipe_eng_op_table *t,
		       const struct ipe_eng_ctx *ctx)
{
	const struct ipe_eng_file_props *f = ctx->file;
	u32 best = IPE_ENG_NO_POS, pos;

	if (!t->index || !f)
		return IPE_ENG_NO_POS;
	if (f->fsv_digest &&
	    !(ctx->unsupported & (1u << IPE_ENG_PROP_FSV_DIGEST)))
		best = ipe_eng_index_lookup(t, IPE_ENG_PROP_FSV_DIGEST,
					    f->fsv_digest);
	if (f->dmv_roothash &&
	    !(ctx->unsupported & (1u << IPE_ENG_PROP_DMV_ROOTHASH))) {
		pos = ipe_eng_index_lookup(t, IPE_ENG_PROP_DMV_ROOTHASH,
					   f->dmv_roothash);
		if (pos < best)
			best = pos;
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
	if ((unsigned int)ctx->op >= __IPE_ENG_OP_MAX) {
		m->op = IPE_ENG_OP_INVALID;
		goto global;
	}

	t = &p->tables[ctx->op];
	hit = indexed_hit(t, ctx);
	for (i = 0; i < t->nplain && t->plain[i]->pos < hit; i++) {
		if (ipe_eng_rule_matches(t->plain[i], ctx)) {
			hit = t->plain[i]->pos;
			break;
		}
	}
	if (hit != IPE_ENG_NO_POS) {
		m->rule = t->rules[hit];
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
