// SPDX-License-Identifier: MIT
/*
 * cmd_check.c - `ipectl check`: parse policy files as the kernel would.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipe_engine.h"
#include "ipectl.h"
#include "pkcs7.h"

/* Beyond this, text plus any signature overflows the kernel's 65535-byte
 * limit on a PKCS#7 message (its ASN.1 decoder, -EMSGSIZE).
 */
#define SIGNED_TEXT_WARN 64000

struct diag {
	struct ipe_eng_error e;
	char *msg;		/* owned copy for warnings and our errors */
	size_t seq;		/* order of discovery, to keep sorting stable */
	bool warning;
};

struct report {
	const char *file;
	const char *text;
	size_t len;
	struct diag *d;
	size_t n, cap;
	bool oom;
};

static void add(struct report *r, const struct ipe_eng_error *e, bool warning,
		const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(struct report *r, const struct ipe_eng_error *e, bool warning,
		const char *fmt, ...)
{
	struct diag *d;
	va_list ap;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct diag *nd = realloc(r->d, cap * sizeof(*nd));

		if (!nd) {
			r->oom = true;
			return;
		}
		r->d = nd;
		r->cap = cap;
	}
	d = &r->d[r->n++];
	d->e = *e;
	d->warning = warning;
	d->seq = r->n - 1;
	d->msg = NULL;
	if (fmt) {
		va_start(ap, fmt);
		if (vasprintf(&d->msg, fmt, ap) < 0)
			d->msg = NULL;
		va_end(ap);
	}
}

static void on_error(void *arg, const struct ipe_eng_error *e)
{
	add(arg, e, false, NULL);
}

static u32 line_of(const struct report *r, size_t off)
{
	u32 line = 1;
	size_t i;

	for (i = 0; i < off && i < r->len; i++) {
		if (r->text[i] == '\n' ||
		    (r->text[i] == '\r' && (i + 1 >= r->len || r->text[i + 1] != '\n')))
			line++;
	}
	return line;
}

static const struct {
	const char *alg;
	u32 len;
	bool fsverity;		/* also a name fs-verity reports */
} known_algs[] = {
	{ "sha256", 32, true },	{ "sha512", 64, true },
	{ "sha1", 20, false },	{ "sha224", 28, false },
	{ "sha384", 48, false },	{ "blake2b-512", 64, false },
	{ "blake2s-256", 32, false }, { "sha3-256", 32, false },
	{ "sha3-384", 48, false }, { "sha3-512", 64, false },
	{ "sm3", 32, false },	{ "rmd160", 20, false },
};

static void lint_digest(struct report *r, const struct ipe_eng_rule *rule,
			const struct ipe_eng_prop *p)
{
	bool fsv = p->type == IPE_ENG_PROP_FSV_DIGEST;
	struct ipe_eng_error e = { .line = rule->line };
	size_t i;

	for (i = 0; i < sizeof(known_algs) / sizeof(known_algs[0]); i++) {
		if (strcmp(known_algs[i].alg, p->digest.alg))
			continue;
		if (fsv && !known_algs[i].fsverity)
			break;
		if (known_algs[i].len != p->digest.len)
			add(r, &e, true,
			    "a %s digest has %u bytes, this one %u: the rule never matches",
			    p->digest.alg, known_algs[i].len, p->digest.len);
		return;
	}
	add(r, &e, true,
	    fsv ? "fs-verity names its digests sha256 or sha512 (case matters): this rule never matches"
		: "'%s' is not a hash name dm-verity reports (e.g. sha256; case matters): the rule never matches",
	    p->digest.alg);
}

