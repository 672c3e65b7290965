// SPDX-License-Identifier: MIT
/*
 * test_parse.c - every grammar rule and error path of upstream's parser,
 * pinned as {policy text, expected errno, line, what}.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ipe_engine.h"

#define H "policy_name=t policy_version=1.2.3\n"
#define D "DEFAULT action=ALLOW\n"
#define OPDEFS                                                             \
	"DEFAULT op=EXECUTE action=ALLOW\nDEFAULT op=FIRMWARE action=DENY\n" \
	"DEFAULT op=KMODULE action=ALLOW\nDEFAULT op=KEXEC_IMAGE action=DENY\n" \
	"DEFAULT op=KEXEC_INITRAMFS action=ALLOW\nDEFAULT op=POLICY action=DENY\n"
#define X509DEF "DEFAULT op=X509_CERT action=ALLOW\n"

struct pcase {
	const char *what;
	const char *text;
	size_t len;		/* 0: strlen(text) */
	int err;
	unsigned int line;	/* expected error line, 0: don't check */
};

#define OK(w, t) { w, t, 0, 0, 0 }
#define BAD(w, t, e, l) { w, t, 0, -(e), l }

static const struct pcase cases[] = {
	/* accepted: layout */
	OK("minimal policy", H D),
	OK("no final newline", H "DEFAULT action=ALLOW"),
	OK("CR LF line ends", "policy_name=t policy_version=1.2.3\r\nDEFAULT action=ALLOW\r\n"),
	OK("CR line ends", "policy_name=t policy_version=1.2.3\rDEFAULT action=ALLOW\r"),
	OK("comments on own lines and after tokens", "# head\n" H "# mid\n" D "  # indented\n"),
	OK("comment glued to a token", "policy_name=t policy_version=1.2.3#x\nDEFAULT action=ALLOW#y\n"),
	OK("blank and whitespace-only lines", "\n \t \n" H "\n\n" D "\t\n"),
	OK("leading spaces and tabs", " \t policy_name=t \t policy_version=1.2.3\n\t DEFAULT\t\taction=ALLOW\n"),
	OK("trailing kernel isspace: \\v \\f NBSP", "policy_name=t policy_version=1.2.3\v\f\xa0\nDEFAULT action=ALLOW \v\n"),
	OK("whitespace-only line of \\v", H "\v\f\n" D),
	{ "parsing stops at the first NUL", H D "\0garbage that is not a rule\n", sizeof(H D "\0garbage that is not a rule\n") - 1, 0, 0 },
	OK("a DEFAULT per op, no global", H OPDEFS X509DEF),
	OK("global and per-op DEFAULTs", H D "DEFAULT op=EXECUTE action=DENY\n"),
	OK("rule without properties", H D "op=EXECUTE action=DENY\n"),
	OK("rule with every property", H D "op=KMODULE boot_verified=TRUE boot_verified=FALSE dmverity_roothash=sha256:00 dmverity_signature=TRUE dmverity_signature=FALSE fsverity_digest=sha256:ff fsverity_signature=TRUE fsverity_signature=FALSE action=ALLOW\n"),
	OK("every op", H D "op=EXECUTE action=ALLOW\nop=FIRMWARE action=ALLOW\nop=KMODULE action=ALLOW\nop=KEXEC_IMAGE action=ALLOW\nop=KEXEC_INITRAMFS action=ALLOW\nop=POLICY action=ALLOW\nop=X509_CERT action=ALLOW\n"),
	OK("rules before the DEFAULT", H "op=EXECUTE action=DENY\n" D),
	OK("upper-case hex", H D "op=EXECUTE fsverity_digest=sha256:ABCDEF0123 action=ALLOW\n"),
	OK("empty hex part", H D "op=EXECUTE fsverity_digest=sha256: action=ALLOW\n"),
	OK("empty algorithm", H D "op=EXECUTE dmverity_roothash=:abcd action=ALLOW\n"),
	OK("algorithm name not checked", H D "op=EXECUTE fsverity_digest=NoSuchHash:abcd action=ALLOW\n"),
	OK("'=' inside the name", "policy_name=a=b policy_version=1.2.3\n" D),
	OK("version with leading zeros", "policy_name=t policy_version=007.0.01\n" D),
	OK("version with '+'", "policy_name=t policy_version=+1.+2.+3\n" D),
	OK("largest version", "policy_name=t policy_version=65535.65535.65535\n" D),
	OK("DEFAULT action=DENY", H "DEFAULT action=DENY\n"),

	/* rejected: whole policy */
	{ "empty policy", "", 0, -EBADMSG, 1 },
	{ "NUL first", "\0" H D, sizeof("\0" H D) - 1, -EBADMSG, 0 },
	BAD("comments and blanks only", "# nothing\n\n  \n", EBADMSG, 0),
	BAD("header only", H, EBADMSG, 1),
	BAD("no DEFAULT for X509_CERT", H OPDEFS, EBADMSG, 0),
	BAD("rule before header", D H, EBADMSG, 1),

	/* rejected: header */
	BAD("header in reverse order", "policy_version=1.2.3 policy_name=t\n" D, EBADMSG, 1),
	BAD("empty name", "policy_name= policy_version=1.2.3\n" D, EBADMSG, 1),
	BAD("empty version", "policy_name=t policy_version=\n" D, EBADMSG, 1),
	BAD("no version", "policy_name=t\n" D, EBADMSG, 1),
	BAD("no name", "policy_version=1.2.3\n" D, EBADMSG, 1),
	BAD("header on two lines", "policy_name=t\npolicy_version=1.2.3\n" D, EBADMSG, 1),
	BAD("extra header token", "policy_name=t policy_version=1.2.3 x=y\n" D, EBADMSG, 1),
	BAD("header key case", "Policy_Name=t policy_version=1.2.3\n" D, EBADMSG, 1),
	BAD("comment cuts the header", "policy_name=t #policy_version=1.2.3\n" D, EBADMSG, 1),
	BAD("tokens split by \\v", "policy_name=t\vpolicy_version=1.2.3\n" D, EBADMSG, 1),

	/* rejected: version */
	BAD("two parts", "policy_name=t policy_version=1.2\n" D, EBADMSG, 1),
	BAD("four parts", "policy_name=t policy_version=1.2.3.4\n" D, EBADMSG, 1),
	BAD("trailing dot", "policy_name=t policy_version=1.2.3.\n" D, EBADMSG, 1),
	BAD("four parts, bad fourth", "policy_name=t policy_version=1.2.3.x\n" D, EBADMSG, 1),
	BAD("empty part", "policy_name=t policy_version=1..3\n" D, EINVAL, 1),
	BAD("letter", "policy_name=t policy_version=a.2.3\n" D, EINVAL, 1),
	BAD("negative", "policy_name=t policy_version=-1.2.3\n" D, EINVAL, 1),
	BAD("hex", "policy_name=t policy_version=0x1.2.3\n" D, EINVAL, 1),
	BAD("trailing letter", "policy_name=t policy_version=1.2.3a\n" D, EINVAL, 1),
	BAD("plus alone", "policy_name=t policy_version=+.2.3\n" D, EINVAL, 1),
	BAD("double plus", "policy_name=t policy_version=++1.2.3\n" D, EINVAL, 1),
	BAD("65536", "policy_name=t policy_version=65536.0.0\n" D, ERANGE, 1),
	BAD("u64 overflow", "policy_name=t policy_version=1.2.99999999999999999999999\n" D, ERANGE, 1),
	BAD("u64 overflow beats trailing junk", "policy_name=t policy_version=99999999999999999999999x.1.1\n" D, ERANGE, 1),
	BAD("above u16 then junk: junk wins", "policy_name=t policy_version=70000x.1.1\n" D, EINVAL, 1),
	BAD("first bad part decides (EINVAL)", "policy_name=t policy_version=1.x.99999\n" D, EINVAL, 1),
	BAD("first bad part decides (ERANGE)", "policy_name=t policy_version=99999.x.1\n" D, ERANGE, 1),
	BAD("five parts, bad third", "policy_name=t policy_version=1.2.x.4.5\n" D, EINVAL, 1),

	/* rejected: rules */
	BAD("unknown op", H D "op=EXEC action=ALLOW\n", EBADMSG, 3),
	BAD("op case", H D "op=execute action=ALLOW\n", EBADMSG, 3),
	BAD("action case", H D "op=EXECUTE action=allow\n", EBADMSG, 3),
	BAD("unknown action", H D "op=EXECUTE action=AUDIT\n", EBADMSG, 3),
	BAD("no action", H D "op=EXECUTE\n", EBADMSG, 3),
	BAD("property last, no action", H D "op=EXECUTE boot_verified=TRUE\n", EBADMSG, 3),
	BAD("action not last", H D "op=EXECUTE action=ALLOW boot_verified=TRUE\n", EBADMSG, 3),
	BAD("op not first", H D "boot_verified=TRUE op=EXECUTE action=ALLOW\n", EBADMSG, 3),
	BAD("two ops", H D "op=EXECUTE op=KMODULE action=ALLOW\n", EBADMSG, 3),
	BAD("action alone", H D "action=ALLOW\n", EBADMSG, 3),
	BAD("DEFAULT alone", H D "DEFAULT\n", EBADMSG, 3),
	BAD("DEFAULT with a property", H D "DEFAULT op=EXECUTE boot_verified=TRUE action=ALLOW\n", EBADMSG, 3),
	BAD("global DEFAULT with a property", H "DEFAULT boot_verified=TRUE action=ALLOW\n", EBADMSG, 2),
	BAD("second global DEFAULT", H D "DEFAULT action=DENY\n", EBADMSG, 3),
	BAD("second global DEFAULT, same action", H D D, EBADMSG, 3),
	BAD("second DEFAULT for an op", H D "DEFAULT op=KMODULE action=ALLOW\nDEFAULT op=KMODULE action=DENY\n", EBADMSG, 4),
	BAD("DEFAULT DEFAULT", H "DEFAULT DEFAULT action=ALLOW\n", EBADMSG, 2),
	BAD("DEFAULT not first", H D "op=EXECUTE DEFAULT action=ALLOW\n", EBADMSG, 3),
	BAD("default in lower case", H "default action=ALLOW\n", EBADMSG, 2),
	BAD("boolean in lower case", H D "op=EXECUTE boot_verified=true action=ALLOW\n", EBADMSG, 3),
	BAD("boolean empty", H D "op=EXECUTE boot_verified= action=ALLOW\n", EBADMSG, 3),
	BAD("boolean without value", H D "op=EXECUTE boot_verified action=ALLOW\n", EBADMSG, 3),
	BAD("dmverity_signature=1", H D "op=EXECUTE dmverity_signature=1 action=ALLOW\n", EBADMSG, 3),
	BAD("fsverity_signature=YES", H D "op=EXECUTE fsverity_signature=YES action=ALLOW\n", EBADMSG, 3),
	BAD("key case", H D "op=EXECUTE BOOT_VERIFIED=TRUE action=ALLOW\n", EBADMSG, 3),
	BAD("unknown key", H D "op=EXECUTE anonymous_memory=TRUE action=ALLOW\n", EBADMSG, 3),
	BAD("digest without value", H D "op=EXECUTE dmverity_roothash= action=ALLOW\n", EBADMSG, 3),
	BAD("digest without ':'", H D "op=EXECUTE fsverity_digest=sha256 action=ALLOW\n", EBADMSG, 3),
	BAD("digest of odd length", H D "op=EXECUTE fsverity_digest=sha256:abc action=ALLOW\n", EINVAL, 3),
	BAD("digest with non-hex", H D "op=EXECUTE dmverity_roothash=sha256:zz action=ALLOW\n", EINVAL, 3),
	BAD("digest with a second ':'", H D "op=EXECUTE fsverity_digest=sha256:ab:cd action=ALLOW\n", EINVAL, 3),
	BAD("digest of one hex digit", H D "op=EXECUTE fsverity_digest=sha256:a action=ALLOW\n", EINVAL, 3),
	BAD("bad digest before unknown key", H D "op=EXECUTE fsverity_digest=sha256:zz bogus action=ALLOW\n", EINVAL, 3),
	BAD("unknown key before bad digest", H D "op=EXECUTE bogus fsverity_digest=sha256:zz action=ALLOW\n", EBADMSG, 3),
	BAD("bad digest in a DEFAULT", H D "DEFAULT op=EXECUTE fsverity_digest=sha256:zz action=ALLOW\n", EINVAL, 3),
	BAD("bad digest then no action", H D "op=EXECUTE fsverity_digest=sha256:zz boot_verified=TRUE\n", EINVAL, 3),
	BAD("error line with CR LF", "policy_name=t policy_version=1.2.3\r\nDEFAULT action=ALLOW\r\n\r\nbogus action=ALLOW\r\n", EBADMSG, 4),
	BAD("error line with CR", "policy_name=t policy_version=1.2.3\rDEFAULT action=ALLOW\rbogus action=ALLOW\r", EBADMSG, 3),
	BAD("first error wins", H D "op=EXECUTE fsverity_digest=sha256:abc action=ALLOW\nbogus\n", EINVAL, 3),
};

