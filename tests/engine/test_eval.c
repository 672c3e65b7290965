// SPDX-License-Identifier: MIT
/*
 * test_eval.c - evaluation order, DEFAULT fallbacks, every property for a
 * file and for "no file", and the rendered rule text.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "engine_priv.h"

#define H "policy_name=t policy_version=1.0.0\n"

static const u8 d_ab[32] = { 0xab, 0xcd };
static const struct ipe_eng_digest fsv_abcd = { "sha256", d_ab, 32 };
static const struct ipe_eng_digest fsv_abcd_sha512 = { "sha512", d_ab, 32 };
static const struct ipe_eng_digest dmv_abcd = { "sha256", d_ab, 32 };
static const struct ipe_eng_digest short_abcd = { "sha256", d_ab, 2 };

#define ABCD "abcd000000000000000000000000000000000000000000000000000000000000"

/* Files; NULL is "no file". */
static const struct ipe_eng_file_props f_plain = { 0 };
static const struct ipe_eng_file_props f_boot = { .boot_verified = true };
static const struct ipe_eng_file_props f_fsv = { .fsv_digest = &fsv_abcd };
static const struct ipe_eng_file_props f_fsv_signed = {
	.fsv_digest = &fsv_abcd, .fsv_signed = true };
static const struct ipe_eng_file_props f_fsv512 = {
	.fsv_digest = &fsv_abcd_sha512 };
static const struct ipe_eng_file_props f_fsv_short = {
	.fsv_digest = &short_abcd };
static const struct ipe_eng_file_props f_dmv = { .dmv_roothash = &dmv_abcd };
static const struct ipe_eng_file_props f_dmv_signed = {
	.dmv_roothash = &dmv_abcd, .dmv_signed = true };

struct ecase {
	const char *what;
	const char *policy;
	enum ipe_eng_op op;
	const struct ipe_eng_file_props *file;
	u32 unsupported;
	enum ipe_eng_action action;
	enum ipe_eng_match_type type;
	const char *audit;	/* rule="..." text */
};

#define A IPE_ENG_ACTION_ALLOW
#define DN IPE_ENG_ACTION_DENY
#define EX IPE_ENG_OP_EXECUTE
#define RULE IPE_ENG_MATCH_RULE
#define TABLE IPE_ENG_MATCH_TABLE
#define GLOBAL IPE_ENG_MATCH_GLOBAL
#define BIT(t) (1u << IPE_ENG_PROP_##t)

