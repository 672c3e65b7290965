// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * parser.c - policy text to struct ipe_eng_policy, as security/ipe/ parses.
 *
 * Upstream copies the text, cuts it at the first NUL and walks it with
 * strsep(); this walks the const text in place with the same cuts, so that
 * errors can point at a line, a column and a token.  Every errno below is
 * the one upstream's ipe_parse_policy() returns for the same text.
 */
#include "engine_priv.h"

#define LIT(s) (s), (sizeof(s) - 1)

struct span {
	const char *s;
	u32 len;
};

struct parser {
	const char *text;	/* the whole policy */
	size_t len;		/* up to, not including, the first NUL */
	unsigned int flags;
	ipe_eng_error_fn on_error;
	void *arg;
	struct ipe_eng_error *first;
	int err;		/* the first error, 0 if none */
	u32 line;		/* human line number of the current line */
	u32 last_line;		/* the last line with a token, 1 if none */
	const char *line_start;
	struct ipe_eng_policy *p;
	char *bytes;		/* next free byte of p->byte_store */
	u32 nprops;		/* used entries of p->prop_store */
};

static bool is_delim(char c)
{
	return c == ' ' || c == '\t';
}

static bool span_eq(struct span t, const char *s, size_t n)
{
	return t.len == n && !memcmp(t.s, s, n);
}

static bool span_prefix(struct span t, const char *s, size_t n)
{
	return t.len >= n && !memcmp(t.s, s, n);
}

static int fail(struct parser *ps, int err, struct span tok, const char *msg)
{
	struct ipe_eng_error e = {
		.err = err,
		.line = ps->line,
		.column = tok.s ? (u32)(tok.s - ps->line_start) + 1 : 0,
		.token = tok.s,
		.token_len = tok.len,
		.msg = msg,
	};

	if (!ps->err) {
		ps->err = err;
		if (ps->first)
			*ps->first = e;
	}
	if (ps->on_error)
		ps->on_error(ps->arg, &e);
	return err;
}

static const struct span no_tok;

/* Next space/tab-separated token of @line from *@pos; false at the end. */
static bool next_token(struct span line, u32 *pos, struct span *tok)
{
	u32 i = *pos, start;

	while (i < line.len && is_delim(line.s[i]))
		i++;
	if (i == line.len)
		return false;
	start = i;
	while (i < line.len && !is_delim(line.s[i]))
		i++;
	tok->s = line.s + start;
	tok->len = i - start;
	*pos = i;
	return true;
}

/* Copy @n bytes to the policy's byte store, NUL-terminated. */
static char *store_str(struct parser *ps, const char *s, u32 n)
{
	char *d = ps->bytes;

	memcpy(d, s, n);
	d[n] = '\0';
	ps->bytes += n + 1;
	return d;
}

/*
 * kstrtou16(s, 10): an optional '+', decimal digits, nothing after.
 * Overflow of the u64 accumulator is -ERANGE before trailing junk is seen,
 * as in _kstrtoull(); a value above 65535 is -ERANGE.
 */
static int parse_u16(struct span t, u16 *out)
{
	u64 v = 0;
	u32 i = 0, digits = 0;
	bool overflow = false;

	if (i < t.len && t.s[i] == '+')
		i++;
	for (; i < t.len; i++, digits++) {
		unsigned int d;

		if (t.s[i] < '0' || t.s[i] > '9')
			break;
		d = (unsigned int)(t.s[i] - '0');
		if (v > (~(u64)0 - d) / 10)
			overflow = true;
		v = v * 10 + d;
	}
	if (overflow)
		return -ERANGE;
	if (!digits || i != t.len)
		return -EINVAL;
	if (v > 0xffff)
		return -ERANGE;
	*out = (u16)v;
	return 0;
}

/*
 * The three parts of "a.b.c" into @out.  Return: 0; -E2BIG for more than
 * three parts and -EBADMSG for fewer (@bad: all of @v); -EINVAL for a part
 * that is not a decimal number and -ERANGE for one above 65535 (@bad: it).
 */