static void test_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pcase *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		struct ipe_eng_policy *p = NULL;
		struct ipe_eng_error e = { 0 };
		int rc;

		t_begin();
		rc = ipe_eng_parse(c->text, len, 0, NULL, NULL, &p, &e);
		CHECK(rc == c->err, "rc %d, want %d (%s)", rc, c->err,
		      e.msg ? e.msg : "-");
		CHECK(!rc == !!p, "policy returned %p with rc %d", (void *)p, rc);
		if (rc)
			CHECK(e.err == rc && e.msg, "error not described");
		if (rc && c->line)
			CHECK(e.line == c->line, "line %u, want %u", e.line,
			      c->line);
		ipe_eng_policy_free(p);
		t_end(c->what);
	}
}

static int parse_ok(const char *text, struct ipe_eng_policy **p)
{
	struct ipe_eng_error e;

	return ipe_eng_parse(text, strlen(text), 0, NULL, NULL, p, &e);
}

static void test_contents(void)
{
	struct ipe_eng_policy *p;
	const struct ipe_eng_rule *r;
	const struct ipe_eng_prop *x;
	struct ipe_eng_prop_buf b;

	t_begin();
	CHECK(!parse_ok("policy_name=my=pol policy_version=007.0.01\n"
			"DEFAULT op=EXECUTE action=DENY\n" D
			"op=KMODULE action=DENY\n"
			"op=EXECUTE fsverity_digest=sha256:ABcd01 boot_verified=FALSE action=ALLOW\n"
			"op=EXECUTE dmverity_roothash=: action=DENY\n", &p),
	      "parse");
	if (!p) {
		t_end("parsed contents");
		return;
	}
	CHECK(!strcmp(p->name, "my=pol"), "name %s", p->name);
	CHECK(p->version[0] == 7 && p->version[1] == 0 && p->version[2] == 1,
	      "version normalised");
	CHECK(p->global_default == IPE_ENG_ACTION_ALLOW, "global default");
	CHECK(p->tables[IPE_ENG_OP_EXECUTE].default_action ==
	      IPE_ENG_ACTION_DENY, "op default");
	CHECK(p->tables[IPE_ENG_OP_FIRMWARE].default_action ==
	      IPE_ENG_ACTION_INVALID, "no op default");
	CHECK(p->nrules == 3, "nrules %u", p->nrules);
	CHECK(p->tables[IPE_ENG_OP_EXECUTE].nrules == 2, "exec rules");
	r = &p->rules[0];
	CHECK(r->line == 4 && r->op == IPE_ENG_OP_KMODULE &&
	      r->shape == IPE_ENG_SHAPE_NONE && !ipe_eng_rule_nprops(p, r),
	      "rule without properties");
	r = &p->rules[1];
	CHECK(r->line == 5 && r->shape == IPE_ENG_SHAPE_MANY &&
	      ipe_eng_rule_nprops(p, r) == 2, "rule 1 shape");
	x = ipe_eng_rule_prop(p, r, 0, &b);
	CHECK(x->type == IPE_ENG_PROP_FSV_DIGEST &&
	      !strcmp(x->digest.alg, "sha256") && x->digest.len == 3 &&
	      !memcmp(x->digest.digest, "\xab\xcd\x01", 3), "digest bytes");
	x = ipe_eng_rule_prop(p, r, 1, &b);
	CHECK(x->type == IPE_ENG_PROP_BOOT_VERIFIED_FALSE, "prop 2");
	CHECK(r->action == IPE_ENG_ACTION_ALLOW, "action");
	r = &p->rules[2];
	CHECK(r->shape == IPE_ENG_PROP_DMV_ROOTHASH &&
	      ipe_eng_rule_nprops(p, r) == 1, "one digest: compact");
	x = ipe_eng_rule_prop(p, r, 0, &b);
	CHECK(r->line == 6 && x->digest.len == 0 && !strcmp(x->digest.alg, ""),
	      "empty digest rule");
	ipe_eng_policy_free(p);
	t_end("parsed contents");
}

