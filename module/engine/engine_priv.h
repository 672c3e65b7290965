/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * engine_priv.h - definitions shared by the engine's own files only.
 */
#ifndef IPE_ENGINE_PRIV_H
#define IPE_ENGINE_PRIV_H

#include "ipe_engine.h"

/**
 * struct ipe_eng_prop_def - one row of the property table.
 * @text: the property as written and as audited: "boot_verified=TRUE", or
 *	the key with its '=' for digests ("fsverity_digest=").
 * @len: strlen(@text).
 * @digest: the value is algorithm:hex, not fixed.
 */
struct ipe_eng_prop_def {
	const char *text;
	u8 len;
	bool digest;
};

extern const struct ipe_eng_prop_def ipe_eng_prop_defs[__IPE_ENG_PROP_MAX];

int ipe_eng_hex_val(char c);

/* The kernel's isspace(): ASCII white space and NBSP (0xa0), lib/ctype.c. */
static inline bool ipe_eng_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

bool ipe_eng_prop_eval(const struct ipe_eng_prop *p,
		       const struct ipe_eng_ctx *ctx);
bool ipe_eng_digest_eq(const struct ipe_eng_digest *a,
		       const struct ipe_eng_digest *b);

/* index.c */
int ipe_eng_index_build(struct ipe_eng_op_table *t);
void ipe_eng_index_free(struct ipe_eng_index *idx);
bool ipe_eng_index_eligible(const struct ipe_eng_rule *r);
u32 ipe_eng_index_lookup(const struct ipe_eng_op_table *t,
			 enum ipe_eng_prop_type type,
			 const struct ipe_eng_digest *d);

/* Longest policy text the engine takes (offsets are u32). */
#define IPE_ENG_MAX_TEXT (1u << 30)

/* Sentinel position: no indexed rule matched. */
#define IPE_ENG_NO_POS ((u32)0xffffffffu)

#endif /* IPE_ENGINE_PRIV_H */