static const struct ecase cases[] = {
	{ "first matching rule wins", H "DEFAULT action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\nop=EXECUTE action=DENY\n",
	  EX, &f_boot, 0, A, RULE, "op=EXECUTE boot_verified=TRUE action=ALLOW" },
	{ "an earlier DENY wins over a later ALLOW", H "DEFAULT action=ALLOW\nop=EXECUTE action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\n",
	  EX, &f_boot, 0, DN, RULE, "op=EXECUTE action=DENY" },
	{ "non-matching rule skipped", H "DEFAULT action=DENY\nop=EXECUTE boot_verified=TRUE action=DENY\nop=EXECUTE action=ALLOW\n",
	  EX, &f_plain, 0, A, RULE, "op=EXECUTE action=ALLOW" },
	{ "all properties must hold", H "DEFAULT action=DENY\nop=EXECUTE boot_verified=TRUE fsverity_signature=TRUE action=ALLOW\n",
	  EX, &f_boot, 0, DN, GLOBAL, "DEFAULT action=DENY" },
	{ "all properties hold", H "DEFAULT action=DENY\nop=EXECUTE fsverity_digest=sha256:" ABCD " fsverity_signature=TRUE action=ALLOW\n",
	  EX, &f_fsv_signed, 0, A, RULE, "op=EXECUTE fsverity_digest=\"sha256\":ABCD000000000000000000000000000000000000000000000000000000000000 fsverity_signature=TRUE action=ALLOW" },
	{ "op DEFAULT before global DEFAULT", H "DEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\n",
	  EX, &f_plain, 0, DN, TABLE, "DEFAULT op=EXECUTE action=DENY" },
	{ "global DEFAULT when the op has none", H "DEFAULT action=ALLOW\nDEFAULT op=KMODULE action=DENY\n",
	  EX, &f_plain, 0, A, GLOBAL, "DEFAULT action=ALLOW" },
	{ "rules of other ops do not apply", H "DEFAULT action=DENY\nop=KMODULE action=ALLOW\n",
	  EX, &f_plain, 0, DN, GLOBAL, "DEFAULT action=DENY" },
	{ "KMODULE rule", H "DEFAULT action=DENY\nop=KMODULE boot_verified=TRUE action=ALLOW\n",
	  IPE_ENG_OP_KMODULE, &f_boot, 0, A, RULE, "op=KMODULE boot_verified=TRUE action=ALLOW" },
	{ "X509_CERT op DEFAULT", H "DEFAULT action=ALLOW\nDEFAULT op=X509_CERT action=DENY\n",
	  IPE_ENG_OP_X509, NULL, 0, DN, TABLE, "DEFAULT op=X509_CERT action=DENY" },
	{ "unknown op: global DEFAULT", H "DEFAULT action=DENY\nDEFAULT op=EXECUTE action=ALLOW\n",
	  IPE_ENG_OP_INVALID, &f_plain, 0, DN, GLOBAL, "DEFAULT action=DENY" },
	{ "unknown op without global DEFAULT: allowed", H "DEFAULT op=EXECUTE action=DENY\nDEFAULT op=FIRMWARE action=DENY\nDEFAULT op=KMODULE action=DENY\nDEFAULT op=KEXEC_IMAGE action=DENY\nDEFAULT op=KEXEC_INITRAMFS action=DENY\nDEFAULT op=POLICY action=DENY\nDEFAULT op=X509_CERT action=DENY\n",
	  IPE_ENG_OP_INVALID, &f_plain, 0, A, GLOBAL, "DEFAULT action=ALLOW" },

	/* no file: the FALSE forms hold, nothing else does */
	{ "no file: boot_verified=FALSE", H "DEFAULT action=DENY\nop=EXECUTE boot_verified=FALSE action=ALLOW\n",
	  EX, NULL, 0, A, RULE, "op=EXECUTE boot_verified=FALSE action=ALLOW" },
	{ "no file: dmverity_signature=FALSE", H "DEFAULT action=DENY\nop=EXECUTE dmverity_signature=FALSE action=ALLOW\n",
	  EX, NULL, 0, A, RULE, "op=EXECUTE dmverity_signature=FALSE action=ALLOW" },
	{ "no file: fsverity_signature=FALSE", H "DEFAULT action=DENY\nop=EXECUTE fsverity_signature=FALSE action=ALLOW\n",
	  EX, NULL, 0, A, RULE, "op=EXECUTE fsverity_signature=FALSE action=ALLOW" },
	{ "no file: boot_verified=TRUE", H "DEFAULT action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\n",
	  EX, NULL, 0, DN, GLOBAL, "DEFAULT action=DENY" },
	{ "no file: digest", H "DEFAULT action=DENY\nop=EXECUTE fsverity_digest=sha256:" ABCD " action=ALLOW\n",
	  EX, NULL, 0, DN, GLOBAL, "DEFAULT action=DENY" },
	{ "no file: roothash", H "DEFAULT action=DENY\nop=EXECUTE dmverity_roothash=sha256:" ABCD " action=ALLOW\n",
	  EX, NULL, 0, DN, GLOBAL, "DEFAULT action=DENY" },
	{ "no file: empty rule", H "DEFAULT action=DENY\nop=EXECUTE action=ALLOW\n",
	  EX, NULL, 0, A, RULE, "op=EXECUTE action=ALLOW" },

	/* each property, positive and negative */
	{ "boot_verified=TRUE on initramfs", H "DEFAULT action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\n",
	  EX, &f_boot, 0, A, RULE, NULL },
	{ "boot_verified=FALSE on initramfs", H "DEFAULT action=DENY\nop=EXECUTE boot_verified=FALSE action=ALLOW\n",
	  EX, &f_boot, 0, DN, GLOBAL, NULL },
	{ "boot_verified=FALSE elsewhere", H "DEFAULT action=DENY\nop=EXECUTE boot_verified=FALSE action=ALLOW\n",
	  EX, &f_plain, 0, A, RULE, NULL },
	{ "dmverity_roothash equal", H "DEFAULT action=DENY\nop=EXECUTE dmverity_roothash=sha256:" ABCD " action=ALLOW\n",
	  EX, &f_dmv, 0, A, RULE, "op=EXECUTE dmverity_roothash=\"sha256\":ABCD000000000000000000000000000000000000000000000000000000000000 action=ALLOW" },
	{ "dmverity_roothash upper-case hex", H "DEFAULT action=DENY\nop=EXECUTE dmverity_roothash=sha256:" "ABCD000000000000000000000000000000000000000000000000000000000000" " action=ALLOW\n",
	  EX, &f_dmv, 0, A, RULE, NULL },
	{ "dmverity_roothash other bytes", H "DEFAULT action=DENY\nop=EXECUTE dmverity_roothash=sha256:abce000000000000000000000000000000000000000000000000000000000000 action=ALLOW\n",
	  EX, &f_dmv, 0, DN, GLOBAL, NULL },
	{ "dmverity_roothash algorithm case matters", H "DEFAULT action=DENY\nop=EXECUTE dmverity_roothash=SHA256:" ABCD " action=ALLOW\n",
	  EX, &f_dmv, 0, DN, GLOBAL, NULL },
	{ "dmverity_roothash is not the fs-verity digest", H "DEFAULT action=DENY\nop=EXECUTE dmverity_roothash=sha256:" ABCD " action=ALLOW\n",
	  EX, &f_fsv, 0, DN, GLOBAL, NULL },
	{ "dmverity_signature=TRUE signed", H "DEFAULT action=DENY\nop=EXECUTE dmverity_signature=TRUE action=ALLOW\n",
	  EX, &f_dmv_signed, 0, A, RULE, NULL },
	{ "dmverity_signature=TRUE unsigned", H "DEFAULT action=DENY\nop=EXECUTE dmverity_signature=TRUE action=ALLOW\n",
	  EX, &f_dmv, 0, DN, GLOBAL, NULL },
	{ "dmverity_signature=FALSE unsigned", H "DEFAULT action=DENY\nop=EXECUTE dmverity_signature=FALSE action=ALLOW\n",
	  EX, &f_dmv, 0, A, RULE, NULL },
	{ "dmverity_signature=FALSE signed", H "DEFAULT action=DENY\nop=EXECUTE dmverity_signature=FALSE action=ALLOW\n",
	  EX, &f_dmv_signed, 0, DN, GLOBAL, NULL },
	{ "fsverity_digest equal", H "DEFAULT action=DENY\nop=EXECUTE fsverity_digest=sha256:" ABCD " action=ALLOW\n",
	  EX, &f_fsv, 0, A, RULE, NULL },
	{ "fsverity_digest other algorithm", H "DEFAULT action=DENY\nop=EXECUTE fsverity_digest=sha256:" ABCD " action=ALLOW\n",
	  EX, &f_fsv512, 0, DN, GLOBAL, NULL },
	{ "fsverity_digest other length", H "DEFAULT action=DENY\nop=EXECUTE fsverity_digest=sha256:" ABCD " action=ALLOW\n",
	  EX, &f_fsv_short, 0, DN, GLOBAL, NULL },
	{ "fsverity_digest prefix only", H "DEFAULT action=DENY\nop=EXECUTE fsverity_digest=sha256:abcd action=ALLOW\n",
	  EX, &f_fsv, 0, DN, GLOBAL, NULL },
	{ "fsverity_digest on a non-verity file", H "DEFAULT action=DENY\nop=EXECUTE fsverity_digest=sha256:" ABCD " action=ALLOW\n",
	  EX, &f_plain, 0, DN, GLOBAL, NULL },
	{ "fsverity_signature=TRUE signed", H "DEFAULT action=DENY\nop=EXECUTE fsverity_signature=TRUE action=ALLOW\n",
	  EX, &f_fsv_signed, 0, A, RULE, NULL },
	{ "fsverity_signature=TRUE unsigned", H "DEFAULT action=DENY\nop=EXECUTE fsverity_signature=TRUE action=ALLOW\n",
	  EX, &f_fsv, 0, DN, GLOBAL, NULL },
	{ "fsverity_signature=FALSE unsigned", H "DEFAULT action=DENY\nop=EXECUTE fsverity_signature=FALSE action=ALLOW\n",
	  EX, &f_fsv, 0, A, RULE, NULL },
	{ "fsverity_signature=FALSE signed", H "DEFAULT action=DENY\nop=EXECUTE fsverity_signature=FALSE action=ALLOW\n",
	  EX, &f_fsv_signed, 0, DN, GLOBAL, NULL },
	{ "short digest", H "DEFAULT action=DENY\nop=EXECUTE fsverity_digest=sha256:abcd action=ALLOW\n",
	  EX, &f_fsv_short, 0, A, RULE, "op=EXECUTE fsverity_digest=\"sha256\":ABCD action=ALLOW" },

	/* a property the environment cannot derive: neither form holds */
	{ "unsupported: TRUE form", H "DEFAULT action=DENY\nop=EXECUTE dmverity_signature=TRUE action=ALLOW\n",
	  EX, &f_dmv_signed, BIT(DMV_SIG_TRUE) | BIT(DMV_SIG_FALSE), DN, GLOBAL, NULL },
	{ "unsupported: FALSE form", H "DEFAULT action=DENY\nop=EXECUTE dmverity_signature=FALSE action=ALLOW\n",
	  EX, NULL, BIT(DMV_SIG_TRUE) | BIT(DMV_SIG_FALSE), DN, GLOBAL, NULL },
	{ "unsupported: indexed digest", H "DEFAULT action=DENY\nop=EXECUTE fsverity_digest=sha256:" ABCD " action=ALLOW\n",
	  EX, &f_fsv, BIT(FSV_DIGEST), DN, GLOBAL, NULL },

	/* the index keeps file order */
	{ "indexed rule after a matching plain rule", H "DEFAULT action=ALLOW\nop=EXECUTE boot_verified=FALSE action=DENY\nop=EXECUTE fsverity_digest=sha256:" ABCD " action=ALLOW\n",
	  EX, &f_fsv, 0, DN, RULE, "op=EXECUTE boot_verified=FALSE action=DENY" },
	{ "indexed rule before a matching plain rule", H "DEFAULT action=ALLOW\nop=EXECUTE fsverity_digest=sha256:" ABCD " action=ALLOW\nop=EXECUTE action=DENY\n",
	  EX, &f_fsv, 0, A, RULE, NULL },
	{ "duplicate digest: the first decides", H "DEFAULT action=ALLOW\nop=EXECUTE fsverity_digest=sha256:" ABCD " action=DENY\nop=EXECUTE fsverity_digest=sha256:" ABCD " action=ALLOW\n",
	  EX, &f_fsv, 0, DN, RULE, NULL },
	{ "roothash rule before digest rule", H "DEFAULT action=ALLOW\nop=EXECUTE dmverity_roothash=sha256:" ABCD " action=DENY\nop=EXECUTE fsverity_digest=sha256:" ABCD " action=ALLOW\n",
	  EX, &(struct ipe_eng_file_props){ .fsv_digest = &fsv_abcd, .dmv_roothash = &dmv_abcd }, 0, DN, RULE,
	  "op=EXECUTE dmverity_roothash=\"sha256\":ABCD000000000000000000000000000000000000000000000000000000000000 action=DENY" },
	{ "same bytes, other algorithm in the index", H "DEFAULT action=DENY\nop=EXECUTE fsverity_digest=sha512:" ABCD " action=DENY\nop=EXECUTE fsverity_digest=sha256:" ABCD " action=ALLOW\n",
	  EX, &f_fsv, 0, A, RULE, NULL },
};