/*
 * What the one-pass parser must get right whatever the layout: a rule store
 * sized by line ends and trimmed when comments and blank lines leave it
 * mostly empty, tabs and CR-only line ends, rules of the general shape
 * parsed again after the pass, digests of lengths that are not multiples
 * of the eight-byte scan or the four-byte decode, and the first NUL.
 */
static void test_layout(void)
{
	static const char text[] =
		"# comment\n\n\n\n\n\n\n\n\n\n\n\n"
		"policy_name=lay\tpolicy_version=1.2.3 # trailing\r"
		"DEFAULT action=DENY\r\n"
		"op=EXECUTE\tfsverity_digest=sha1:00112233445566778899AABBCCDDEEFF0a1b2c3d action=ALLOW\n"
		"\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
		"op=KMODULE fsverity_digest=x:0123456789abcdef01 dmverity_roothash=y:fe boot_verified=TRUE   action=DENY   \n"
		"op=FIRMWARE dmverity_roothash=sha256:"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		"01 action=ALLOW\n"
		"op=POLICY action=DENY\0op=EXECUTE bogus action=ALLOW\n";
	static const u8 sha1[20] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
		0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x0a, 0x1b, 0x2c, 0x3d,
	};
	struct ipe_eng_policy *p = NULL;
	const struct ipe_eng_prop *x;
	struct ipe_eng_prop_buf b;
	struct ipe_eng_error e;
	const struct ipe_eng_rule *r;
	u8 big[33];
	unsigned int i;

	t_begin();
	CHECK(!ipe_eng_parse(text, sizeof(text) - 1, 0, NULL, NULL, &p, &e),
	      "parse: line %u: %s", e.line, e.msg);
	if (!p) {
		t_end("layout: line ends, tabs, shapes, digest lengths, NUL");
		return;
	}
	CHECK(!strcmp(p->name, "lay"), "name %s", p->name);
	CHECK(p->nrules == 4, "nrules %u", p->nrules);
	r = &p->rules[0];
	x = ipe_eng_rule_prop(p, r, 0, &b);
	CHECK(r->line == 15 && r->shape == IPE_ENG_PROP_FSV_DIGEST &&
	      !strcmp(x->digest.alg, "sha1") && x->digest.len == 20 &&
	      !memcmp(x->digest.digest, sha1, 20),
	      "compact 20-byte digest: line %u", r->line);
	r = &p->rules[1];
	CHECK(r->line == 32 && r->shape == IPE_ENG_SHAPE_MANY &&
	      ipe_eng_rule_nprops(p, r) == 3 &&
	      r->action == IPE_ENG_ACTION_DENY, "general rule: line %u",
	      r->line);
	x = ipe_eng_rule_prop(p, r, 0, &b);
	CHECK(!strcmp(x->digest.alg, "x") && x->digest.len == 9 &&
	      !memcmp(x->digest.digest,
		      "\x01\x23\x45\x67\x89\xab\xcd\xef\x01", 9), "9 bytes");
	x = ipe_eng_rule_prop(p, r, 1, &b);
	CHECK(x->type == IPE_ENG_PROP_DMV_ROOTHASH &&
	      !strcmp(x->digest.alg, "y") && x->digest.len == 1 &&
	      x->digest.digest[0] == 0xfe, "1 byte");
	x = ipe_eng_rule_prop(p, r, 2, &b);
	CHECK(x->type == IPE_ENG_PROP_BOOT_VERIFIED_TRUE, "boot_verified");
	r = &p->rules[2];
	x = ipe_eng_rule_prop(p, r, 0, &b);
	for (i = 0; i < 32; i++)
		big[i] = (u8)(((i % 8) * 2) << 4 | ((i % 8) * 2 + 1));
	big[32] = 0x01;
	CHECK(r->line == 33 && x->digest.len == 33 &&
	      !memcmp(x->digest.digest, big, 33), "33 bytes");
	r = &p->rules[3];
	CHECK(r->line == 34 && r->op == IPE_ENG_OP_POLICY,
	      "last rule before the NUL");
	ipe_eng_policy_free(p);
	t_end("layout: line ends, tabs, shapes, digest lengths, NUL");
}

