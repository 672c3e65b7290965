// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * props.c - the property table, property evaluation, names of ops/actions.
 */
#include "engine_priv.h"

#define PROP(t, d) { .text = (t), .len = sizeof(t) - 1, .digest = (d) }

/* Indexed by enum ipe_eng_prop_type; parse, eval and render all read it. */
const struct ipe_eng_prop_def ipe_eng_prop_defs[__IPE_ENG_PROP_MAX] = {
	[IPE_ENG_PROP_BOOT_VERIFIED_FALSE] = PROP("boot_verified=FALSE", false),
	[IPE_ENG_PROP_BOOT_VERIFIED_TRUE] = PROP("boot_verified=TRUE", false),
	[IPE_ENG_PROP_DMV_ROOTHASH] = PROP("dmverity_roothash=", true),
	[IPE_ENG_PROP_DMV_SIG_FALSE] = PROP("dmverity_signature=FALSE", false),
	[IPE_ENG_PROP_DMV_SIG_TRUE] = PROP("dmverity_signature=TRUE", false),
	[IPE_ENG_PROP_FSV_DIGEST] = PROP("fsverity_digest=", true),
	[IPE_ENG_PROP_FSV_SIG_FALSE] = PROP("fsverity_signature=FALSE", false),
	[IPE_ENG_PROP_FSV_SIG_TRUE] = PROP("fsverity_signature=TRUE", false),
};

static const char *const op_names[__IPE_ENG_OP_MAX + 1] = {
	[IPE_ENG_OP_EXECUTE] = "EXECUTE",
	[IPE_ENG_OP_FIRMWARE] = "FIRMWARE",
	[IPE_ENG_OP_KMODULE] = "KMODULE",
	[IPE_ENG_OP_KEXEC_IMAGE] = "KEXEC_IMAGE",
	[IPE_ENG_OP_KEXEC_INITRAMFS] = "KEXEC_INITRAMFS",
	[IPE_ENG_OP_POLICY] = "POLICY",
	[IPE_ENG_OP_X509] = "X509_CERT",
	[IPE_ENG_OP_INVALID] = "UNKNOWN",
};

/**
 * ipe_eng_op_name() - upstream's name of an op, as in policies and audit.
 * @op: the op; anything out of range is the invalid op.
 *
 * Return: a static string, "UNKNOWN" for the invalid op.
 */
const char *ipe_eng_op_name(enum ipe_eng_op op)
{
	if ((unsigned int)op > IPE_ENG_OP_INVALID)
		op = IPE_ENG_OP_INVALID;
	return op_names[op];
}

/**
 * ipe_eng_parse_op() - map an op name ("EXECUTE") to its value.
 * @s: NUL-terminated name, case-sensitive as in policies.
 * @op: where to store the op.
 *
 * Return: 0, or -EINVAL for an unknown name.
 */
int ipe_eng_parse_op(const char *s, enum ipe_eng_op *op)
{
	unsigned int i;

	for (i = 0; i < __IPE_ENG_OP_MAX; i++) {
		size_t n = strlen(op_names[i]);

		if (strlen(s) == n && !memcmp(s, op_names[i], n)) {
			*op = (enum ipe_eng_op)i;
			return 0;
		}
	}
	return -EINVAL;
}

/**
 * ipe_eng_action_name() - "ALLOW" or "DENY".
 * @a: the action.
 *
 * Return: a static string; upstream prints DENY for anything but ALLOW.
 */
const char *ipe_eng_action_name(enum ipe_eng_action a)
{
	return a == IPE_ENG_ACTION_ALLOW ? "ALLOW" : "DENY";
}

/**
 * ipe_eng_version_cmp() - order two policy versions.
 * @a: major, minor, revision.
 * @b: major, minor, revision.
 *
 * Return: <0, 0 or >0 as @a is older than, equal to or newer than @b.
 */
int ipe_eng_version_cmp(const u16 a[3], const u16 b[3])
{
	int i;

	for (i = 0; i < 3; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	return 0;
}

/**
 * ipe_eng_check_name() - can securityfs hold a directory of this name?
 * @name: a parsed policy's name.
 *
 * The kernel parses a policy first and only then creates policies/<name>;
 * this reports the errno that creation would fail with.
 *
 * Return: 0; -EACCES for ".", ".." or a name with '/'; -ENAMETOOLONG for
 * more than 255 bytes.
 */
int ipe_eng_check_name(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || (name[0] == '.' &&
		     (len == 1 || (len == 2 && name[1] == '.'))))
		return -EACCES;
	for (i = 0; i < len; i++) {
		if (name[i] == '/')
			return -EACCES;
	}
	if (len > 255)
		return -ENAMETOOLONG;
	return 0;
}