static void test_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ecase *c = &cases[i];
		struct ipe_eng_ctx ctx = { c->op, c->file, c->unsupported };
		struct ipe_eng_policy *p = NULL;
		struct ipe_eng_match m;
		struct ipe_eng_error e;
		char buf[512];

		t_begin();
		CHECK(!ipe_eng_parse(c->policy, strlen(c->policy), 0, NULL,
				     NULL, &p, &e), "parse: %s", e.msg);
		if (p) {
			ipe_eng_eval(p, &ctx, &m);
			CHECK(m.action == c->action, "action %d, want %d",
			      m.action, c->action);
			CHECK(m.type == c->type, "match type %d, want %d",
			      m.type, c->type);
			CHECK((m.type == IPE_ENG_MATCH_RULE) == !!m.rule,
			      "rule pointer");
			ipe_eng_render_match(&m, IPE_ENG_RENDER_AUDIT, buf,
					     sizeof(buf));
			if (c->audit)
				CHECK(!strcmp(buf, c->audit),
				      "rendered '%s', want '%s'", buf,
				      c->audit);
		}
		ipe_eng_policy_free(p);
		t_end(c->what);
	}
}

static void test_render(void)
{
	static const char pol[] = H "DEFAULT action=DENY\n"
		"op=EXECUTE fsverity_digest=sha256:ABcd boot_verified=TRUE action=ALLOW\n"
		"op=EXECUTE dmverity_roothash=a\"b:01 action=ALLOW\n"
		"op=EXECUTE dmverity_roothash=:02 action=ALLOW\n"
		"op=EXECUTE fsverity_digest=sha256: action=DENY\n";
	struct ipe_eng_policy *p;
	struct ipe_eng_error e;
	struct ipe_eng_match m = { .type = IPE_ENG_MATCH_RULE };
	char buf[256], small[8];
	size_t n;

	t_begin();
	CHECK(!ipe_eng_parse(pol, sizeof(pol) - 1, 0, NULL, NULL, &p, &e),
	      "parse");
	if (!p) {
		t_end("rendering");
		return;
	}
	m.rule = &p->rules[0];
	m.policy = p;
	m.action = IPE_ENG_ACTION_ALLOW;
	ipe_eng_render_match(&m, IPE_ENG_RENDER_POLICY, buf, sizeof(buf));
	CHECK(!strcmp(buf, "op=EXECUTE fsverity_digest=sha256:abcd boot_verified=TRUE action=ALLOW"),
	      "policy style: %s", buf);
	ipe_eng_render_match(&m, IPE_ENG_RENDER_AUDIT, buf, sizeof(buf));
	CHECK(!strcmp(buf, "op=EXECUTE fsverity_digest=\"sha256\":ABCD boot_verified=TRUE action=ALLOW"),
	      "audit style: %s", buf);
	m.rule = &p->rules[1];
	ipe_eng_render_match(&m, IPE_ENG_RENDER_AUDIT, buf, sizeof(buf));
	CHECK(!strcmp(buf, "op=EXECUTE dmverity_roothash=612262:01 action=ALLOW"),
	      "algorithm with a quote is hex: %s", buf);
	m.rule = &p->rules[2];
	ipe_eng_render_match(&m, IPE_ENG_RENDER_AUDIT, buf, sizeof(buf));
	CHECK(!strcmp(buf, "op=EXECUTE dmverity_roothash=\"\":02 action=ALLOW"),
	      "empty algorithm: %s", buf);
	m.rule = &p->rules[3];
	m.action = IPE_ENG_ACTION_DENY;
	ipe_eng_render_match(&m, IPE_ENG_RENDER_AUDIT, buf, sizeof(buf));
	CHECK(!strcmp(buf, "op=EXECUTE fsverity_digest=\"sha256\": action=DENY"),
	      "empty digest: %s", buf);

	m.rule = NULL;
	m.type = IPE_ENG_MATCH_TABLE;
	m.op = IPE_ENG_OP_KEXEC_INITRAMFS;
	n = ipe_eng_render_match(&m, IPE_ENG_RENDER_AUDIT, small, sizeof(small));
	CHECK(n == strlen("DEFAULT op=KEXEC_INITRAMFS action=DENY"),
	      "full length returned: %zu", n);
	CHECK(!strcmp(small, "DEFAULT"), "cut short and terminated: %s", small);
	n = ipe_eng_render_match(&m, IPE_ENG_RENDER_AUDIT, NULL, 0);
	CHECK(n == strlen("DEFAULT op=KEXEC_INITRAMFS action=DENY"),
	      "size 0 measures");
	m.type = IPE_ENG_MATCH_GLOBAL;
	m.op = IPE_ENG_OP_INVALID;
	ipe_eng_render_match(&m, IPE_ENG_RENDER_AUDIT, buf, sizeof(buf));
	CHECK(!strcmp(buf, "DEFAULT action=DENY"), "global: %s", buf);
	CHECK(!strcmp(ipe_eng_op_name(IPE_ENG_OP_INVALID), "UNKNOWN"),
	      "invalid op audits as UNKNOWN");
	ipe_eng_policy_free(p);
	t_end("rendering");
}