static void lint_rules(struct report *r, const struct ipe_eng_policy *p)
{
	const struct ipe_eng_rule *catch_all[__IPE_ENG_OP_MAX] = { NULL };
	u32 i, j;

	for (i = 0; i < p->nrules; i++) {
		const struct ipe_eng_rule *rule = &p->rules[i];
		u32 n = ipe_eng_rule_nprops(p, rule);
		struct ipe_eng_error e = { .line = rule->line };
		struct ipe_eng_prop_buf buf;

		for (j = 0; j < n; j++) {
			const struct ipe_eng_prop *prop =
				ipe_eng_rule_prop(p, rule, j, &buf);

			if (prop->type == IPE_ENG_PROP_FSV_DIGEST ||
			    prop->type == IPE_ENG_PROP_DMV_ROOTHASH)
				lint_digest(r, rule, prop);
		}
		if (catch_all[rule->op])
			add(r, &e, true,
			    "never reached: the rule at line %u matches every op=%s first",
			    catch_all[rule->op]->line,
			    ipe_eng_op_name(rule->op));
		else if (!n)
			catch_all[rule->op] = rule;
	}
}

static void lint(struct report *r, const struct ipe_eng_policy *p)
{
	const char *nul = memchr(r->text, '\0', r->len);
	struct ipe_eng_error e = { .line = 1 };
	int rc;

	rc = ipe_eng_check_name(p->name);
	if (rc) {
		e.err = rc;
		add(r, &e, false,
		    rc == -ENAMETOOLONG ?
		    "policy_name is longer than 255 bytes: the kernel cannot make policies/<name>" :
		    "policy_name cannot be a directory name (\".\", \"..\" or with '/')");
	}
	if (nul) {
		e.line = line_of(r, (size_t)(nul - r->text));
		add(r, &e, true,
		    "NUL byte: the kernel ignores it and the %zu bytes after it",
		    r->len - (size_t)(nul - r->text) - 1);
	}
	if (r->len > SIGNED_TEXT_WARN) {
		e.line = 1;
		add(r, &e, true,
		    "%zu bytes: signed as PKCS#7 this exceeds the kernel's 65535-byte limit (EMSGSIZE); sign it with 'ipectl sign --appended' (ipe_lkm only) or make it a boot policy",
		    r->len);
	}
	lint_rules(r, p);
}

static int cmp_diag(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;

	if (x->e.line != y->e.line)
		return x->e.line < y->e.line ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static const char *diag_msg(const struct diag *d)
{
	return d->msg ? d->msg : d->e.msg ? d->e.msg : "error";
}

static void print_text(const struct report *r, const struct ipe_eng_policy *p,
		       bool quiet)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct diag *d = &r->d[i];

		if (quiet && d->warning)
			continue;
		printf("%s:%u: %s%s", r->file, d->e.line,
		       d->warning ? "warning: " : "", diag_msg(d));
		if (d->e.token) {
			fputs(": '", stdout);
			ipectl_print_escaped(stdout, d->e.token, d->e.token_len);
			fputc('\'', stdout);
		}
		if (!d->warning)
			printf(" (%s)", ipectl_errno_name(d->e.err));
		fputc('\n', stdout);
	}
	if (p && !quiet) {
		printf("%s: OK: policy '", r->file);
		ipectl_print_escaped(stdout, p->name, strlen(p->name));
		printf("' version %u.%u.%u, %u rules\n", p->version[0],
		       p->version[1], p->version[2], p->nrules);
	}
}

static void print_json_diags(const struct report *r, bool warnings)
{
	bool first = true;
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct diag *d = &r->d[i];
		const char *m = diag_msg(d);

		if (d->warning != warnings)
			continue;
		printf("%s{\"line\":%u", first ? "" : ",", d->e.line);
		first = false;
		if (!warnings)
			printf(",\"column\":%u,\"errno\":\"%s\"", d->e.column,
			       ipectl_errno_name(d->e.err));
		fputs(",\"message\":", stdout);
		ipectl_json_str(stdout, m, strlen(m));
		if (d->e.token) {
			fputs(",\"token\":", stdout);
			ipectl_json_str(stdout, d->e.token, d->e.token_len);
		}
		fputc('}', stdout);
	}
}

