// SPDX-License-Identifier: MIT
/*
 * gen_policy.c - the text `ipectl generate` writes from what it collected
 * (cmd_generate.c): rules sorted and grouped by digest so that the same
 * inputs give the same bytes, comments escaped, the listing of what has no
 * rule, and the same listing on stderr.  Nothing here looks at files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate.h"
#include "ipectl.h"

/* Paths a rule's comment names before "and N more". */
#define COMMENT_PATHS 3

/**
 * gen_grow() - make room for one more element in a growing array.
 * @v: the array (realloc'ed).
 * @cap: its capacity, in elements.
 * @n: elements in use.
 * @size: bytes per element.
 *
 * Return: true when @v has room for element @n; false out of memory (@v
 * and @cap unchanged).
 */
bool gen_grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;
	size_t c;

	if (n < *cap)
		return true;
	c = *cap ? 2 * *cap : 64;
	nv = realloc(*v, c * size);
	if (!nv)
		return false;
	*v = nv;
	*cap = c;
	return true;
}

/**
 * gen_add_note() - a "# NOTE:" line for the policy and stderr.
 * @g: what generate collected (@g->oom set when memory runs out).
 * @note: the text; a note already there is not added again.
 */
void gen_add_note(struct gen *g, const char *note)
{
	size_t i;

	for (i = 0; i < g->nnotes; i++) {
		if (!strcmp(g->notes[i], note))
			return;
	}
	if (!gen_grow((void **)&g->notes, &g->capnotes, g->nnotes,
		      sizeof(char *)) ||
	    !(g->notes[g->nnotes] = strdup(note))) {
		g->oom = true;
		return;
	}
	g->nnotes++;
}

/* The NOTE of each filesystem without fs-verity. */
static void hint_notes(struct gen *g)
{
	char note[4400];
	size_t i;

	for (i = 0; i < g->nhints; i++) {
		snprintf(note, sizeof(note), "%s (%s), the filesystem of %s: %s",
			 g->hints[i].what, ipectl_errno_name(g->hints[i].err),
			 g->hints[i].path, ipectl_fsv_explain(g->hints[i].err));
		gen_add_note(g, note);
	}
}

static int cmp_digest(const struct ipectl_fsv_digest *a,
		      const struct ipectl_fsv_digest *b)
{
	int c = strcmp(a->alg, b->alg);

	if (c || a->len != b->len)
		return c ? c : (a->len < b->len ? -1 : 1);
	return memcmp(a->bytes, b->bytes, a->len);
}

static int cmp_file(const void *a, const void *b)
{
	const struct gen_file *x = a, *y = b;
	int c = cmp_digest(&x->d, &y->d);

	return c ? c : strcmp(x->path, y->path);
}

static int cmp_miss(const void *a, const void *b)
{
	const struct gen_miss *x = a, *y = b;
	int c = strcmp(x->what, y->what);

	return c ? c : strcmp(x->why, y->why);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A rule: the files [@first, @first + @n) of one digest. */
struct group {
	size_t first, n;
	const char *path;	/* the first path, for the order */
};

static int cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->path,
		      ((const struct group *)b)->path);
}

/*
 * Sort the files by digest, drop a path found twice, and group them: one
 * group per digest, the groups in the order of their first paths.
 */
static struct group *group_files(struct gen *g, size_t *ngroups)
{
	struct group *v;
	size_t i, n = 0, k = 0;

	*ngroups = 0;
	if (!g->nfiles)
		return NULL;
	qsort(g->files, g->nfiles, sizeof(*g->files), cmp_file);
	for (i = 0; i < g->nfiles; i++) {
		if (n && !cmp_file(&g->files[n - 1], &g->files[i]))
			free(g->files[i].path);
		else
			g->files[n++] = g->files[i];
	}
	g->nfiles = n;
	v = calloc(n, sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < n; i++) {
		if (i && !cmp_digest(&g->files[i - 1].d, &g->files[i].d)) {
			v[k - 1].n++;
			continue;
		}
		v[k].first = i;
		v[k].n = 1;
		v[k].path = g->files[i].path;
		k++;
	}
	qsort(v, k, sizeof(*v), cmp_group);
	*ngroups = k;
	return v;
}

/* Sort the listing; drop what was listed twice (overlapping inputs). */
static void sort_misses(struct gen *g)
{
	size_t i, n = 0;

	hint_notes(g);
	if (g->nnotes)
		qsort(g->notes, g->nnotes, sizeof(char *), cmp_str);

	if (g->nmiss)
		qsort(g->miss, g->nmiss, sizeof(*g->miss), cmp_miss);
	for (i = 0; i < g->nmiss; i++) {
		if (n && !cmp_miss(&g->miss[n - 1], &g->miss[i])) {
			free(g->miss[i].what);
			free(g->miss[i].why);
		} else {
			g->miss[n++] = g->miss[i];
		}
	}
	g->nmiss = n;
}

/* "# TEXT\n", TEXT escaped: no newline, CR or NUL can end the comment. */
static void comment(FILE *f, const char *prefix, const char *s)
{
	fputs("# ", f);
	fputs(prefix, f);
	ipectl_print_escaped(f, s, strlen(s));
	fputc('\n', f);
}