static int version_parts(struct span v, u16 out[3], struct span *bad)
{
	u32 i = 0, start = 0, part = 0;
	int rc;

	*bad = v;
	for (;;) {
		struct span t;

		while (i < v.len && v.s[i] != '.')
			i++;
		t.s = v.s + start;
		t.len = i - start;
		if (part >= 3)
			return -E2BIG;
		rc = parse_u16(t, &out[part]);
		if (rc) {
			*bad = t;
			return rc;
		}
		part++;
		if (i == v.len)
			break;
		start = ++i;
	}
	return part == 3 ? 0 : -EBADMSG;
}

/**
 * ipe_eng_parse_version() - a version "a.b.c" as policy_version= has it
 * and the kernel prints it.
 * @s: the text (not NUL-terminated).
 * @len: bytes at @s.
 * @version: major, minor, revision.
 *
 * Return: 0, -EBADMSG (not three parts), -EINVAL (a part is not a
 * decimal number) or -ERANGE (a part is above 65535).
 */
int ipe_eng_parse_version(const char *s, size_t len, u16 version[3])
{
	struct span v = { .s = s, .len = (u32)len }, bad;
	int rc;

	if (v.len != len)
		return -EBADMSG;
	rc = version_parts(v, version, &bad);
	return rc == -E2BIG ? -EBADMSG : rc;
}

static int parse_version(struct parser *ps, struct span v)
{
	struct span bad;
	int rc = version_parts(v, ps->p->version, &bad);

	switch (rc) {
	case 0:
		return 0;
	case -E2BIG:
		return fail(ps, -EBADMSG, bad,
			    "policy_version has more than three parts");
	case -EBADMSG:
		return fail(ps, rc, bad,
			    "policy_version must have three parts: a.b.c");
	case -ERANGE:
		return fail(ps, rc, bad, "policy_version part is above 65535");
	default:
		return fail(ps, rc, bad,
			    "policy_version part is not a decimal number");
	}
}

static int parse_header(struct parser *ps, struct span line)
{
	struct span t;
	u32 pos = 0, idx = 0;
	int rc;

	while (next_token(line, &pos, &t)) {
		if (idx == 0) {
			if (!span_prefix(t, LIT("policy_name=")) ||
			    t.len == sizeof("policy_name=") - 1)
				return fail(ps, -EBADMSG, t,
					    "the first line must begin with policy_name=NAME");
			ps->p->name = store_str(ps, t.s + 12, t.len - 12);
		} else if (idx == 1) {
			if (!span_prefix(t, LIT("policy_version=")) ||
			    t.len == sizeof("policy_version=") - 1)
				return fail(ps, -EBADMSG, t,
					    "policy_name must be followed by policy_version=a.b.c");
			t.s += 15;
			t.len -= 15;
			rc = parse_version(ps, t);
			if (rc)
				return rc;
		} else {
			return fail(ps, -EBADMSG, t,
				    "unexpected text after policy_version");
		}
		idx++;
	}
	if (idx != 2)
		return fail(ps, -EBADMSG, no_tok,
			    "the first line must be policy_name=NAME policy_version=a.b.c");
	return 0;
}

static int parse_digest(struct parser *ps, struct span tok, u32 keylen,
			struct ipe_eng_digest *d)
{
	struct span v = { tok.s + keylen, tok.len - keylen };
	u32 colon = 0, hexlen, i;
	u8 *bytes;