/**
 * ipe_eng_digest_eq() - upstream's ipe_digest_eval().
 * @a: a digest.
 * @b: a digest.
 *
 * Return: true when the lengths, the algorithm names (case-sensitively) and
 * the bytes are all equal.
 */
bool ipe_eng_digest_eq(const struct ipe_eng_digest *a,
		       const struct ipe_eng_digest *b)
{
	size_t la, lb;

	if (a->len != b->len)
		return false;
	la = strlen(a->alg);
	lb = strlen(b->alg);
	return la == lb && !memcmp(a->alg, b->alg, la) &&
	       !memcmp(a->digest, b->digest, a->len);
}

static const struct ipe_eng_file_props no_file;

/**
 * ipe_eng_prop_eval() - does one property hold?
 * @p: the property.
 * @ctx: what is being decided.
 *
 * A switch rather than a function pointer per row: this runs on every exec
 * and executable mmap, and an indirect call costs a retpoline there.
 *
 * Return: whether @p is true for @ctx.
 */
bool ipe_eng_prop_eval(const struct ipe_eng_prop *p,
		       const struct ipe_eng_ctx *ctx)
{
	const struct ipe_eng_file_props *f = ctx->file ? ctx->file : &no_file;

	if (ctx->unsupported & (1u << p->type))
		return false;

	switch (p->type) {
	case IPE_ENG_PROP_BOOT_VERIFIED_FALSE:
		return !f->boot_verified;
	case IPE_ENG_PROP_BOOT_VERIFIED_TRUE:
		return f->boot_verified;
	case IPE_ENG_PROP_DMV_ROOTHASH:
		return f->dmv_roothash &&
		       ipe_eng_digest_eq(&p->digest, f->dmv_roothash);
	case IPE_ENG_PROP_DMV_SIG_FALSE:
		return !f->dmv_signed;
	case IPE_ENG_PROP_DMV_SIG_TRUE:
		return f->dmv_signed;
	case IPE_ENG_PROP_FSV_DIGEST:
		return f->fsv_digest &&
		       ipe_eng_digest_eq(&p->digest, f->fsv_digest);
	case IPE_ENG_PROP_FSV_SIG_FALSE:
		return !f->fsv_signed;
	case IPE_ENG_PROP_FSV_SIG_TRUE:
		return f->fsv_signed;
	default:
		return false;
	}
}

