// SPDX-License-Identifier: MIT
/*
 * test_trailer.c - ipe_eng_appended_split() and ipe_eng_appended_tail():
 * one row per blob {text, signature, trailer, magic, rc, what}, with the
 * errnos of the module's check (docs/policy-formats.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ipe_engine.h"

#define MODULE_MAGIC "~Module signature appended~\n"

struct trailer_case {
	size_t text;		/* bytes of text before the signature */
	size_t sig;		/* bytes of signature */
	long sig_len;		/* the trailer's sig_len, -1: @sig */
	int set_byte;		/* trailer byte to set to set_val, -1 none */
	u8 set_val;
	int trailer;		/* bytes of trailer, -1: 12 */
	const char *magic;	/* NULL: IPE_ENG_SIG_MAGIC */
	int rc;
	const char *what;
};

static const struct trailer_case cases[] = {
	{ 100, 40, -1, -1, 0, -1, NULL, 0, "text, signature, trailer, magic" },
	{ 0, 40, -1, -1, 0, -1, NULL, 0, "no text: sig_len is all before" },
	{ 100, 1, -1, -1, 0, -1, NULL, 0, "a one-byte signature" },
	{ 100, 40, 0, -1, 0, -1, NULL, -EBADMSG, "sig_len 0" },
	{ 100, 40, 141, -1, 0, -1, NULL, -EBADMSG, "sig_len past the start" },
	{ 100, 40, 140, -1, 0, -1, NULL, 0, "sig_len exactly to the start" },
	{ 100, 40, 0xffffffffL, -1, 0, -1, NULL, -EBADMSG, "sig_len 2^32-1" },
	{ 100, 40, 0x01000028L, -1, 0, -1, NULL, -EBADMSG,
	  "sig_len read big-endian" },
	{ 100, 40, -1, 0, 1, -1, NULL, -EBADMSG, "algo not 0" },
	{ 100, 40, -1, 1, 1, -1, NULL, -EBADMSG, "hash not 0" },
	{ 100, 40, -1, 2, 1, -1, NULL, -ENOPKG, "id_type 1 (X.509)" },
	{ 100, 40, -1, 2, 0, -1, NULL, -ENOPKG, "id_type 0 (PGP)" },
	{ 100, 40, -1, 2, 255, -1, NULL, -ENOPKG, "id_type 255" },
	{ 100, 40, -1, 3, 1, -1, NULL, -EBADMSG, "signer_len not 0" },
	{ 100, 40, -1, 4, 1, -1, NULL, -EBADMSG, "key_id_len not 0" },
	{ 100, 40, -1, 5, 1, -1, NULL, -EBADMSG, "pad[0] not 0" },
	{ 100, 40, -1, 6, 0x80, -1, NULL, -EBADMSG, "pad[1] not 0" },
	{ 100, 40, -1, 7, 1, -1, NULL, -EBADMSG, "pad[2] not 0" },
	{ 0, 0, -1, -1, 0, 11, NULL, -EBADMSG, "11 bytes before the magic" },
	{ 0, 0, -1, -1, 0, 0, NULL, -EBADMSG, "only the magic" },
	{ 0, 0, 0, -1, 0, -1, NULL, -EBADMSG, "trailer and magic, sig_len 0" },
	{ 0, 0, 1, -1, 0, -1, NULL, -EBADMSG, "trailer and magic, sig_len 1" },
	{ 100, 40, -1, -1, 0, -1, MODULE_MAGIC, -ENODATA, "a module's magic" },
	{ 100, 40, -1, -1, 0, -1, "~IPE policy signature appended~",
	  -ENODATA, "the magic without its newline" },
	{ 100, 40, -1, -1, 0, -1, "~ipe policy signature appended~\n",
	  -ENODATA, "the magic in another case" },
	{ 100, 40, -1, -1, 0, -1, "", -ENODATA, "no magic" },
	{ 0, 0, -1, -1, 0, 0, "IPE policy signature appended~\n", -ENODATA,
	  "31 bytes of the magic, alone" },
};