/* A byte that is not a hex digit, anywhere in an eight-byte word. */
static void test_hex_words(void)
{
	static const u8 bad[] = { 'g', 'G', '/', ':', '@', '`', 0x10, 0x19,
				  0x30 | 0x80, 0x61 | 0x80, 0xc3, ' ' };
	char text[256];
	struct ipe_eng_policy *p;
	struct ipe_eng_error e;
	unsigned int i, at;
	int rc, wrong = 0;

	t_begin();
	for (i = 0; i < sizeof(bad); i++) {
		for (at = 0; at < 64; at++) {
			char hex[65];
			int n;

			memset(hex, 'a', 64);
			hex[64] = '\0';
			hex[at] = (char)bad[i];
			if (bad[i] == ' ')
				continue;	/* a token break, not a digit */
			n = snprintf(text, sizeof(text),
				     "policy_name=h policy_version=0.0.0\n" D
				     "op=EXECUTE fsverity_digest=sha256:%s action=ALLOW\n",
				     hex);
			rc = ipe_eng_parse(text, (size_t)n, 0, NULL, NULL, &p,
					   &e);
			if (rc != -EINVAL) {
				wrong++;
				ipe_eng_policy_free(p);
			}
		}
	}
	CHECK(!wrong, "%d bad digits accepted or misreported", wrong);
	t_end("a non-hex byte at each place of a digest");
}

