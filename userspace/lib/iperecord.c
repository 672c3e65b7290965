// SPDX-License-Identifier: MIT
/*
 * iperecord.c - decode IPE's audit records as libauparse splits them: the
 * type under either name, the fields, the kernel's untrusted strings
 * (quoted or hex), and the rule of an access, which libauparse cuts at its
 * spaces.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iperecord.h"

static const char *const decision_names[__IPE_DECISION_MAX] = {
	[IPE_DECISION_DENIED] = "denied",
	[IPE_DECISION_WOULD_DENY] = "would-deny",
	[IPE_DECISION_ALLOWED] = "allowed",
};

/**
 * ipe_decision_name() - "denied", "would-deny" or "allowed".
 * @d: the decision.
 *
 * Return: a static string.
 */
const char *ipe_decision_name(enum ipe_decision d)
{
	return d < __IPE_DECISION_MAX ? decision_names[d] : "?";
}

/**
 * ipe_rec_fields() - the values of some fields of the current record.
 * @au: libauparse, on the record.
 * @names: the fields' names.
 * @n: their number.
 * @vals: set to each field's value as libauparse has it, NULL when absent.
 * @stop: the name of the field after which to stop, or NULL.
 *
 * Return: 0, or IPE_SKIP_DUPLICATE + 1 when a field is there twice.
 */
int ipe_rec_fields(auparse_state_t *au, const char *const *names, size_t n,
		   const char **vals, const char *stop)
{
	const char *name;
	size_t i;

	memset(vals, 0, n * sizeof(*vals));
	if (auparse_first_field(au) <= 0)
		return 0;
	do {
		name = auparse_get_field_name(au);
		if (!name)
			continue;
		for (i = 0; i < n && strcmp(name, names[i]); i++)
			;
		if (i == n)
			continue;
		if (vals[i])
			return IPE_SKIP_DUPLICATE + 1;
		vals[i] = auparse_get_field_str(au);
		if (stop && !strcmp(name, stop))
			break;
	} while (auparse_next_field(au) > 0);
	return 0;
}

/**
 * ipe_rec_all() - whether every one of @n values from ipe_rec_fields() is
 * there.
 * @vals: the values.
 * @n: their number.
 *
 * Return: true when none is NULL.
 */
bool ipe_rec_all(const char **vals, size_t n)
{
	while (n--) {
		if (!vals[n])
			return false;
	}
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = toupper(c);
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The scratch buffer @i, @n bytes at least. */
static char *scratch(struct ipe_rec_buf *b, int i, size_t n)
{
	char *p;

	if (b->size[i] >= n)
		return b->p[i];
	p = realloc(b->p[i], n);
	if (!p) {
		b->err = -ENOMEM;
		return NULL;
	}
	b->p[i] = p;
	b->size[i] = n;
	return p;
}

/*
 * An "untrusted string" of the kernel's audit (audit_log_untrustedstring):
 * "text" in quotes, or, when it holds a quote, a space, a control byte or a
 * byte over 0x7e, uppercase hex.  "?" is NULL.  Decoded into scratch @i.
 * Return: 0, or a reason to skip + 1.
 */
static int untrusted(struct ipe_rec_buf *b, const char *v, int i,
		     const char **out)
{
	size_t n = strlen(v), k;
	char *d;
	int hi, lo;

	*out = NULL;
	if (!strcmp(v, "?"))
		return 0;
	d = scratch(b, i, n + 1);
	if (!d)
		return IPE_SKIP_BAD_VALUE + 1;
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		memcpy(d, v + 1, n - 2);
		d[n - 2] = '\0';
	} else {
		if (!n || n % 2)
			return IPE_SKIP_BAD_HEX + 1;
		for (k = 0; k < n / 2; k++) {
			hi = hexval(v[2 * k]);
			lo = hexval(v[2 * k + 1]);
			if (hi < 0 || lo < 0 || !(hi | lo))
				return IPE_SKIP_BAD_HEX + 1;
			d[k] = (char)(hi << 4 | lo);
		}
		d[n / 2] = '\0';
	}
	*out = d;
	return 0;
}

/* A word of capitals, digits and '_', as ops and hooks are. */
static bool is_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_')
			return false;
	}
	return true;
}

/*
 * The rule of an access record, from its text: libauparse splits
 * rule="op=EXECUTE ... action=DENY" at its spaces.  It is the last field,
 * and no other field can hold ' rule="' (untrusted strings with a space or
 * a quote are hex), so it runs from there to the quote that ends the text.
 * Return: the length, the rule at *@rule; or -(reason + 1).
 */
static long rule_text(auparse_state_t *au, const char **rule)
{
	const char *t = auparse_get_record_text(au), *p, *end;

	if (!t)
		return -(IPE_SKIP_MISSING + 1);
	p = strstr(t, " rule=\"");
	if (!p)
		return -(IPE_SKIP_MISSING + 1);
	p += 7;
	end = p + strcspn(p, "\x1d\r\n");
	while (end > p && end[-1] == ' ')
		end--;
	if (end == p || end[-1] != '"')
		return -(IPE_SKIP_TRUNCATED + 1);
	*rule = p;
	return end - 1 - p;
}