static void test_parse_op(void)
{
	enum ipe_eng_op op;

	t_begin();
	CHECK(!ipe_eng_parse_op("X509_CERT", &op) && op == IPE_ENG_OP_X509,
	      "X509_CERT");
	CHECK(!ipe_eng_parse_op("KEXEC_INITRAMFS", &op) &&
	      op == IPE_ENG_OP_KEXEC_INITRAMFS, "KEXEC_INITRAMFS");
	CHECK(ipe_eng_parse_op("execute", &op) == -EINVAL, "case");
	CHECK(ipe_eng_parse_op("UNKNOWN", &op) == -EINVAL, "UNKNOWN");
	t_end("op names");
}

/* Deciding slots: every evaluation's, and the listing in line order. */
static void test_slots(void)
{
	static const char pol[] = H
		"op=EXECUTE boot_verified=TRUE action=ALLOW\n"	/* 2 */
		"DEFAULT op=EXECUTE action=DENY\n"			/* 3 */
		"op=KMODULE action=DENY\n"				/* 4 */
		"\n"
		"DEFAULT action=ALLOW\n"				/* 6 */
		"op=EXECUTE fsverity_digest=sha256:" ABCD " action=ALLOW\n";
	static const u32 want_lines[] = { 2, 3, 4, 6, 7 };
	struct ipe_eng_ctx ctx = { EX, &f_boot, 0 };
	struct ipe_eng_policy *p = NULL;
	struct ipe_eng_match m, back;
	struct ipe_eng_error e;
	char a[256], b[256];
	u32 k, s, nr;

	t_begin();
	CHECK(!ipe_eng_parse(pol, sizeof(pol) - 1, 0, NULL, NULL, &p, &e),
	      "parse: %s", e.msg);
	if (!p) {
		t_end("deciding slots");
		return;
	}
	nr = p->nrules;
	CHECK(nr == 3 && ipe_eng_nslots(p) == 3 + __IPE_ENG_OP_MAX + 1,
	      "nslots %u", ipe_eng_nslots(p));
	ipe_eng_eval(p, &ctx, &m);
	CHECK(ipe_eng_match_slot(p, &m) == 0, "first rule: slot 0");
	ctx.file = &f_fsv;
	ipe_eng_eval(p, &ctx, &m);
	CHECK(ipe_eng_match_slot(p, &m) == 2, "indexed rule: slot 2");
	ctx.file = &f_plain;
	ipe_eng_eval(p, &ctx, &m);
	CHECK(ipe_eng_match_slot(p, &m) == nr + EX, "op DEFAULT slot");
	ctx.op = IPE_ENG_OP_FIRMWARE;
	ipe_eng_eval(p, &ctx, &m);
	CHECK(ipe_eng_match_slot(p, &m) == nr + __IPE_ENG_OP_MAX,
	      "global DEFAULT slot");
	ctx.op = IPE_ENG_OP_INVALID;
	ipe_eng_eval(p, &ctx, &m);
	CHECK(ipe_eng_match_slot(p, &m) == nr + __IPE_ENG_OP_MAX,
	      "invalid op: global slot");
	CHECK(ipe_eng_slot_line(p, nr + IPE_ENG_OP_KMODULE) == 0,
	      "no KMODULE DEFAULT: line 0");
	CHECK(ipe_eng_nlisted(p) == 5, "listed %u", ipe_eng_nlisted(p));
	for (k = 0; k < 5; k++) {
		s = ipe_eng_listed_slot(p, k);
		CHECK(ipe_eng_slot_line(p, s) == want_lines[k],
		      "listed %u: line %u, want %u", k,
		      ipe_eng_slot_line(p, s), want_lines[k]);
	}
	/* a slot renders as the evaluation it decides renders */
	ctx = (struct ipe_eng_ctx){ EX, &f_fsv, 0 };
	ipe_eng_eval(p, &ctx, &m);
	ipe_eng_slot_match(p, ipe_eng_match_slot(p, &m), &back);
	ipe_eng_render_match(&m, IPE_ENG_RENDER_AUDIT, a, sizeof(a));
	ipe_eng_render_match(&back, IPE_ENG_RENDER_AUDIT, b, sizeof(b));
	CHECK(!strcmp(a, b), "rendered '%s', want '%s'", b, a);
	ipe_eng_slot_match(p, nr + EX, &back);
	ipe_eng_render_match(&back, IPE_ENG_RENDER_AUDIT, b, sizeof(b));
	CHECK(!strcmp(b, "DEFAULT op=EXECUTE action=DENY"), "op: %s", b);
	ipe_eng_slot_match(p, nr + __IPE_ENG_OP_MAX, &back);
	ipe_eng_render_match(&back, IPE_ENG_RENDER_AUDIT, b, sizeof(b));
	CHECK(!strcmp(b, "DEFAULT action=ALLOW"), "global: %s", b);
	ipe_eng_policy_free(p);
	t_end("deciding slots");
}