struct collect {
	int n;
	unsigned int lines[8];
	int errs[8];
};

static void collect(void *arg, const struct ipe_eng_error *e)
{
	struct collect *c = arg;

	if (c->n < 8) {
		c->lines[c->n] = e->line;
		c->errs[c->n] = e->err;
	}
	c->n++;
}

static void test_all_errors(void)
{
	static const char text[] = H D
		"op=EXECUTE bogus action=ALLOW\n"
		"op=KMODULE fsverity_digest=sha256:abc action=ALLOW\n"
		"op=EXECUTE action=ALLOW\n"
		"DEFAULT action=DENY\n";
	struct ipe_eng_policy *p = NULL;
	struct ipe_eng_error e;
	struct collect c = { 0 };
	int rc;

	t_begin();
	rc = ipe_eng_parse(text, sizeof(text) - 1, IPE_ENG_PARSE_ALL_ERRORS,
			   collect, &c, &p, &e);
	CHECK(rc == -EBADMSG && !p, "first error's errno: %d", rc);
	CHECK(e.line == 3 && e.column == 12 && e.token_len == 5 &&
	      !memcmp(e.token, "bogus", 5), "first error located at %u:%u",
	      e.line, e.column);
	CHECK(c.n == 3, "%d errors reported", c.n);
	CHECK(c.lines[0] == 3 && c.errs[0] == -EBADMSG, "error 1");
	CHECK(c.lines[1] == 4 && c.errs[1] == -EINVAL, "error 2");
	CHECK(c.lines[2] == 6 && c.errs[2] == -EBADMSG, "error 3");
	t_end("all errors reported, first one returned");
}

