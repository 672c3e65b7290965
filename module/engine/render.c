// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * render.c - the deciding rule as text: policy syntax or audit's rule="...".
 */
#include "engine_priv.h"

struct sbuf {
	char *buf;
	size_t size;
	size_t len;	/* bytes the full text needs, written or not */
};

static void put_n(struct sbuf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, b->len++) {
		if (b->len + 1 < b->size)
			b->buf[b->len] = s[i];
	}
}

static void put(struct sbuf *b, const char *s)
{
	put_n(b, s, strlen(s));
}

static void put_hex(struct sbuf *b, const u8 *d, size_t n, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		char x[2] = { digits[d[i] >> 4], digits[d[i] & 0xf] };

		put_n(b, x, 2);
	}
}

/*
 * audit_log_untrustedstring(): quoted, or upper-case hex without quotes
 * when the string has a '"', a control character, a space or a byte > 0x7e.
 */
static void put_untrusted(struct sbuf *b, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c < 0x21 || c > 0x7e) {
			put_hex(b, (const u8 *)s, n, true);
			return;
		}
	}
	put(b, "\"");
	put_n(b, s, n);
	put(b, "\"");
}

static void put_rule(struct sbuf *b, const struct ipe_eng_policy *pol,
		     const struct ipe_eng_rule *r,
		     enum ipe_eng_render_style style)
{
	bool audit = style == IPE_ENG_RENDER_AUDIT;
	u32 i, n = ipe_eng_rule_nprops(pol, r);
	struct ipe_eng_prop_buf buf;

	put(b, "op=");
	put(b, ipe_eng_op_name((enum ipe_eng_op)r->op));
	put(b, " ");
	for (i = 0; i < n; i++) {
		const struct ipe_eng_prop *p = ipe_eng_rule_prop(pol, r, i, &buf);

		put(b, ipe_eng_prop_defs[p->type].text);
		if (ipe_eng_prop_defs[p->type].digest) {
			if (audit)
				put_untrusted(b, p->digest.alg);
			else
				put(b, p->digest.alg);
			put(b, ":");
			put_hex(b, p->digest.digest, p->digest.len, audit);
		}
		put(b, " ");
	}
	put(b, "action=");
	put(b, ipe_eng_action_name((enum ipe_eng_action)r->action));
}

/**
 * ipe_eng_render_match() - what decided an evaluation, as upstream prints it.
 * @m: the evaluation's outcome, from ipe_eng_eval() or ipe_eng_slot_match()
 *	(a rule is rendered from @m->policy, which must still be there).
 * @style: IPE_ENG_RENDER_AUDIT for the text inside audit record 1420's
 *	rule="...", IPE_ENG_RENDER_POLICY for policy syntax.
 * @buf: where to write, NUL-terminated when @size > 0.
 * @size: bytes at @buf.
 *
 * "op=EXECUTE fsverity_digest=sha256:ab.. action=ALLOW" for a rule (audit:
 * fsverity_digest="sha256":AB..), "DEFAULT op=EXECUTE action=DENY" for an
 * op's DEFAULT, "DEFAULT action=DENY" for the global one.
 *
 * Context: any; does not allocate.
 * Return: the length of the full text, like snprintf(); it was cut short if
 * that is >= @size.
 */
size_t ipe_eng_render_match(const struct ipe_eng_match *m,
			    enum ipe_eng_render_style style,
			    char *buf, size_t size)
{
	struct sbuf b = { .buf = buf, .size = size };

	if (m->type == IPE_ENG_MATCH_RULE && m->rule && m->policy) {
		put_rule(&b, m->policy, m->rule, style);
	} else if (m->type == IPE_ENG_MATCH_TABLE) {
		put(&b, "DEFAULT op=");
		put(&b, ipe_eng_op_name(m->op));
		put(&b, " action=");
		put(&b, ipe_eng_action_name(m->action));
	} else {
		put(&b, "DEFAULT action=");
		put(&b, ipe_eng_action_name(m->action));
	}
	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return b.len;
}