#define UABCD "ABCD" ABCD_ZEROES
#define ABCD_ZEROES "000000000000000000000000000000000000000000000000000000000000"

/*
 * One-digest rules in their two forms: compact (the first IPE_ENG_KINDS_MAX
 * (algorithm, length) pairs, digests of up to IPE_ENG_ONE_DIGEST_MAX bytes)
 * and general (the others): the same decisions, slots and rendering.
 */
static void test_forms(void)
{
	static const u8 d65[65] = { 0xab };
	const u32 n = IPE_ENG_KINDS_MAX + 4;
	struct ipe_eng_policy *p = NULL;
	struct ipe_eng_digest d = { NULL, d_ab, 32 };
	struct ipe_eng_file_props fp = { .fsv_digest = &d };
	struct ipe_eng_ctx ctx = { EX, &fp, 0 };
	struct ipe_eng_match m;
	struct ipe_eng_error e;
	char text[8192], alg[16], want[256], buf[256];
	size_t len;
	u32 i;

	t_begin();
	len = (size_t)sprintf(text, H "DEFAULT action=DENY\n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(text + len,
				       "op=EXECUTE fsverity_digest=a%u:%s action=%s\n",
				       i, i % 2 ? ABCD : UABCD,
				       i % 3 ? "ALLOW" : "DENY");
	/* 65 bytes: general; then the same key compact, never reached */
	len += (size_t)sprintf(text + len, "op=EXECUTE fsverity_digest=a0:ab%0128d action=ALLOW\n"
			       "op=EXECUTE fsverity_digest=a0:" ABCD " action=ALLOW\n", 0);
	CHECK(!ipe_eng_parse(text, len, 0, NULL, NULL, &p, &e), "parse: %s",
	      e.msg);
	if (!p) {
		t_end("compact and general one-digest rules decide alike");
		return;
	}
	CHECK(p->nrules == n + 2, "nrules %u", p->nrules);
	for (i = 0; i < n; i++) {
		bool compact = i < IPE_ENG_KINDS_MAX;

		CHECK((p->rules[i].shape == IPE_ENG_PROP_FSV_DIGEST) == compact,
		      "rule %u: shape %u", i, p->rules[i].shape);
		sprintf(alg, "a%u", i);
		d.alg = alg;
		ipe_eng_eval(p, &ctx, &m);
		CHECK(m.rule == &p->rules[i] && ipe_eng_match_slot(p, &m) == i,
		      "rule %u decides its digest", i);
		sprintf(want, "op=EXECUTE fsverity_digest=\"a%u\":%s action=%s",
			i, UABCD, i % 3 ? "ALLOW" : "DENY");
		ipe_eng_render_match(&m, IPE_ENG_RENDER_AUDIT, buf, sizeof(buf));
		CHECK(!strcmp(buf, want), "rule %u renders %s", i, buf);
	}
	CHECK(p->rules[n].shape == IPE_ENG_SHAPE_MANY, "65 bytes: general");
	CHECK(p->rules[n + 1].shape == IPE_ENG_PROP_FSV_DIGEST, "compact");
	d = (struct ipe_eng_digest){ "a0", d65, 65 };
	ipe_eng_eval(p, &ctx, &m);
	CHECK(m.rule == &p->rules[n], "65-byte digest decided by its rule");
	d = (struct ipe_eng_digest){ "a0", d_ab, 31 };
	ipe_eng_eval(p, &ctx, &m);
	CHECK(m.type == IPE_ENG_MATCH_GLOBAL, "a shorter digest: no rule");
	ipe_eng_policy_free(p);
	t_end("compact and general one-digest rules decide alike");
}

/* ipe_eng_hex_eq(), 8 digits a step or one: any case, any length. */
static void test_hex_eq(void)
{
	static const char up[] = "0123456789ABCDEF", low[] = "0123456789abcdef";
	u8 bytes[40], other[40];
	char hex[81];
	u32 seed = 1, len, i, k;

	t_begin();
	for (k = 0; k < 2000; k++) {
		len = k % 41;
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			bytes[i] = (u8)(seed >> 16);
			hex[2 * i] = (seed & 1 ? up : low)[bytes[i] >> 4];
			hex[2 * i + 1] = (seed & 2 ? up : low)[bytes[i] & 15];
		}
		CHECK(ipe_eng_hex_eq(hex, bytes, len), "equal, length %u", len);
		for (i = 0; i < len; i++) {
			memcpy(other, bytes, len);
			other[i] ^= (u8)(1u << (k % 8));
			CHECK(!ipe_eng_hex_eq(hex, other, len),
			      "byte %u of %u differs", i, len);
		}
	}
	t_end("hex digits compare with bytes in any case");
}

int main(void)
{
	test_hex_eq();
	test_table();
	test_render();
	test_parse_op();
	test_slots();
	test_forms();
	return t_report();
}