static void test_names(void)
{
	static const struct {
		const char *name;
		int err;
	} n[] = {
		{ "ok", 0 }, { ".", -EACCES }, { "..", -EACCES },
		{ "...", 0 }, { ".hidden", 0 }, { "a/b", -EACCES },
		{ "/", -EACCES },
	};
	char longname[300];
	size_t i;

	t_begin();
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		CHECK(ipe_eng_check_name(n[i].name) == n[i].err, "name %s",
		      n[i].name);
	memset(longname, 'a', 255);
	longname[255] = '\0';
	CHECK(ipe_eng_check_name(longname) == 0, "255 bytes");
	longname[255] = 'a';
	longname[256] = '\0';
	CHECK(ipe_eng_check_name(longname) == -ENAMETOOLONG, "256 bytes");
	longname[3] = '/';
	CHECK(ipe_eng_check_name(longname) == -EACCES, "'/' before length");
	t_end("policy names the kernel can make a directory of");
}

static void test_version_cmp(void)
{
	const u16 a[3] = { 1, 2, 3 }, b[3] = { 1, 10, 0 }, c[3] = { 1, 2, 3 };

	t_begin();
	CHECK(ipe_eng_version_cmp(a, b) < 0, "1.2.3 < 1.10.0");
	CHECK(ipe_eng_version_cmp(b, a) > 0, "1.10.0 > 1.2.3");
	CHECK(ipe_eng_version_cmp(a, c) == 0, "equal");
	t_end("version order is numeric per part");
}

