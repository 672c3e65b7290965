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
	/*
	 * One pass over the text checks it, writes each rule's record into
	 * p->rule_store (sized for a rule on every line) and counts the rest;
	 * then the name, the properties of rules of the general shape (their
	 * lines parsed again) and the kinds' names go into stores of exactly
	 * the size counted (store_strings()).
	 */
	u32 cap;		/* records p->rule_store can hold */
	struct span name;	/* the policy_name= value */
	u32 nrules;		/* rules so far */
	u32 nmany;		/* IPE_ENG_SHAPE_MANY rules so far */
	u32 nprops;		/* their properties so far */
	size_t nbytes;		/* bytes of p->byte_store so far */
};

/* A property as written: its type, and for a digest its two halves. */
struct prop_text {
	enum ipe_eng_prop_type type;
	struct span alg;
	struct span hex;
};

/* What the tokens of a rule line say. */
struct rule_text {
	enum ipe_eng_op op;
	enum ipe_eng_action action;
	bool is_default;
	u32 n;			/* properties */
	struct prop_text first;	/* the first property */
	struct span first_tok;	/* its token */
	struct span last;	/* the action= token */
	size_t bytes;		/* byte_store bytes of its digests, stored */
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

/*
 * The text is scanned a word at a time for the bytes that end a line or
 * its content ('\n', '\r', '#') and those that end a token (' ', '\t'):
 * with the kernel's byte-at-a-time memchr() the scans were a third of the
 * time a 100 000-rule policy took to parse.  Words are loaded with
 * memcpy(), so neither alignment nor byte order matters; a word that may
 * hold one (the test is one range, a superset) is searched byte by byte.
 */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Nonzero when a byte of @x is zero (the classic test, exact as a test). */
static inline u64 has_zero(u64 x)
{
	return (x - ONES) & ~x & HIGHS;
}

/* The high bit of each byte of @x below @n (1..128), and no other bit. */
static inline u64 below(u64 x, u8 n)
{
	return ~(((x & ~HIGHS) + ONES * (u8)(0x80 - n)) | x) & HIGHS;
}

/* Are all eight bytes of @x hex digits? */
static inline bool all_hex(u64 x)
{
	u64 lower = x | ONES * 0x20;	/* 'A'-'F' to 'a'-'f', and nothing else */
	u64 digit = ~below(x, '0') & below(x, '9' + 1);
	u64 alpha = ~below(lower, 'a') & below(lower, 'f' + 1);

	return ((digit | alpha) & HIGHS) == HIGHS;	/* below() is false for bytes >= 0x80 */
}

static inline bool is_line_end(u8 x)
{
	return x == '\n' || x == '\r' || x == '#';
}

/* The first '\n', '\r' or '#' at or after @i; @n for none. */
static size_t find_line_end(const char *s, size_t i, size_t n)
{
	const u64 hashes = ONES * '#';

	while (i < n) {
		size_t end;

		for (; i + 8 <= n; i += 8) {
			u64 w;

			memcpy(&w, s + i, 8);
			/* bytes up to '\r' ('\t' and NUL too), or '#' */
			if (below(w, '\r' + 1) | has_zero(w ^ hashes))
				break;
		}
		for (end = i + 8 < n ? i + 8 : n; i < end; i++) {
			if (is_line_end((u8)s[i]))
				return i;
		}
	}
	return n;
}

/* The first ' ' or '\t' at or after @i; @n for none. */
static size_t find_delim(const char *s, size_t i, size_t n)
{
	while (i < n) {
		size_t end;

		for (; i + 8 <= n; i += 8) {
			u64 w;

			memcpy(&w, s + i, 8);
			if (below(w, ' ' + 1))	/* bytes up to ' ' */
				break;
		}
		for (end = i + 8 < n ? i + 8 : n; i < end; i++) {
			if (is_delim(s[i]))
				return i;
		}
	}
	return n;
}

/* Next space/tab-separated token of @line from *@pos; false at the end. */
static bool next_token(struct span line, u32 *pos, struct span *tok)
{
	u32 i = *pos, start;

	while (i < line.len && is_delim(line.s[i]))
		i++;
	if (i == line.len)
		return false;
	start = i;
	i = (u32)find_delim(line.s, i, line.len);
	tok->s = line.s + start;
	tok->len = i - start;
	*pos = i;
	return true;
}

/* Copy @n bytes to the policy's byte store, NUL-terminated. */
static char *store_str(struct parser *ps, const char *s, u32 n)
{
	char *d;

	ps->nbytes += n + 1;
	d = ps->p->byte_store + ps->nbytes - n - 1;
	memcpy(d, s, n);
	d[n] = '\0';
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
			ps->name = (struct span){ t.s + 12, t.len - 12 };
			ps->nbytes += ps->name.len + 1;
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
			struct prop_text *pt)
{
	const char *v = tok.s + keylen, *colon, *end = tok.s + tok.len;
	const char *h;