static void print_json(const struct report *r, const struct ipe_eng_policy *p,
		       int err)
{
	fputs("{\"file\":", stdout);
	ipectl_json_str(stdout, r->file, strlen(r->file));
	printf(",\"valid\":%s,\"errno\":", err ? "false" : "true");
	if (err)
		printf("\"%s\"", ipectl_errno_name(err));
	else
		fputs("null", stdout);
	fputs(",\"errors\":[", stdout);
	print_json_diags(r, false);
	fputs("],\"warnings\":[", stdout);
	print_json_diags(r, true);
	fputs("]", stdout);
	if (p) {
		fputs(",\"policy\":{\"name\":", stdout);
		ipectl_json_str(stdout, p->name, strlen(p->name));
		printf(",\"version\":\"%u.%u.%u\",\"rules\":%u}", p->version[0],
		       p->version[1], p->version[2], p->nrules);
	}
	fputs("}\n", stdout);
}

/**
 * ipectl_check_buffer() - check policy bytes and print the diagnostics.
 * @file: the name to print.
 * @data: the policy bytes.
 * @len: number of bytes.
 * @json: one JSON object instead of text.
 * @quiet: errors only.
 *
 * Return: IPECTL_EXIT_OK, _INPUT (invalid policy) or _SYSTEM.
 */
int ipectl_check_buffer(const char *file, const unsigned char *data,
			size_t len, bool json, bool quiet)
{
	struct report r = { .file = file };
	struct ipe_eng_policy *p = NULL;
	struct ipe_eng_error first = { 0 };
	size_t i;
	int err;

	r.text = (const char *)data;
	r.len = len;

	err = ipe_eng_parse(r.text, len, IPE_ENG_PARSE_ALL_ERRORS, on_error,
			    &r, &p, &first);
	if (p)
		lint(&r, p);
	/* the parser's first error is the kernel's; else a name the kernel
	 * cannot make a directory of */
	for (i = 0; i < r.n && !err; i++) {
		if (!r.d[i].warning)
			err = r.d[i].e.err;
	}
	if (r.n)
		qsort(r.d, r.n, sizeof(*r.d), cmp_diag);

	if (json)
		print_json(&r, err ? NULL : p, err);
	else
		print_text(&r, err ? NULL : p, quiet);

	ipe_eng_policy_free(p);
	for (i = 0; i < r.n; i++)
		free(r.d[i].msg);
	free(r.d);
	if (r.oom || err == -ENOMEM)
		return IPECTL_EXIT_SYSTEM;
	return err ? IPECTL_EXIT_INPUT : IPECTL_EXIT_OK;
}

/* Check one file; returns its exit status. */
static int check_file(const char *file, bool json, bool quiet)
{
	unsigned char *data;
	size_t len, tlen, slen;
	int rc;

	rc = ipectl_read_input(file, &data, &len);
	if (rc)
		return rc;
	rc = ipe_eng_policy_form(data, len, &tlen, &slen);
	if (rc == IPE_ENG_FORM_PKCS7 && !quiet)
		fprintf(stderr,
			"ipectl: note: %s looks like a signed (PKCS#7) policy; 'ipectl verify --show' extracts its text\n",
			file);
	/* an appended signature: the text is the part before it */
	if (rc == IPE_ENG_FORM_APPENDED) {
		if (!quiet)
			fprintf(stderr,
				"ipectl: note: %s has an appended signature; checking the %zu bytes of text before it ('ipectl verify' checks the signature)\n",
				file, tlen);
		len = tlen;
	}
	rc = ipectl_check_buffer(file, data, len, json, quiet);
	free(data);
	return rc;
}

int cmd_check(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, quiet = false;
	int c, i, status = IPECTL_EXIT_OK;

	while ((c = getopt_long(argc, argv, "jq", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			ipectl_usage(cmd, stderr);
			return IPECTL_EXIT_INPUT;
		}
	}
	if (optind >= argc) {
		ipectl_error("check: no policy file given");
		ipectl_usage(cmd, stderr);
		return IPECTL_EXIT_INPUT;
	}
	for (i = optind; i < argc; i++) {
		int s = check_file(argv[i], json, quiet);

		if (s > status)
			status = s;
	}
	return status;
}