	while (colon < v.len && v.s[colon] != ':')
		colon++;
	if (colon == v.len)
		return fail(ps, -EBADMSG, tok,
			    "digest must be written algorithm:hex");
	hexlen = v.len - colon - 1;
	for (i = 0; i < hexlen; i++) {
		if (ipe_eng_hex_val(v.s[colon + 1 + i]) < 0)
			return fail(ps, -EINVAL, tok,
				    "digest has a character that is not a hex digit");
	}
	if (hexlen % 2)
		return fail(ps, -EINVAL, tok,
			    "digest has an odd number of hex digits");
	d->alg = store_str(ps, v.s, colon);
	bytes = (u8 *)ps->bytes;
	for (i = 0; i < hexlen / 2; i++)
		bytes[i] = (u8)(ipe_eng_hex_val(v.s[colon + 1 + 2 * i]) << 4 |
				ipe_eng_hex_val(v.s[colon + 2 + 2 * i]));
	d->digest = bytes;
	d->len = hexlen / 2;
	ps->bytes += d->len;
	return 0;
}

static int parse_property(struct parser *ps, struct span t,
			  struct ipe_eng_prop *prop)
{
	unsigned int i;

	for (i = 0; i < __IPE_ENG_PROP_MAX; i++) {
		const struct ipe_eng_prop_def *def = &ipe_eng_prop_defs[i];

		if (def->digest ? !span_prefix(t, def->text, def->len) ||
					  t.len == def->len
				: !span_eq(t, def->text, def->len))
			continue;
		prop->type = (enum ipe_eng_prop_type)i;
		if (def->digest)
			return parse_digest(ps, t, def->len, &prop->digest);
		return 0;
	}
	if (span_prefix(t, LIT("op=")))
		return fail(ps, -EBADMSG, t, "a rule has exactly one op=, first");
	if (span_prefix(t, LIT("action=")))
		return fail(ps, -EBADMSG, t, "action= must be the last token");
	return fail(ps, -EBADMSG, t, "unknown property");
}

static int parse_action(struct span t, enum ipe_eng_action *a)
{
	if (span_eq(t, LIT("action=ALLOW")))
		*a = IPE_ENG_ACTION_ALLOW;
	else if (span_eq(t, LIT("action=DENY")))
		*a = IPE_ENG_ACTION_DENY;
	else
		return -EBADMSG;
	return 0;
}

static int parse_op(struct span t, enum ipe_eng_op *op)
{
	char name[sizeof("KEXEC_INITRAMFS")];

	if (!span_prefix(t, LIT("op=")) || t.len - 3 >= sizeof(name))
		return -EBADMSG;
	memcpy(name, t.s + 3, t.len - 3);
	name[t.len - 3] = '\0';
	return ipe_eng_parse_op(name, op) ? -EBADMSG : 0;
}

static int set_default(struct parser *ps, enum ipe_eng_op op,
		       enum ipe_eng_action a, struct span last)
{
	bool global = op == IPE_ENG_OP_INVALID;
	enum ipe_eng_action *slot = global ? &ps->p->global_default :
					     &ps->p->tables[op].default_action;

	if (*slot != IPE_ENG_ACTION_INVALID)
		return fail(ps, -EBADMSG, last,
			    global ? "a second global DEFAULT" :
			    "a second DEFAULT for this op");
	*slot = a;
	if (global)
		ps->p->global_default_line = ps->line;
	else
		ps->p->tables[op].default_line = ps->line;
	return 0;
}