	colon = memchr(v, ':', (size_t)(end - v));
	if (!colon)
		return fail(ps, -EBADMSG, tok,
			    "digest must be written algorithm:hex");
	for (h = colon + 1; end - h >= 8; h += 8) {
		u64 w;

		memcpy(&w, h, 8);
		if (!all_hex(w))
			break;
	}
	for (; h < end; h++) {
		if (!ipe_eng_hex_table[(unsigned char)*h])
			return fail(ps, -EINVAL, tok,
				    "digest has a character that is not a hex digit");
	}
	if ((end - colon - 1) % 2)
		return fail(ps, -EINVAL, tok,
			    "digest has an odd number of hex digits");
	pt->alg.s = v;
	pt->alg.len = (u32)(colon - v);
	pt->hex.s = colon + 1;
	pt->hex.len = (u32)(end - colon - 1);
	return 0;
}

static int parse_property(struct parser *ps, struct span t,
			  struct prop_text *pt)
{
	unsigned int i;

	for (i = 0; i < __IPE_ENG_PROP_MAX; i++) {
		const struct ipe_eng_prop_def *def = &ipe_eng_prop_defs[i];

		if (def->text[0] != t.s[0])	/* tokens are never empty */
			continue;
		if (def->digest ? !span_prefix(t, def->text, def->len) ||
					  t.len == def->len
				: !span_eq(t, def->text, def->len))
			continue;
		pt->type = (enum ipe_eng_prop_type)i;
		if (def->digest)
			return parse_digest(ps, t, def->len, pt);
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
	struct span name = { t.s + 3, t.len - 3 };
	unsigned int i;

	if (!span_prefix(t, LIT("op=")))
		return -EBADMSG;
	for (i = 0; i < __IPE_ENG_OP_MAX; i++) {
		const char *s = ipe_eng_op_name((enum ipe_eng_op)i);

		if (span_eq(name, s, strlen(s))) {
			*op = (enum ipe_eng_op)i;
			return 0;
		}
	}
	return -EBADMSG;
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
static int rule_tokens(struct parser *ps, struct span line,
		       struct rule_text *rt)
{
	struct prop_text pt;
	struct span t, next;
	bool first = true;
	u32 pos = 0;
	int rc;

	rt->op = IPE_ENG_OP_INVALID;
	next_token(line, &pos, &t);	/* a trimmed, non-empty line */
	while (next_token(line, &pos, &next)) {
		if (first && span_eq(t, LIT("DEFAULT"))) {
			rt->is_default = true;
		} else if (rt->op == IPE_ENG_OP_INVALID) {
			if (parse_op(t, &rt->op))
				return fail(ps, -EBADMSG, t,
					    "expected op=OP (EXECUTE, FIRMWARE, KMODULE, KEXEC_IMAGE, KEXEC_INITRAMFS, POLICY or X509_CERT)");
		} else {
			rc = parse_property(ps, t, &pt);
			if (rc)
				return rc;
			if (ipe_eng_prop_defs[pt.type].digest)
				rt->bytes += pt.alg.len + 1 + pt.hex.len / 2;
			if (!rt->n++) {
				rt->first = pt;
				rt->first_tok = t;
			}
		}
		first = false;
		t = next;
	}
	rt->last = t;
	if (parse_action(t, &rt->action))
		return fail(ps, -EBADMSG, t,
			    "a rule must end with action=ALLOW or action=DENY");
	return 0;
}

/* The kind of a one-digest rule's digest, -1 to keep it the general way. */
static int intern_kind(struct parser *ps, const struct prop_text *pt)
{
	struct ipe_eng_policy *p = ps->p;
	u32 len = pt->hex.len / 2, i;

	if (len > IPE_ENG_ONE_DIGEST_MAX)
		return -1;
	for (i = 0; i < p->nkinds; i++) {
		const struct ipe_eng_kind *k = &p->kinds[i];

		if (k->len == len && span_eq(pt->alg, k->alg, k->alg_len))
			return (int)i;
	}
	if (p->nkinds == IPE_ENG_KINDS_MAX)
		return -1;
	p->kinds[i] = (struct ipe_eng_kind){ pt->alg.s, pt->alg.len, len };
	p->nkinds++;
	return (int)i;
}

/* Store the @n properties of the rule on @line, written after its op=. */
static void store_many(struct parser *ps, struct span line, u32 n)
{
	struct ipe_eng_policy *p = ps->p;
	struct prop_text pt;
	struct span t;
	u32 pos = 0, i;

	p->many[ps->nmany] = (struct ipe_eng_many){ ps->nprops, n };
	next_token(line, &pos, &t);	/* op= */
	for (i = 0; i < n; i++) {
		struct ipe_eng_prop *prop = &p->prop_store[ps->nprops + i];
		struct ipe_eng_digest *d = &prop->digest;

		next_token(line, &pos, &t);
		parse_property(ps, t, &pt);	/* the pass checked it */
		prop->type = pt.type;
		if (!ipe_eng_prop_defs[pt.type].digest)
			continue;
		d->alg = store_str(ps, pt.alg.s, pt.alg.len);
		d->len = pt.hex.len / 2;
		d->digest = (u8 *)p->byte_store + ps->nbytes;
		ipe_eng_hex_decode(pt.hex.s, d->len, (u8 *)p->byte_store +
				   ps->nbytes);
		ps->nbytes += d->len;
	}
}

/* Add the rule that @rt describes: compact, or the general way. */
static void add_rule(struct parser *ps, struct span line,
		     const struct rule_text *rt)
{
	struct ipe_eng_rule r = {
		.line = ps->line, .op = (u8)rt->op, .action = (u8)rt->action,
		.shape = IPE_ENG_SHAPE_MANY,
	};
	int kind;

	if (!rt->n) {
		r.shape = IPE_ENG_SHAPE_NONE;
	} else if (rt->n == 1 && !ipe_eng_prop_defs[rt->first.type].digest) {
		r.shape = (u8)rt->first.type;
	} else if (rt->n == 1 && (kind = intern_kind(ps, &rt->first)) >= 0) {
		r.shape = (u8)rt->first.type;
		r.kind = (u8)kind;
		r.at = (u32)(rt->first.hex.s - ps->text);
	} else {
		/* until store_strings(): where the line starts */
		r.at = (u32)(line.s - ps->text);
		ps->nbytes += rt->bytes;
		ps->nmany++;
		ps->nprops += rt->n;
	}
	ps->p->rule_store[ps->nrules++] = r;
}

static int parse_rule(struct parser *ps, struct span line)
{
	struct rule_text rt = { 0 };
	int rc;

	rc = rule_tokens(ps, line, &rt);
	if (rc)
		return rc;
	if (rt.is_default) {
		if (rt.n)
			return fail(ps, -EBADMSG, rt.first_tok,
				    "a DEFAULT rule takes no properties");
		return set_default(ps, rt.op, rt.action, rt.last);
	}
	if (rt.op == IPE_ENG_OP_INVALID)
		return fail(ps, -EBADMSG, rt.last,
			    "a rule needs op=OP before action=");
	add_rule(ps, line, &rt);
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

/*
 * The pass wrote the rule records into a store with room for one on every
 * line: one that many lines leave more than an eighth empty (comments,
 * blank lines) is copied into one of the rules' size.
 */
static int trim_rule_store(struct parser *ps)
{
	struct ipe_eng_policy *p = ps->p;
	struct ipe_eng_rule *exact;

	if (ps->cap - ps->nrules <= ps->cap / 8)
		return 0;
	exact = ipe_eng_zalloc_array(ps->nrules ? ps->nrules : 1,
				     sizeof(*exact));
	if (!exact)
		return fail(ps, -ENOMEM, no_tok, "out of memory");
	memcpy(exact, p->rule_store, (size_t)ps->nrules * sizeof(*exact));
	ipe_eng_free_array(p->rule_store);
	p->rule_store = exact;
	ps->cap = ps->nrules;
	return 0;
}

/* Stores of exactly what the pass counted, kinds' names included. */
static int alloc_stores(struct parser *ps)
{
	struct ipe_eng_policy *p = ps->p;
	size_t nbytes = ps->nbytes;
	u32 i;

	for (i = 0; i < p->nkinds; i++)
		nbytes += p->kinds[i].alg_len + 1;
	p->byte_store = ipe_eng_zalloc_array(nbytes, 1);
	if (ps->nmany) {
		p->many = ipe_eng_zalloc_array(ps->nmany, sizeof(*p->many));
		p->prop_store = ipe_eng_zalloc_array(ps->nprops ? ps->nprops : 1,
						     sizeof(*p->prop_store));
		if (!p->many || !p->prop_store)
			return fail(ps, -ENOMEM, no_tok, "out of memory");
	}
	if (!p->byte_store)
		return fail(ps, -ENOMEM, no_tok, "out of memory");
	return 0;
}

/* The kinds' names, NUL-terminated in the byte store, not in the text. */
static void store_kinds(struct parser *ps)
{
	struct ipe_eng_policy *p = ps->p;
	u32 i;

	for (i = 0; i < p->nkinds; i++)
		p->kinds[i].alg = store_str(ps, p->kinds[i].alg,
					    p->kinds[i].alg_len);
}

static u32 rule_props_used(const struct ipe_eng_policy *p,
			   const struct ipe_eng_rule *r)
{
	const struct ipe_eng_many *m;
	u32 used = 0, i;

	if (r->shape == IPE_ENG_SHAPE_NONE)
		return 0;
	if (r->shape != IPE_ENG_SHAPE_MANY)
		return 1u << r->shape;
	m = &p->many[r->at];
	for (i = 0; i < m->n; i++)
		used |= 1u << p->prop_store[m->first + i].type;
	return used;
}

/* Per-op counts and lists of the rules the index does not hold, indexes. */
static int build_tables(struct parser *ps)
{
	struct ipe_eng_policy *p = ps->p;
	u32 ndigest[__IPE_ENG_OP_MAX] = { 0 }, nplain = 0, at = 0, i;
	u32 *plain[__IPE_ENG_OP_MAX] = { NULL };
	int rc;

	for (i = 0; i < p->nrules; i++) {
		const struct ipe_eng_rule *r = &p->rules[i];
		struct ipe_eng_op_table *t = &p->tables[r->op];

		t->nrules++;
		t->props_used |= rule_props_used(p, r);
		if (ipe_eng_rule_is_digest(r))
			ndigest[r->op]++;
		else
			nplain++;
	}
	if (nplain) {
		p->plain_store = ipe_eng_zalloc_array(nplain, sizeof(u32));
		if (!p->plain_store)
			return fail(ps, -ENOMEM, no_tok, "out of memory");
	}
	for (i = 0; i < __IPE_ENG_OP_MAX && nplain; i++) {
		plain[i] = p->plain_store + at;
		p->tables[i].plain = plain[i];
		at += p->tables[i].nrules - ndigest[i];
	}
	for (i = 0; i < p->nrules; i++) {
		u8 op = p->rules[i].op;

		if (!ipe_eng_rule_is_digest(&p->rules[i]))
			plain[op][p->tables[op].nplain++] = i;
	}
	for (i = 0; i < __IPE_ENG_OP_MAX; i++) {
		rc = ipe_eng_index_build(p, (enum ipe_eng_op)i, ndigest[i]);
		if (rc)
			return fail(ps, rc, no_tok, "out of memory");
	}
	return 0;
}

/*
 * Where the text ends (its first NUL, or @n), in *@len, and a bound on its
 * lines before that: one plus its bytes up to '\r' (line ends, '\n' and
 * '\r', are two of them; tabs are counted too, to count a word at a
 * time).  A line holds at most one rule, so this bounds the rules.
 */
static size_t count_lines(const char *s, size_t n, size_t *len)
{
	size_t i = 0, lines = 1;

	for (; i + 8 <= n; i += 8) {
		u64 w, m;

		memcpy(&w, s + i, 8);
		if (has_zero(w))
			break;
		m = below(w, '\r' + 1);
		if (m)
			lines += (size_t)(((m >> 7) * ONES) >> 56);
	}
	for (; i < n && s[i]; i++)
		lines += (u8)s[i] <= '\r';
	*len = i;
	return lines;
}

/*
 * The line from @i: its content (to the end of the line or to the first
 * '#', trailing white space cut) in @l, the index of its end ('\n', '\r',
 * or ps->len) returned.
 */
static size_t next_line(const struct parser *ps, size_t i, struct span *l)
{
	size_t end = find_line_end(ps->text, i, ps->len);

	l->s = ps->text + i;
	l->len = (u32)(end - i);
	if (end < ps->len && ps->text[end] == '#')
		while (end < ps->len && ps->text[end] != '\n' &&
		       ps->text[end] != '\r')
			end = find_line_end(ps->text, end + 1, ps->len);
	while (l->len && ipe_eng_isspace((unsigned char)l->s[l->len - 1]))
		l->len--;
	return end;
}

/*
 * The shortest rule line, "op=POLICY action=DENY": with the line count, it
 * bounds the records the pass may write, so that a text of empty lines
 * cannot make the parser allocate more than the text's size.
 */
#define RULE_MIN_LEN (sizeof("op=POLICY action=DENY") - 1)

static int alloc_rule_store(struct parser *ps, size_t n)
{
	size_t cap = count_lines(ps->text, n, &ps->len);

	if (cap > ps->len / RULE_MIN_LEN + 1)
		cap = ps->len / RULE_MIN_LEN + 1;
	ps->cap = (u32)cap;
	ps->p->rule_store = ipe_eng_zalloc_array(cap, sizeof(struct ipe_eng_rule));
	if (!ps->p->rule_store)
		return fail(ps, -ENOMEM, no_tok, "out of memory");
	return 0;
}

/* The pass over the lines: checks them, writes rules, counts the rest. */
static int parse_lines(struct parser *ps)
{
	bool header_parsed = false;
	size_t i = 0;

	while (i <= ps->len) {
		struct span l;
		int rc;

		ps->line_start = ps->text + i;
		i = next_line(ps, i, &l);
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

/*
 * Into the stores sized by the pass: the name, the properties of each rule
 * of the general shape (its line, which add_rule() left in its record,
 * parsed again) and the kinds' names.
 */
static void store_strings(struct parser *ps)
{
	struct ipe_eng_policy *p = ps->p;
	u32 i;

	ps->nmany = 0;
	ps->nprops = 0;
	ps->nbytes = 0;
	p->name = store_str(ps, ps->name.s, ps->name.len);
	for (i = 0; i < ps->nrules; i++) {
		struct ipe_eng_rule *r = &p->rule_store[i];
		struct rule_text rt = { 0 };
		struct span line;

		if (r->shape != IPE_ENG_SHAPE_MANY)
			continue;
		next_line(ps, r->at, &line);
		rule_tokens(ps, line, &rt);	/* the pass checked it */
		r->at = ps->nmany;
		store_many(ps, line, rt.n);
		ps->nmany++;
		ps->nprops += rt.n;
	}
	store_kinds(ps);
	p->nrules = ps->nrules;
	p->rules = p->rule_store;
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
	ipe_eng_free_array(p->plain_store);
	ipe_eng_free_array(p->rule_store);
	ipe_eng_free_array(p->many);
	ipe_eng_free_array(p->prop_store);
	ipe_eng_free_array(p->byte_store);
	ipe_eng_free(p);
}

/**
 * ipe_eng_parse() - parse a policy as upstream IPE does.
 * @text: the policy bytes (the content of the PKCS#7 message); the policy
 *	reads the digests of its rules there, so @text must stay allocated
 *	and unchanged until ipe_eng_policy_free().
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

	ps.p = ipe_eng_zalloc(sizeof(*ps.p));
	if (!ps.p)
		return fail(&ps, -ENOMEM, no_tok, "out of memory");
	ps.p->text = text;
	rc = alloc_rule_store(&ps, len);	/* and ps.len */
	if (!rc)
		rc = parse_lines(&ps);
	if (!rc)
		rc = trim_rule_store(&ps);
	if (!rc)
		rc = alloc_stores(&ps);
	if (!rc) {
		store_strings(&ps);
		rc = build_tables(&ps);
	}
	if (rc) {
		ipe_eng_policy_free(ps.p);
		return rc;
	}
	*out = ps.p;
	return 0;
}