static size_t build(const struct trailer_case *c, u8 *buf)
{
	const char *magic = c->magic ? c->magic : IPE_ENG_SIG_MAGIC;
	size_t n = 0, tl = c->trailer < 0 ? 12 : (size_t)c->trailer;
	u8 tail[IPE_ENG_SIG_TAIL_LEN];
	unsigned long sl = c->sig_len < 0 ? c->sig : (unsigned long)c->sig_len;

	memset(buf, 't', c->text);
	n += c->text;
	memset(buf + n, 0x30, c->sig);
	n += c->sig;
	ipe_eng_appended_tail((u32)sl, tail);
	if (c->set_byte >= 0)
		tail[c->set_byte] = c->set_val;
	memcpy(buf + n, tail + 12 - tl, tl);
	n += tl;
	memcpy(buf + n, magic, strlen(magic));
	return n + strlen(magic);
}

static void run_case(const struct trailer_case *c)
{
	static u8 store[1024];
	size_t len, tl = 7777, sl = 8888;
	u8 *blob = store + 1;	/* no alignment is needed */
	int rc;

	t_begin();
	len = build(c, blob);
	rc = ipe_eng_appended_split(blob, len, &tl, &sl);
	CHECK(rc == c->rc, "rc %d, want %d", rc, c->rc);
	if (!rc) {
		size_t want_sig = c->sig_len < 0 ? c->sig : (size_t)c->sig_len;

		CHECK(sl == want_sig && tl == c->text + c->sig - want_sig,
		      "textlen %zu siglen %zu", tl, sl);
		CHECK(tl + sl + IPE_ENG_SIG_TAIL_LEN == len, "lengths add up");
	} else {
		CHECK(tl == 7777 && sl == 8888, "outputs written on error");
	}
	/* the form: the trailer decides, else (text starts with 't') text */
	rc = ipe_eng_policy_form(blob, len, &tl, &sl);
	CHECK(rc == (c->rc == 0 ? IPE_ENG_FORM_APPENDED :
		     c->rc == -ENODATA ? IPE_ENG_FORM_TEXT : c->rc),
	      "policy form %d", rc);
	t_end(c->what);
}

/* What is PKCS#7 and what is text, without a trailer. */
static void test_form(void)
{
	static const struct {
		const char *blob;
		size_t len;
		int form;
	} f[] = {
		{ "0\x82\x05\x10\x06\x09", 6, IPE_ENG_FORM_PKCS7 },
		{ "0\x80", 2, IPE_ENG_FORM_PKCS7 },
		{ "0\x7f", 2, IPE_ENG_FORM_TEXT },
		{ "0", 1, IPE_ENG_FORM_TEXT },
		{ "", 0, IPE_ENG_FORM_TEXT },
		{ "policy_name=a policy_version=0.0.1\n", 36, IPE_ENG_FORM_TEXT },
		{ "1\x82", 2, IPE_ENG_FORM_TEXT },
	};
	size_t i, tl, sl;

	t_begin();
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		CHECK(ipe_eng_policy_form((const u8 *)f[i].blob, f[i].len, &tl,
					  &sl) == f[i].form,
		      "blob %zu", i);
	t_end("policy form: a DER SEQUENCE with a long length is PKCS#7");
}

/* The trailer's layout, byte for byte, and a round trip per length. */
static void test_tail(void)
{
	static u8 blob[70000];
	u8 tail[IPE_ENG_SIG_TAIL_LEN];
	static const u8 want[12] = { 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 0x02, 0x03 };
	size_t s, tl, sl;
	int bad = 0;

	t_begin();
	CHECK(IPE_ENG_SIG_TAIL_LEN == 44 && sizeof(struct ipe_eng_sig_trailer) == 12,
	      "sizes");
	ipe_eng_appended_tail(0x10203, tail);
	CHECK(!memcmp(tail, want, 12), "trailer bytes");
	CHECK(!memcmp(tail + 12, "~IPE policy signature appended~\n", 32),
	      "magic");
	ipe_eng_appended_tail(0xfedcba98u, tail);
	CHECK(tail[8] == 0xfe && tail[9] == 0xdc && tail[10] == 0xba &&
	      tail[11] == 0x98, "big-endian");
	for (s = 1; s <= 65535 && !bad; s += s < 300 ? 1 : 977) {
		memset(blob, 'x', 10 + s);
		ipe_eng_appended_tail((u32)s, blob + 10 + s);
		if (ipe_eng_appended_split(blob, 10 + s + IPE_ENG_SIG_TAIL_LEN,
					   &tl, &sl) || tl != 10 || sl != s)
			bad = 1;
	}
	CHECK(!bad, "round trip fails at signature length %zu", s);
	t_end("the tail, byte by byte, and round trips");
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_form();
	test_tail();
	return t_report();
}