/* Tokens but the last are [DEFAULT] op props...; the last is the action. */
static int parse_rule(struct parser *ps, struct span line)
{
	struct ipe_eng_rule *r = &ps->p->rule_store[ps->p->nrules];
	struct ipe_eng_prop *props = &ps->p->prop_store[ps->nprops];
	enum ipe_eng_op op = IPE_ENG_OP_INVALID;
	enum ipe_eng_action action;
	bool is_default = false, first = true;
	struct span t, next, first_prop = no_tok;
	u32 pos = 0, n = 0;
	int rc;

	next_token(line, &pos, &t);	/* a trimmed, non-empty line */
	while (next_token(line, &pos, &next)) {
		if (first && span_eq(t, LIT("DEFAULT"))) {
			is_default = true;
		} else if (op == IPE_ENG_OP_INVALID) {
			if (parse_op(t, &op))
				return fail(ps, -EBADMSG, t,
					    "expected op=OP (EXECUTE, FIRMWARE, KMODULE, KEXEC_IMAGE, KEXEC_INITRAMFS, POLICY or X509_CERT)");
		} else {
			rc = parse_property(ps, t, &props[n]);
			if (rc)
				return rc;
			if (!n++)
				first_prop = t;
		}
		first = false;
		t = next;
	}

	if (parse_action(t, &action))
		return fail(ps, -EBADMSG, t,
			    "a rule must end with action=ALLOW or action=DENY");

	if (is_default) {
		if (n)
			return fail(ps, -EBADMSG, first_prop,
				    "a DEFAULT rule takes no properties");
		return set_default(ps, op, action, t);
	}
	if (op == IPE_ENG_OP_INVALID)
		return fail(ps, -EBADMSG, t, "a rule needs op=OP before action=");

	r->op = (u8)op;
	r->action = (u8)action;
	r->nprops = (u16)n;
	r->props = props;
	r->line = ps->line;
	ps->nprops += n;
	ps->p->nrules++;
	return 0;
}

static const char *const no_default_msg[__IPE_ENG_OP_MAX] = {
	"no global DEFAULT and no DEFAULT for op=EXECUTE",
	"no global DEFAULT and no DEFAULT for op=FIRMWARE",
	"no global DEFAULT and no DEFAULT for op=KMODULE",
	"no global DEFAULT and no DEFAULT for op=KEXEC_IMAGE",
	"no global DEFAULT and no DEFAULT for op=KEXEC_INITRAMFS",
	"no global DEFAULT and no DEFAULT for op=POLICY",
	"no global DEFAULT and no DEFAULT for op=X509_CERT",
};

/* After the last line: a header, and a DEFAULT for every op. */
static int validate(struct parser *ps, bool header_parsed)
{
	unsigned int i;

	ps->line = ps->last_line;	/* report at the last line */
	if (!header_parsed)
		return fail(ps, -EBADMSG, no_tok,
			    "no policy_name=NAME policy_version=a.b.c line");
	if (ps->p->global_default != IPE_ENG_ACTION_INVALID)
		return 0;
	for (i = 0; i < __IPE_ENG_OP_MAX; i++) {
		if (ps->p->tables[i].default_action == IPE_ENG_ACTION_INVALID)
			return fail(ps, -EBADMSG, no_tok, no_default_msg[i]);
	}
	return 0;
}

/* Bounds for the stores: lines (rules), tokens (properties). */
static void count(const char *s, size_t len, u32 *lines, u32 *tokens)
{
	bool in_tok = false;
	size_t i;

	*lines = 1;
	*tokens = 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\n' || c == '\r')
			(*lines)++;
		if (c == '\n' || c == '\r' || is_delim(c)) {
			in_tok = false;
		} else if (!in_tok) {
			in_tok = true;
			(*tokens)++;
		}
	}
}

static int alloc_stores(struct parser *ps)
{
	struct ipe_eng_policy *p = ps->p;
	u32 lines, tokens;

	count(ps->text, ps->len, &lines, &tokens);
	p->rule_store = ipe_eng_zalloc_array(lines, sizeof(*p->rule_store));
	p->prop_store = ipe_eng_zalloc_array(tokens ? tokens : 1,
					     sizeof(*p->prop_store));
	p->byte_store = ipe_eng_zalloc_array(ps->len + 1, 1);
	if (!p->rule_store || !p->prop_store || !p->byte_store)
		return fail(ps, -ENOMEM, no_tok, "out of memory");
	ps->bytes = p->byte_store;
	return 0;
}

/* @ptr, into @from, moved to the same offset in @to (NULL stays NULL). */
static const void *moved(const void *ptr, const void *from, void *to)
{
	return ptr ? (const char *)to + ((const char *)ptr - (const char *)from) :
		     NULL;
}

