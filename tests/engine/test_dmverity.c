// SPDX-License-Identifier: MIT
/*
 * test_dmverity.c - ipe_eng_dmv_parse_table() on dm-verity table lines:
 * one row per case {line, rc, alg, digest, sig, verifies, what}, against
 * what dm-verity of Linux 6.1 and 6.12 accepts and prints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ipe_engine.h"

/* the positional arguments: root digest 0aff10, salt abcd */
#define B "1 252:1 252:2 4096 4096 256 1 sha256 0aff10 abcd"
#define FEC "use_fec_from_device 252:3 fec_blocks 300 fec_start 300 fec_roots 2"

struct dmv_case {
	const char *line;
	size_t len;		/* 0: strlen(line) */
	int rc;
	const char *alg;	/* NULL: "sha256" */
	const char *digest;	/* hex, NULL: "0aff10" */
	bool sig;
	bool verifies;
	const char *what;
};

#define OK(l, s, v, w) { l, 0, 0, NULL, NULL, s, v, w }
#define BAD(l, w) { l, 0, -EINVAL, NULL, NULL, false, false, w }

static const struct dmv_case cases[] = {
	OK(B, false, true, "no optional arguments"),
	OK(B "\n", false, true, "dmsetup's newline"),
	OK(B " 0", false, true, "an empty group"),
	/* every option alone */
	OK(B " 1 ignore_corruption", false, false, "ignore_corruption"),
	OK(B " 1 restart_on_corruption", false, true, "restart_on_corruption"),
	OK(B " 1 panic_on_corruption", false, true, "panic_on_corruption"),
	OK(B " 1 restart_on_error", false, true, "restart_on_error (6.12)"),
	OK(B " 1 panic_on_error", false, true, "panic_on_error (6.12)"),
	OK(B " 1 ignore_zero_blocks", false, false, "ignore_zero_blocks"),
	OK(B " 1 check_at_most_once", false, false, "check_at_most_once"),
	OK(B " 1 try_verify_in_tasklet", false, true, "try_verify_in_tasklet"),
	OK(B " 2 root_hash_sig_key_desc ipe:rh", true, true,
	   "root_hash_sig_key_desc"),
	OK(B " 8 " FEC, false, true, "FEC, as verity_fec_status_table() prints"),
	/* whole lines as verity_status() prints them, in its order */
	OK(B " 15 restart_on_corruption panic_on_error ignore_zero_blocks "
	   "check_at_most_once try_verify_in_tasklet " FEC
	   " root_hash_sig_key_desc k", true, false,
	   "every kind of option: 15, 6.12's maximum"),
	OK(B " 14 ignore_corruption ignore_zero_blocks check_at_most_once "
	   "try_verify_in_tasklet " FEC " root_hash_sig_key_desc k", true, false,
	   "every option 6.1 has: 14, its maximum"),
	OK(B " 3 restart_on_corruption root_hash_sig_key_desc ipe:x", true, true,
	   "mode and signature"),
	OK(B " 4 ignore_corruption root_hash_sig_key_desc ipe:x "
	   "try_verify_in_tasklet", true, false,
	   "signed but not verifying: sig and verifies are separate"),
	/* the count */
	BAD(B " 2 ignore_corruption", "count one too many"),
	BAD(B " 0 ignore_corruption", "count one too few"),
	BAD(B " 1 root_hash_sig_key_desc ipe:x",
	    "count one too few: the value counts"),
	BAD(B " 3 root_hash_sig_key_desc ipe:x", "count one too many, value"),
	BAD(B " 1 root_hash_sig_key_desc", "an option without its value"),
	BAD(B " 7 " FEC, "FEC: count one too few"),
	BAD(B " 9 " FEC, "FEC: count one too many"),
	BAD(B " 1", "a count and nothing"),
	BAD(B " x", "count not a number"),
	BAD(B " 1x ignore_corruption", "count with junk"),
	BAD(B " -1 ignore_corruption", "negative count"),
	BAD(B " +1 ignore_corruption", "count with a sign: not for %u"),
	BAD(B " 0x1 ignore_corruption", "hex count"),
	OK(B " 0001 ignore_corruption", false, false, "count with leading zeroes"),
	OK(B " 4294967297 ignore_corruption", false, false,
	   "count modulo 2^32, as the kernel's %u reads it"),
	BAD(B " 16 try_verify_in_tasklet try_verify_in_tasklet "
	    "try_verify_in_tasklet try_verify_in_tasklet try_verify_in_tasklet "
	    "try_verify_in_tasklet try_verify_in_tasklet try_verify_in_tasklet "
	    "try_verify_in_tasklet try_verify_in_tasklet try_verify_in_tasklet "
	    "try_verify_in_tasklet try_verify_in_tasklet try_verify_in_tasklet "
	    "try_verify_in_tasklet try_verify_in_tasklet",
	    "16 arguments: over DM_VERITY_OPTS_MAX"),
	OK(B " 15 try_verify_in_tasklet try_verify_in_tasklet "
	   "try_verify_in_tasklet try_verify_in_tasklet try_verify_in_tasklet "
	   "try_verify_in_tasklet try_verify_in_tasklet try_verify_in_tasklet "
	   "try_verify_in_tasklet try_verify_in_tasklet try_verify_in_tasklet "
	   "try_verify_in_tasklet try_verify_in_tasklet try_verify_in_tasklet "
	   "try_verify_in_tasklet", false, true, "15 repeated options"),
	/* unknown options, trailing garbage */
	BAD(B " 1 ignore_everything", "unknown option"),
	BAD(B " 1 root_hash_sig_key", "a prefix of an option"),
	BAD(B " 1 ignore_corruptionx", "an option with a suffix"),
	BAD(B " 1 1", "a number as option"),
	BAD(B " 1 check_at_most_once junk", "trailing garbage"),
	BAD(B " 1 check_at_most_once 0", "a second group"),
	BAD(B " 2 root_hash_sig_key_desc a b", "a value in two words"),
	/* values that look like options are values */
	OK(B " 2 root_hash_sig_key_desc ignore_corruption", true, true,
	   "a key description named ignore_corruption"),
	OK(B " 2 root_hash_sig_key_desc root_hash_sig_key_desc", true, true,
	   "a key description named root_hash_sig_key_desc"),
	OK(B " 3 root_hash_sig_key_desc check_at_most_once ignore_zero_blocks",
	   true, false, "the option after such a value still counts"),
	OK(B " 6 use_fec_from_device ignore_corruption fec_roots 2 fec_blocks 1",
	   false, true, "a FEC device named ignore_corruption"),
	BAD(B " 2 ignore_corruption root_hash_sig_key_desc",
	    "an option without its value, after another"),
	/* case, as strcasecmp() */
	OK(B " 1 IGNORE_CORRUPTION", false, false, "upper case"),
	OK(B " 2 Root_Hash_Sig_Key_Desc k", true, true, "mixed case"),
	/* what the kernel refuses twice */
	BAD(B " 2 ignore_corruption restart_on_corruption", "two modes"),
	BAD(B " 2 restart_on_corruption restart_on_corruption", "a mode twice"),
	BAD(B " 2 restart_on_error panic_on_error", "two error modes"),
	OK(B " 2 panic_on_corruption restart_on_error", false, true,
	   "a mode and an error mode"),
	BAD(B " 4 root_hash_sig_key_desc a root_hash_sig_key_desc b",
	    "two signature keys"),
	BAD(B " 10 " FEC " use_fec_from_device 252:4", "two FEC devices"),
	OK(B " 2 ignore_zero_blocks ignore_zero_blocks", false, false,
	   "ignore_zero_blocks twice"),
	OK(B " 2 check_at_most_once check_at_most_once", false, false,
	   "check_at_most_once twice"),
	/* FEC values, as verity_fec_parse_opt_args() and verity_fec_ctr() */
	BAD(B " 8 use_fec_from_device 252:3 fec_blocks 300 fec_start 300 "
	    "fec_roots 1", "fec_roots below 2"),
	BAD(B " 8 use_fec_from_device 252:3 fec_blocks 300 fec_start 300 "
	    "fec_roots 25", "fec_roots above 24"),
	OK(B " 8 use_fec_from_device 252:3 fec_blocks 300 fec_start 300 "
	   "fec_roots 258", false, true, "fec_roots modulo 256, as %hhu"),
	BAD(B " 2 fec_roots 0x2", "fec_roots in hex"),
	BAD(B " 2 fec_blocks abc", "fec_blocks not a number"),
	BAD(B " 2 fec_start -1", "negative fec_start"),
	BAD(B " 2 fec_start 1.5", "fec_start with junk"),
	OK(B " 6 fec_roots 2 fec_blocks 18446744073709551617 fec_start 0",
	   false, true, "FEC options without a device: FEC off, accepted"),
	BAD(B " 6 use_fec_from_device 252:3 fec_blocks 1 fec_start 0",
	    "a FEC device without fec_roots"),
	BAD(B " 6 use_fec_from_device 252:3 fec_roots 2 fec_start 0",
	    "a FEC device without fec_blocks"),
	OK(B " 6 use_fec_from_device 252:3 fec_roots 2 fec_blocks 1", false,
	   true, "a FEC device without fec_start (0)"),
	BAD(B " 6 use_fec_from_device 252:3 fec_roots 2 fec_blocks 0",
	    "a FEC device with fec_blocks 0 (\"Missing fec_blocks\")"),
	BAD(B " 8 use_fec_from_device 252:3 fec_roots 2 fec_blocks 9 "
	    "fec_blocks 00", "the last fec_blocks counts"),
	OK(B " 8 use_fec_from_device 252:3 fec_roots 2 fec_blocks 0 "
	   "fec_blocks 9", false, true, "the last fec_blocks counts: 9"),
	BAD(B " 6 use_fec_from_device 252:3 fec_roots 2 "
	    "fec_blocks 18446744073709551616", "fec_blocks 2^64 is 0"),
	/* splitting as dm_split_args(): isspace(), backslash quoting */
	OK("1\t252:1  252:2 4096\v4096\f256\r1 sha256 0aff10 abcd \t 1\n"
	   "check_at_most_once", false, false, "any white space"),
	OK("1 252:1 252:2 4096 4096 256 1 sha256 0aff10 abcd\xa0" "1\xa0"
	   "ignore_corruption", false, false, "NBSP is white space too"),
	OK(B " 2 root_hash_sig_key_desc a\\ b", true, true,
	   "a quoted space inside a value"),
	OK(B " 1 ignore\\_corruption", false, false, "a quoted option name"),
	OK(B " 2 root_hash_sig_key_desc a\\", true, true,
	   "a backslash at the end"),
	BAD(B " 1 ignore_corruption\\ ", "a quoted space in an option name"),
	{ "1 a b 1 1 1 0 sha\\256 \\0\\a\\f\\f\\1\\0 -", 0, 0, "sha256", NULL,
	  false, true, "quoted algorithm and digest" },
	/* the positional arguments */
	BAD("", "empty"),
	BAD("   \n", "only white space"),
	BAD("1 a b 4096 4096 1 0 sha256", "no digest"),
	BAD("1 a b 4096 4096 1 0 sha256 0aff10", "no salt"),
	BAD("1 a b 4096 4096 1 0 sha256 abc -", "odd digest"),
	BAD("1 a b 4096 4096 1 0 sha256 zz -", "digest not hex"),
	{ "1 8:1 8:2 4096 4096 256 1 sha1 aa root_hash_sig_key_desc", 0, 0,
	  "sha1", "aa", false, true, "a salt named like an option" },
	{ "0 8:1 8:2 4096 4096 256 1 SHA256 AAbb -", 0, 0, "SHA256", "aabb",
	  false, true, "upper-case hex, algorithm as written" },
	/* a NUL or the length ends the line */
	{ B "\0 1 ignore_corruption", sizeof(B " 1 ignore_corruption"), 0, NULL,
	  NULL, false, true, "a NUL ends the line" },
	{ B " 1 ignore_corruption", sizeof(B) - 1, 0, NULL, NULL, false, true,
	  "the length ends the line" },
	{ B " 1 ignore_corruption", sizeof(B " 1") - 1, -EINVAL, NULL, NULL,
	  false, false, "the length cuts the group" },
	{ B, sizeof(B) - 1 - sizeof(" abcd") + 1, -EINVAL, NULL, NULL, false,
	  false, "the length ends the line before the salt" },
};

