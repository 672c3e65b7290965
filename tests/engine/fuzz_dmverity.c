// SPDX-License-Identifier: MIT
/*
 * fuzz_dmverity.c - libFuzzer target: any bytes through
 * ipe_eng_dmv_parse_table(), checked against a reference written the way
 * the kernel's code is (dm_split_args() into an argv, then verity_ctr()'s
 * loop over it) rather than the way the engine is, and for invariants: the
 * length and a NUL end the line alike, trailing white space changes
 * nothing, a result is zeroed on error and well-formed on success.
 *
 *   make -C tests/engine fuzz-run-dmverity FUZZ_SECONDS=3600
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipe_engine.h"

static int k_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

/* dm_split_args() of drivers/md/dm-table.c, on a NUL-terminated copy. */
static char **ref_split(char *input, int *argc)
{
	char *start, *end = input, *out, **argv;

	argv = calloc(strlen(input) / 2 + 2, sizeof(*argv));
	if (!argv)
		abort();
	*argc = 0;
	while (1) {
		start = end;
		while (*start && k_isspace((unsigned char)*start))
			start++;
		if (!*start)
			break;
		end = out = start;
		while (*end) {
			if (*end == '\\' && *(end + 1)) {
				*out++ = *(end + 1);
				end += 2;
				continue;
			}
			if (k_isspace((unsigned char)*end))
				break;
			*out++ = *end++;
		}
		if (*end)
			end++;
		*out = '\0';
		argv[(*argc)++] = start;
	}
	return argv;
}

/* hex_to_bin() */
static int ref_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The kernel's sscanf(s, "%llu%c") == 1: digits only, wrapping. */
static int ref_num(const char *s, unsigned long long *v)
{
	unsigned long long n = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		n = n * 10 + (unsigned long long)(*s - '0');
	}
	*v = n;
	return 1;
}

struct ref {
	int mode, error_mode, fec_dev, fec_roots, fec_blocks, sig, zero, once;
};

/* verity_parse_opt_args(), its FEC and signature parts, verity_fec_ctr() */
static int ref_opts(char **argv, unsigned int as_argc, struct ref *v)
{
	unsigned long long n;
	unsigned int argc;
	const char *a;

	if (!as_argc)
		return 0;
	if (!ref_num(argv[0], &n))
		return -EINVAL;
	argc = (unsigned int)n;
	argv++;
	as_argc--;
	if (argc > IPE_ENG_DMV_OPTS_MAX || as_argc < argc)
		return -EINVAL;
	/* the kernel would ignore the rest; the engine refuses it */
	if (as_argc != argc)
		return -EINVAL;
	if (!argc)
		return 0;
	do {
		a = *argv++;
		argc--;
		if (!strcasecmp(a, "ignore_corruption") ||
		    !strcasecmp(a, "restart_on_corruption") ||
		    !strcasecmp(a, "panic_on_corruption")) {
			if (v->mode)
				return -EINVAL;
			v->mode = !strcasecmp(a, "ignore_corruption") ? 2 : 1;
		} else if (!strcasecmp(a, "restart_on_error") ||
			   !strcasecmp(a, "panic_on_error")) {
			if (v->error_mode)
				return -EINVAL;
			v->error_mode = 1;
		} else if (!strcasecmp(a, "ignore_zero_blocks")) {
			v->zero = 1;
		} else if (!strcasecmp(a, "check_at_most_once")) {
			v->once = 1;
		} else if (!strcasecmp(a, "try_verify_in_tasklet")) {
			;
		} else if (!strcasecmp(a, "use_fec_from_device") ||
			   !strcasecmp(a, "fec_blocks") ||
			   !strcasecmp(a, "fec_start") ||
			   !strcasecmp(a, "fec_roots")) {
			const char *val;

			if (!argc)
				return -EINVAL;
			val = *argv++;
			argc--;
			if (!strcasecmp(a, "use_fec_from_device")) {
				if (v->fec_dev)
					return -EINVAL;
				v->fec_dev = 1;
			} else if (!strcasecmp(a, "fec_roots")) {
				if (!ref_num(val, &n) || (unsigned char)n < 2 ||
				    (unsigned char)n > 24)
					return -EINVAL;
				v->fec_roots = 1;
			} else {
				if (!ref_num(val, &n))
					return -EINVAL;
				if (!strcasecmp(a, "fec_blocks"))
					v->fec_blocks = n != 0;
			}
		} else if (!strcasecmp(a, "root_hash_sig_key_desc")) {
			if (v->sig || !argc)
				return -EINVAL;
			argv++;
			argc--;
			v->sig = 1;
		} else {
			return -EINVAL;
		}
	} while (argc);
	if (v->fec_dev && (!v->fec_roots || !v->fec_blocks))
		return -EINVAL;
	return 0;
}