/*
 * The stores were sized for the worst case (every line a rule, every token
 * a property, the whole text as bytes); keep only what the policy uses:
 * for 100 000 digest rules 13 MB instead of 27.  If the smaller copies
 * cannot be had the policy keeps the large stores: nothing fails for it.
 */
static void shrink_stores(struct parser *ps)
{
	struct ipe_eng_policy *p = ps->p;
	size_t nbytes = (size_t)(ps->bytes - p->byte_store);
	struct ipe_eng_rule *rules;
	struct ipe_eng_prop *props;
	char *bytes;
	u32 i;

	rules = ipe_eng_zalloc_array(p->nrules, sizeof(*rules));
	props = ipe_eng_zalloc_array(ps->nprops, sizeof(*props));
	bytes = ipe_eng_zalloc_array(nbytes, 1);
	if (!rules || !props || !bytes) {
		ipe_eng_free_array(rules);
		ipe_eng_free_array(props);
		ipe_eng_free_array(bytes);
		return;
	}
	memcpy(rules, p->rule_store, (size_t)p->nrules * sizeof(*rules));
	memcpy(props, p->prop_store, (size_t)ps->nprops * sizeof(*props));
	memcpy(bytes, p->byte_store, nbytes);
	for (i = 0; i < p->nrules; i++)
		rules[i].props = moved(rules[i].props, p->prop_store, props);
	for (i = 0; i < ps->nprops; i++) {
		props[i].digest.alg = moved(props[i].digest.alg, p->byte_store,
					    bytes);
		props[i].digest.digest = moved(props[i].digest.digest,
					       p->byte_store, bytes);
	}
	p->name = moved(p->name, p->byte_store, bytes);
	ipe_eng_free_array(p->rule_store);
	ipe_eng_free_array(p->prop_store);
	ipe_eng_free_array(p->byte_store);
	p->rule_store = rules;
	p->prop_store = props;
	p->byte_store = bytes;
	ps->bytes = bytes + nbytes;
}

/* Per-op arrays of rule pointers, then the digest index of each op. */
static int build_tables(struct parser *ps)
{
	struct ipe_eng_policy *p = ps->p;
	const struct ipe_eng_rule **ptrs;
	u32 i, j, at = 0;
	int rc;

	ptrs = ipe_eng_zalloc_array((size_t)p->nrules * 2 + 1, sizeof(*ptrs));
	if (!ptrs)
		return fail(ps, -ENOMEM, no_tok, "out of memory");
	p->tables[0].rules = ptrs;	/* owns the array; see policy_free */
	for (i = 0; i < p->nrules; i++)
		p->tables[p->rule_store[i].op].nrules++;
	for (i = 0; i < __IPE_ENG_OP_MAX; i++) {
		struct ipe_eng_op_table *t = &p->tables[i];

		t->rules = ptrs + at;
		t->plain = ptrs + at + t->nrules;
		at += 2 * t->nrules;
		t->nrules = 0;
	}
	for (i = 0; i < p->nrules; i++) {
		struct ipe_eng_rule *r = &p->rule_store[i];
		struct ipe_eng_op_table *t = &p->tables[r->op];

		r->pos = t->nrules;
		t->rules[t->nrules++] = r;
		for (j = 0; j < r->nprops; j++)
			t->props_used |= 1u << r->props[j].type;
		if (!ipe_eng_index_eligible(r))
			t->plain[t->nplain++] = r;
	}
	for (i = 0; i < __IPE_ENG_OP_MAX; i++) {
		rc = ipe_eng_index_build(&p->tables[i]);
		if (rc)
			return fail(ps, rc, no_tok, "out of memory");
	}
	return 0;
}

static struct span trim_line(struct span l)
{
	u32 i;

	for (i = 0; i < l.len; i++) {
		if (l.s[i] == '#') {
			l.len = i;
			break;
		}
	}
	while (l.len && ipe_eng_isspace((unsigned char)l.s[l.len - 1]))
		l.len--;
	return l;
}