/* Indexed by byte: 1 + the value of a hex digit, 0 for anything else. */
const u8 ipe_eng_hex_table[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/**
 * ipe_eng_hex_val() - the value of one hex digit.
 * @c: the character.
 *
 * Return: 0..15, or -1 when @c is not a hex digit.
 */
int ipe_eng_hex_val(char c)
{
	return ipe_eng_hex(c);
}

/*
 * The value of a hex digit the parser has checked: '0'-'9' are 0x30-0x39,
 * 'A'-'F' 0x41-0x46 and 'a'-'f' 0x61-0x66, so the low nibble, plus 9 for
 * the letters (bit 6), without a table lookup on the evaluation path.
 */
static inline u8 nibble(char c)
{
	u8 b = (u8)c;

	return (u8)((b & 0xf) + 9 * (b >> 6));
}

/**
 * ipe_eng_hex_decode() - hex digits, already checked, to bytes.
 * @hex: 2 * @len hex digits.
 * @len: bytes to write.
 * @out: where.
 */
void ipe_eng_hex_decode(const char *hex, u32 len, u8 *out)
{
	u32 i = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/*
	 * Eight digits at a time (a 100 000-rule policy decodes each of its
	 * digests to index it): nibble() in every byte of a word, each even
	 * byte joined with the odd one after it, the four results packed.
	 */
	for (; i + 4 <= len; i += 4) {
		u64 w, v;
		u32 b;

		memcpy(&w, hex + 2 * i, 8);
		v = (w & 0x0f0f0f0f0f0f0f0full) +
		    9 * ((w >> 6) & 0x0101010101010101ull);
		v = ((v << 4) | (v >> 8)) & 0x00ff00ff00ff00ffull;
		v = (v | (v >> 8)) & 0x0000ffff0000ffffull;
		b = (u32)(v | (v >> 16));
		memcpy(out + i, &b, 4);
	}
#endif
	for (; i < len; i++)
		out[i] = (u8)(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
}

/**
 * ipe_eng_hex_eq() - do checked hex digits spell these bytes?
 * @hex: 2 * @len hex digits.
 * @bytes: the bytes.
 * @len: bytes at @bytes.
 *
 * Context: any; this is how an indexed rule's digest is compared.
 * Return: true when equal.
 */
bool ipe_eng_hex_eq(const char *hex, const u8 *bytes, u32 len)
{
	u8 diff = 0;
	u32 i = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const u64 lo = 0x0f0f0f0f0f0f0f0full, bit = 0x0101010101010101ull;

	/*
	 * 8 digits a step: each byte lane becomes its nibble as nibble()
	 * computes it, then the even lanes take (even << 4 | odd): 4 bytes in
	 * lanes 0, 2, 4, 6.
	 */
	for (; i + 4 <= len; i += 4) {
		u64 w, v, want;

		memcpy(&w, hex + 2 * i, 8);
		v = (w & lo) + ((w >> 6) & bit) * 9;
		v = ((v << 4) | (v >> 8)) & 0x00ff00ff00ff00ffull;
		want = (u64)bytes[i] | (u64)bytes[i + 1] << 16 |
		       (u64)bytes[i + 2] << 32 | (u64)bytes[i + 3] << 48;
		if (v != want)
			return false;
	}
#endif
	for (; i < len; i++)
		diff |= (u8)(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1])) ^
			bytes[i];
	return !diff;
}

/**
 * ipe_eng_rule_nprops() - how many properties a rule has.
 * @p: the rule's policy.
 * @r: the rule.
 *
 * Return: the number of properties written in it.
 */
u32 ipe_eng_rule_nprops(const struct ipe_eng_policy *p,
			const struct ipe_eng_rule *r)
{
	if (r->shape == IPE_ENG_SHAPE_MANY)
		return p->many[r->at].n;
	return r->shape == IPE_ENG_SHAPE_NONE ? 0 : 1;
}

/**
 * ipe_eng_rule_prop() - one property of a rule.
 * @p: the rule's policy.
 * @r: the rule.
 * @i: which, from 0, < ipe_eng_rule_nprops(@p, @r).
 * @buf: room for it when the rule does not keep it as a struct.
 *
 * Context: any; does not allocate.
 * Return: the property, valid while @p and @buf are.
 */
const struct ipe_eng_prop *ipe_eng_rule_prop(const struct ipe_eng_policy *p,
					     const struct ipe_eng_rule *r,
					     u32 i, struct ipe_eng_prop_buf *buf)
{
	const struct ipe_eng_kind *k;

	if (r->shape == IPE_ENG_SHAPE_MANY)
		return &p->prop_store[p->many[r->at].first + i];
	buf->prop.type = (enum ipe_eng_prop_type)r->shape;
	buf->prop.digest = (struct ipe_eng_digest){ NULL, NULL, 0 };
	if (!ipe_eng_rule_is_digest(r))
		return &buf->prop;
	k = &p->kinds[r->kind];
	ipe_eng_hex_decode(p->text + r->at, k->len, buf->digest);
	buf->prop.digest.alg = k->alg;
	buf->prop.digest.digest = buf->digest;
	buf->prop.digest.len = k->len;
	return &buf->prop;
}

/**
 * ipe_eng_props_used() - the properties an evaluation of @op may test.
 * @p: the policy.
 * @op: the operation; the invalid op is decided by the global DEFAULT.
 *
 * Return: a mask of (1 << enum ipe_eng_prop_type); properties outside it
 * cannot change the outcome of ipe_eng_eval() for @op.
 */
u32 ipe_eng_props_used(const struct ipe_eng_policy *p, enum ipe_eng_op op)
{
	if ((unsigned int)op >= __IPE_ENG_OP_MAX)
		return 0;
	return p->tables[op].props_used;
}
