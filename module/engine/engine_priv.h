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

/* 1 + the value of a hex digit, 0 for a byte that is not one. */
extern const u8 ipe_eng_hex_table[256];

/* The value of a hex digit, -1 for a byte that is not one. */
static inline int ipe_eng_hex(char c)
{
	return (int)ipe_eng_hex_table[(unsigned char)c] - 1;
}

void ipe_eng_hex_decode(const char *hex, u32 len, u8 *out);
bool ipe_eng_hex_eq(const char *hex, const u8 *bytes, u32 len);

/**
 * struct ipe_eng_many - where an IPE_ENG_SHAPE_MANY rule's properties are.
 * @first: index of the first in the policy's prop_store.
 * @n: how many.
 */
struct ipe_eng_many {
	u32 first;
	u32 n;
};

static_assert(sizeof(struct ipe_eng_rule) == 12, "a rule is 12 bytes");
static_assert(__IPE_ENG_PROP_MAX < IPE_ENG_SHAPE_NONE, "shapes");
static_assert(IPE_ENG_KINDS_MAX <= 256, "kind is a u8");

/* The kernel's isspace(): ASCII white space and NBSP (0xa0), lib/ctype.c. */
static inline bool ipe_eng_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

bool ipe_eng_prop_eval(const struct ipe_eng_prop *p,
		       const struct ipe_eng_ctx *ctx);
bool ipe_eng_digest_eq(const struct ipe_eng_digest *a,
		       const struct ipe_eng_digest *b);

/* A one-digest rule, in the compact form the index holds. */
static inline bool ipe_eng_rule_is_digest(const struct ipe_eng_rule *r)
{
	return r->shape == IPE_ENG_PROP_FSV_DIGEST ||
	       r->shape == IPE_ENG_PROP_DMV_ROOTHASH;
}

/* index.c */
int ipe_eng_index_build(struct ipe_eng_policy *p, enum ipe_eng_op op,
			u32 n);
void ipe_eng_index_free(struct ipe_eng_index *idx);
u32 ipe_eng_index_lookup(const struct ipe_eng_policy *p,
			 const struct ipe_eng_op_table *t,
			 enum ipe_eng_prop_type type,
			 const struct ipe_eng_digest *d);

/* Longest policy text the engine takes (offsets are u32). */
#define IPE_ENG_MAX_TEXT (1u << 30)

/* Sentinel rule index: no indexed rule matched. */
#define IPE_ENG_NO_POS ((u32)0xffffffffu)

#endif /* IPE_ENGINE_PRIV_H */