static int ref_parse(const char *data, size_t size, struct ipe_eng_dmv_root *r)
{
	char *copy = strndup(data, size), **argv;
	struct ref v = { 0 };
	int argc, rc = -EINVAL;
	size_t i, n;

	if (!copy)
		abort();
	memset(r, 0, sizeof(*r));
	argv = ref_split(copy, &argc);
	if (argc < 10 || strlen(argv[7]) >= sizeof(r->alg))
		goto out;
	n = strlen(argv[8]);
	if (!n || n % 2 || n / 2 > sizeof(r->digest))
		goto out;
	for (i = 0; i < n; i += 2) {
		int hi = ref_hex(argv[8][i]);
		int lo = ref_hex(argv[8][i + 1]);

		if (hi < 0 || lo < 0)
			goto out;
		r->digest[i / 2] = (u8)(hi << 4 | lo);
	}
	rc = ref_opts(argv + 10, (unsigned int)argc - 10, &v);
	if (rc)
		goto out;
	strcpy(r->alg, argv[7]);
	r->len = (u32)(n / 2);
	r->sig = v.sig;
	r->verifies = v.mode != 2 && !v.zero && !v.once;
out:
	if (rc)
		memset(r, 0, sizeof(*r));
	free(argv);
	free(copy);
	return rc;
}

static void same(int rc1, const struct ipe_eng_dmv_root *a, int rc2,
		 const struct ipe_eng_dmv_root *b)
{
	if (rc1 != rc2 || a->len != b->len || a->sig != b->sig ||
	    a->verifies != b->verifies || strcmp(a->alg, b->alg) ||
	    memcmp(a->digest, b->digest, sizeof(a->digest)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data;
	struct ipe_eng_dmv_root r, ref, r2;
	size_t n = strnlen(line, size);
	char *copy;
	int rc, rc2;

	rc = ipe_eng_dmv_parse_table(line, size, &r);
	if (rc && rc != -EINVAL)
		abort();
	if (rc) {
		static const struct ipe_eng_dmv_root zero;

		if (memcmp(&r, &zero, sizeof(r)))
			abort();
	} else if (!r.len || r.len > IPE_ENG_DMV_DIGEST_MAX || !r.alg[0] ||
		   strnlen(r.alg, sizeof(r.alg)) == sizeof(r.alg)) {
		abort();
	}
	same(rc, &r, ref_parse(line, size, &ref), &ref);

	/* a NUL-terminated copy, the line up to its first NUL, a newline */
	copy = malloc(n + 2);
	if (!copy)
		abort();
	memcpy(copy, line, n);
	copy[n] = '\0';
	rc2 = ipe_eng_dmv_parse_table(copy, n + 1, &r2);
	same(rc, &r, rc2, &r2);
	rc2 = ipe_eng_dmv_parse_table(copy, n, &r2);
	same(rc, &r, rc2, &r2);
	if (!n || copy[n - 1] != '\\') {
		copy[n] = '\n';
		copy[n + 1] = '\0';
		rc2 = ipe_eng_dmv_parse_table(copy, n + 1, &r2);
		same(rc, &r, rc2, &r2);
	}
	free(copy);
	return 0;
}