static void hex(const u8 *d, u32 n, char *out)
{
	static const char x[] = "0123456789abcdef";
	u32 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static void run_case(const struct dmv_case *c)
{
	size_t len = c->len ? c->len : strlen(c->line);
	struct ipe_eng_dmv_root r;
	char got[2 * IPE_ENG_DMV_DIGEST_MAX + 1];
	int rc;

	memset(&r, 0x5a, sizeof(r));
	t_begin();
	rc = ipe_eng_dmv_parse_table(c->line, len, &r);
	CHECK(rc == c->rc, "rc %d, want %d", rc, c->rc);
	if (!rc && !c->rc) {
		hex(r.digest, r.len, got);
		CHECK(!strcmp(r.alg, c->alg ? c->alg : "sha256"), "alg %s",
		      r.alg);
		CHECK(!strcmp(got, c->digest ? c->digest : "0aff10"),
		      "digest %s", got);
		CHECK(r.sig == c->sig, "sig %d", r.sig);
		CHECK(r.verifies == c->verifies, "verifies %d", r.verifies);
	} else if (rc) {
		CHECK(!r.len && !r.sig && !r.verifies && !r.alg[0],
		      "root not zeroed on error");
	}
	t_end(c->what);
}

/* Fields far longer than any real table holds. */
static void test_long_fields(void)
{
	static char line[70000];
	struct ipe_eng_dmv_root r;
	int n;

	t_begin();
	n = snprintf(line, sizeof(line), "1 a b 1 1 1 0 sha512 ");
	memset(line + n, 'a', 128);
	strcpy(line + n + 128, " - 2 root_hash_sig_key_desc ");
	n = (int)strlen(line);
	memset(line + n, 'k', 60000);
	line[n + 60000] = '\0';
	CHECK(!ipe_eng_dmv_parse_table(line, strlen(line), &r) && r.len == 64 &&
	      r.sig && r.verifies, "64-byte digest, 60000-byte key description");

	n = snprintf(line, sizeof(line), "1 a b 1 1 1 0 sha512 ");
	memset(line + n, 'a', 130);
	strcpy(line + n + 130, " -");
	CHECK(ipe_eng_dmv_parse_table(line, strlen(line), &r) == -EINVAL,
	      "digest of 65 bytes");

	n = snprintf(line, sizeof(line), "1 a b 1 1 1 0 ");
	memset(line + n, 'h', IPE_ENG_DMV_ALG_MAX - 1);
	strcpy(line + n + IPE_ENG_DMV_ALG_MAX - 1, " 00 -");
	CHECK(!ipe_eng_dmv_parse_table(line, strlen(line), &r) &&
	      strlen(r.alg) == IPE_ENG_DMV_ALG_MAX - 1, "algorithm of 127 bytes");
	n = snprintf(line, sizeof(line), "1 a b 1 1 1 0 ");
	memset(line + n, 'h', IPE_ENG_DMV_ALG_MAX);
	strcpy(line + n + IPE_ENG_DMV_ALG_MAX, " 00 -");
	CHECK(ipe_eng_dmv_parse_table(line, strlen(line), &r) == -EINVAL,
	      "algorithm of 128 bytes");

	n = snprintf(line, sizeof(line), "1 ");
	memset(line + n, 'd', 50000);
	strcpy(line + n + 50000, " b 1 1 1 0 sha256 00 - ");
	n = (int)strlen(line);
	memset(line + n, '0', 10000);
	strcpy(line + n + 10000, "1 check_at_most_once");
	CHECK(!ipe_eng_dmv_parse_table(line, strlen(line), &r) && !r.verifies,
	      "50000-byte device, count with 10000 leading zeroes");

	n = snprintf(line, sizeof(line), B " 1 ");
	memset(line + n, 'x', 60000);
	line[n + 60000] = '\0';
	CHECK(ipe_eng_dmv_parse_table(line, strlen(line), &r) == -EINVAL,
	      "a 60000-byte unknown option");
	t_end("very long fields");
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_long_fields();
	return t_report();
}