/* the version parser ipectl reads the kernel's policies/<name>/version with */
static void test_parse_version(void)
{
	static const struct {
		const char *s;
		int rc;
		u16 v[3];
	} vcases[] = {
		{ "1.2.3", 0, { 1, 2, 3 } },
		{ "0.0.0", 0, { 0, 0, 0 } },
		{ "65535.+7.007", 0, { 65535, 7, 7 } },
		{ "1.2", -EBADMSG, { 0 } },
		{ "1.2.3.4", -EBADMSG, { 0 } },
		{ "", -EINVAL, { 0 } },
		{ "1..3", -EINVAL, { 0 } },
		{ "1.2.x", -EINVAL, { 0 } },
		{ "1.2.3 ", -EINVAL, { 0 } },
		{ "1.65536.0", -ERANGE, { 0 } },
	};
	size_t i;

	t_begin();
	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		u16 v[3] = { 9, 9, 9 };
		int rc = ipe_eng_parse_version(vcases[i].s, strlen(vcases[i].s), v);

		CHECK(rc == vcases[i].rc, vcases[i].s);
		if (!rc)
			CHECK(!memcmp(v, vcases[i].v, sizeof(v)), vcases[i].s);
	}
	t_end("ipe_eng_parse_version() reads what policy_version= takes");
}

/*
 * --dump DIR: write each table case as DIR/NNN.pol (the exact bytes) and a
 * line "NNN ERRNO what" to DIR/cases, for replaying against a kernel's
 * own IPE (tests/vm).
 */
static int dump(const char *dir)
{
	char path[4096];
	FILE *idx, *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/cases", dir);
	idx = fopen(path, "w");
	if (!idx)
		return 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pcase *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->text);

		snprintf(path, sizeof(path), "%s/%03zu.pol", dir, i);
		f = fopen(path, "wb");
		if (!f || fwrite(c->text, 1, len, f) != len || fclose(f))
			return 1;
		fprintf(idx, "%03zu %d %s\n", i, -c->err, c->what);
	}
	return fclose(idx) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--dump"))
		return dump(argv[2]);
	test_table();
	test_contents();
	test_layout();
	test_hex_words();
	test_all_errors();
	test_names();
	test_version_cmp();
	test_parse_version();
	return t_report();
}