/* ALLOW or DENY: the last property of every rule, "action=...". */
static int rule_action(const char *rule, size_t n, bool *deny)
{
	static const struct { const char *s; bool deny; } acts[] = {
		{ "action=DENY", true }, { "action=ALLOW", false },
	};
	size_t i, k;

	for (i = 0; i < 2; i++) {
		k = strlen(acts[i].s);
		if (n >= k && !memcmp(rule + n - k, acts[i].s, k) &&
		    (n == k || rule[n - k - 1] == ' ')) {
			*deny = acts[i].deny;
			return 0;
		}
	}
	return IPE_SKIP_BAD_VALUE + 1;
}

/* ino=%lu, or ino=? when there is no file. */
static int parse_ino(const char *v, struct ipe_access *a)
{
	char *end;

	a->has_ino = strcmp(v, "?");
	if (!a->has_ino)
		return 0;
	if (!isdigit((unsigned char)v[0]))
		return IPE_SKIP_BAD_VALUE + 1;
	errno = 0;
	a->ino = strtoull(v, &end, 10);
	return errno || *end ? IPE_SKIP_BAD_VALUE + 1 : 0;
}

/* The rule and its decision. */
static int parse_rule(struct ipe_rec_buf *b, auparse_state_t *au,
		      const char *enforcing, struct ipe_access *a)
{
	const char *rule;
	long n = rule_text(au, &rule);
	bool deny;
	char *d;
	int e;

	if (n < 0)
		return (int)-n;
	e = rule_action(rule, (size_t)n, &deny);
	if (e)
		return e;
	d = scratch(b, 3, (size_t)n + 1);
	if (!d)
		return IPE_SKIP_BAD_VALUE + 1;
	memcpy(d, rule, (size_t)n);
	d[n] = '\0';
	a->rule = d;
	if (!deny)
		a->decision = IPE_DECISION_ALLOWED;
	else if (enforcing[0] == '1')
		a->decision = IPE_DECISION_DENIED;
	else
		a->decision = IPE_DECISION_WOULD_DENY;
	return 0;
}

/**
 * ipe_rec_access() - decode the current record, an access (1420):
 * ipe_op= ipe_hook= enforcing= pid= comm= path= dev= ino= rule=.
 * @au: libauparse, on the record.
 * @b: buffers for the decoded strings, grown as needed.
 * @a: filled in; its strings live in @b until the next call.
 *
 * Fields after rule= are rule's words; unknown fields before it are
 * ignored.
 *
 * Return: 0, or the reason to skip the record + 1 (@b->err is set when
 * memory ran out).
 */
int ipe_rec_access(auparse_state_t *au, struct ipe_rec_buf *b,
		   struct ipe_access *a)
{
	static const char *const names[] = {
		"ipe_op", "ipe_hook", "enforcing", "comm", "path", "dev",
		"ino", "rule",
	};
	const char *v[8];
	int e;

	e = ipe_rec_fields(au, names, 8, v, "rule");
	if (e)
		return e;
	if (!ipe_rec_all(v, 8))
		return IPE_SKIP_MISSING + 1;
	if (!is_word(v[0]) || !is_word(v[1]) ||
	    (strcmp(v[2], "0") && strcmp(v[2], "1")))
		return IPE_SKIP_BAD_VALUE + 1;
	a->op = v[0];
	a->hook = v[1];
	e = untrusted(b, v[3], 0, &a->comm);
	if (!e)
		e = untrusted(b, v[4], 1, &a->path);
	if (!e)
		e = untrusted(b, v[5], 2, &a->dev);
	if (!e)
		e = parse_ino(v[6], a);
	if (!e)
		e = parse_rule(b, au, v[2], a);
	return e;
}

/**
 * ipe_rec_type() - the current record's type.
 * @au: libauparse, on the record.
 *
 * libauparse 3.0.9 knows 1420-1422 only as type=UNKNOWN[1420], as auditd
 * 3.0.9 writes them; newer auditd writes their names, which it does not
 * know (auparse_get_type() is then -1).
 *
 * Return: the type, 0 when unknown.
 */
int ipe_rec_type(auparse_state_t *au)
{
	static const struct { const char *name; int type; } names[] = {
		{ "IPE_ACCESS", IPE_AUDIT_ACCESS },
		{ "IPE_CONFIG_CHANGE", IPE_AUDIT_CONFIG_CHANGE },
		{ "IPE_POLICY_LOAD", IPE_AUDIT_POLICY_LOAD },
		{ "AUDIT1420", IPE_AUDIT_ACCESS },
		{ "AUDIT1421", IPE_AUDIT_CONFIG_CHANGE },
		{ "AUDIT1422", IPE_AUDIT_POLICY_LOAD },
	};
	const char *v[1], *const type[] = { "type" };
	size_t i;
	int t = auparse_get_type(au);

	if (t > 0)
		return t;
	if (ipe_rec_fields(au, type, 1, v, "type") || !v[0])
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(v[0], names[i].name))
			return names[i].type;
	}
	return 0;
}