static int parse_lines(struct parser *ps)
{
	bool header_parsed = false;
	size_t i = 0;

	while (i <= ps->len) {
		struct span l = { ps->text + i, 0 };
		int rc;

		while (i < ps->len && ps->text[i] != '\n' && ps->text[i] != '\r')
			i++;
		l.len = (u32)(ps->text + i - l.s);
		ps->line_start = l.s;
		l = trim_line(l);
		if (l.len)
			ps->last_line = ps->line;
		if (l.len && !header_parsed) {
			rc = parse_header(ps, l);
			if (rc)
				return rc;
			header_parsed = true;
		} else if (l.len) {
			rc = parse_rule(ps, l);
			if (rc && (rc == -ENOMEM ||
				   !(ps->flags & IPE_ENG_PARSE_ALL_ERRORS)))
				return rc;
		}
		/* CR LF is one line for people, two line ends for upstream */
		if (i < ps->len && ps->text[i] == '\r' && i + 1 < ps->len &&
		    ps->text[i + 1] == '\n')
			i++;
		i++;
		ps->line++;
	}
	if (ps->err)
		return ps->err;
	return validate(ps, header_parsed);
}

/**
 * ipe_eng_policy_free() - free a policy from ipe_eng_parse().
 * @p: the policy, or NULL.
 */
void ipe_eng_policy_free(struct ipe_eng_policy *p)
{
	unsigned int i;

	if (!p)
		return;
	for (i = 0; i < __IPE_ENG_OP_MAX; i++)
		ipe_eng_index_free(p->tables[i].index);
	ipe_eng_free_array((void *)p->tables[0].rules);
	ipe_eng_free_array(p->rule_store);
	ipe_eng_free_array(p->prop_store);
	ipe_eng_free_array(p->byte_store);
	ipe_eng_free(p);
}

/**
 * ipe_eng_parse() - parse a policy as upstream IPE does.
 * @text: the policy bytes (the content of the PKCS#7 message).
 * @len: number of bytes at @text; parsing stops at the first NUL.
 * @flags: 0, or IPE_ENG_PARSE_ALL_ERRORS to report every bad rule line.
 * @on_error: called for each error, or NULL.
 * @arg: passed to @on_error.
 * @out: the policy on success.
 * @first: where to describe the first error, or NULL.
 *
 * Context: may sleep (allocates); the text is not modified.
 * Return: 0; -EBADMSG for a syntax error, an empty policy, a missing or bad
 * header or missing DEFAULTs; -EINVAL for a version part that is not a
 * decimal number or a digest that is not hex of even length; -ERANGE for a
 * version part above 65535; -ENOMEM.  With ALL_ERRORS, the first error's.
 */
int ipe_eng_parse(const char *text, size_t len, unsigned int flags,
		  ipe_eng_error_fn on_error, void *arg,
		  struct ipe_eng_policy **out, struct ipe_eng_error *first)
{
	struct parser ps = {
		.text = text, .flags = flags, .on_error = on_error,
		.arg = arg, .first = first, .line = 1, .last_line = 1,
		.line_start = text,
	};
	int rc;

	*out = NULL;
	if (!len)
		return fail(&ps, -EBADMSG, no_tok, "the policy is empty");
	/* far above what the kernel can allocate for one write */
	if (len > IPE_ENG_MAX_TEXT)
		return fail(&ps, -ENOMEM, no_tok, "the policy is too large");
	while (ps.len < len && text[ps.len])
		ps.len++;

	ps.p = ipe_eng_zalloc(sizeof(*ps.p));
	if (!ps.p)
		return fail(&ps, -ENOMEM, no_tok, "out of memory");
	rc = alloc_stores(&ps);
	if (!rc)
		rc = parse_lines(&ps);
	if (!rc) {
		shrink_stores(&ps);
		rc = build_tables(&ps);
	}
	if (rc) {
		ipe_eng_policy_free(ps.p);
		return rc;
	}
	*out = ps.p;
	return 0;
}