static void hex(FILE *f, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

/* An earlier trusted device with @d's root hash, or NULL. */
static const struct ipectl_dmv_dev *same_root(const struct gen *g,
					      const struct ipectl_dmv_dev *d)
{
	const struct ipectl_dmv_dev *e;

	for (e = g->dmv; e < d; e++) {
		if (e->kind == IPECTL_DMV_TRUSTED &&
		    !strcmp(e->root.alg, d->root.alg) &&
		    e->root.len == d->root.len &&
		    !memcmp(e->root.digest, d->root.digest, d->root.len))
			return e;
	}
	return NULL;
}

static void write_dm(FILE *f, const struct gen *g)
{
	const struct ipectl_dmv_dev *d;
	const char *signed_dev = NULL;
	size_t i;

	for (i = 0; i < g->ndmv; i++) {
		d = &g->dmv[i];
		if (d->kind != IPECTL_DMV_TRUSTED)
			continue;
		if (d->root.sig && !signed_dev)
			signed_dev = d->name;
		if (same_root(g, d)) {
			comment(f, "(its root hash has a rule above) dm-verity device ",
				d->name);
			continue;
		}
		comment(f, "dm-verity device ", d->name);
		fprintf(f, "op=EXECUTE dmverity_roothash=%s:", d->root.alg);
		hex(f, d->root.digest, d->root.len);
		fputs(" action=ALLOW\n", f);
	}
	if (!signed_dev)
		return;
	comment(f, "a signed root hash (root_hash_sig_key_desc): this trusts every dm-verity device whose root hash signature the kernel verified, not only ",
		signed_dev);
	fputs("op=EXECUTE dmverity_signature=TRUE action=ALLOW\n", f);
}

static void write_fsv(FILE *f, const struct gen *g, const struct group *v,
		      size_t nv)
{
	size_t i, j;

	for (i = 0; i < nv; i++) {
		const struct gen_file *gf = &g->files[v[i].first];

		fputs("# ", f);
		for (j = 0; j < v[i].n && j < COMMENT_PATHS; j++) {
			if (j)
				fputs(", ", f);
			ipectl_print_escaped(f, gf[j].path, strlen(gf[j].path));
		}
		if (v[i].n > COMMENT_PATHS)
			fprintf(f, " and %zu more (%zu paths)",
				v[i].n - COMMENT_PATHS, v[i].n);
		fprintf(f, "\nop=EXECUTE fsverity_digest=%s:", gf->d.alg);
		hex(f, gf->d.bytes, gf->d.len);
		fputs(" action=ALLOW\n", f);
	}
}

/* "@prefix<what>[: <why>]", escaped, one line. */
static void print_miss(FILE *f, const char *prefix, const struct gen_miss *m)
{
	fputs(prefix, f);
	ipectl_print_escaped(f, m->what, strlen(m->what));
	if (*m->why) {
		fputs(": ", f);
		ipectl_print_escaped(f, m->why, strlen(m->why));
	}
	fputc('\n', f);
}

static void write_misses(FILE *f, const struct gen *g)
{
	size_t i;

	for (i = 0; i < g->nnotes; i++)
		comment(f, "NOTE: ", g->notes[i]);
	if (!g->nmiss)
		return;
	fprintf(f, "#\n# NO RULE for these %zu (the policy is incomplete):\n",
		g->nmiss);
	for (i = 0; i < g->nmiss; i++)
		print_miss(f, "# - ", &g->miss[i]);
}

/**
 * gen_write_policy() - the policy text.
 * @g: what generate collected; its files, misses and notes are sorted and
 *	deduplicated here.
 * @o: the command line (name, version, default).
 * @text: a malloc'ed buffer with the text.
 * @len: its length.
 *
 * Return: 0, or -ENOMEM.
 */
int gen_write_policy(struct gen *g, const struct gen_opts *o, char **text,
		     size_t *len)
{
	struct group *v;
	size_t nv;
	FILE *f;

	v = group_files(g, &nv);
	if (!v && g->nfiles)
		return -ENOMEM;
	sort_misses(g);
	f = open_memstream(text, len);
	if (!f) {
		free(v);
		return -ENOMEM;
	}
	fprintf(f, "policy_name=%s policy_version=%s\n", o->name, o->version);
	fprintf(f, "# Generated by 'ipectl generate' (see ipectl(8)): %zu fs-verity digest rule(s)%s\n",
		nv, g->nmiss ? "; INCOMPLETE: what has no rule is listed at the end" : "");
	fprintf(f, "DEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=%s\n",
		o->deflt);
	if (g->boot_verified)
		fputs("# --boot-verified: files from the initramfs\n"
		      "op=EXECUTE boot_verified=TRUE action=ALLOW\n", f);
	write_dm(f, g);
	write_fsv(f, g, v, nv);
	write_misses(f, g);
	free(v);
	if (fclose(f))
		return -ENOMEM;
	return 0;
}

/* The notes and misses, one line each, escaped (paths are anyone's bytes). */
static void print_misses(FILE *f, const struct gen *g)
{
	size_t i;

	for (i = 0; i < g->nnotes; i++) {
		fputs("ipectl: note: ", f);
		ipectl_print_escaped(f, g->notes[i], strlen(g->notes[i]));
		fputc('\n', f);
	}
	for (i = 0; i < g->nmiss; i++)
		print_miss(f, "ipectl: warning: no rule for ", &g->miss[i]);
}

/**
 * gen_warn_misses() - every note and miss on stderr, then a summary.
 * @g: what generate collected, after gen_write_policy().
 *
 * In one write where memory allows: stderr is unbuffered, and there can
 * be 100 000 lines.
 */
void gen_warn_misses(const struct gen *g)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f) {
		print_misses(f, g);
		if (!fclose(f))
			fwrite(buf, 1, len, stderr);
		else
			print_misses(stderr, g);
		free(buf);
	} else {
		print_misses(stderr, g);
	}
	if (g->nmiss)
		ipectl_warn("%zu thing(s) have no rule: the policy is incomplete (exit status 3)",
			    g->nmiss);
}
