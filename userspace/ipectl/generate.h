/* SPDX-License-Identifier: MIT */
/*
 * generate.h - what `ipectl generate` (cmd_generate.c) collects and hands
 * to gen_policy.c to write, and what it takes from an `ipectl report
 * --json` file (gen_report.c).
 */
#ifndef IPECTL_GENERATE_H
#define IPECTL_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "dm.h"
#include "fsverity.h"

/**
 * struct gen_report_file - an executable the evaluation saw denied (or
 *	would have denied), as the report names it.
 * @path: its path on the machine that was evaluated.
 * @dev: the audit record's dev= (the filesystem's name, e.g. "sda1"), or
 *	NULL.
 * @ino: the audit record's ino=, when @has_ino.
 * @has_ino: @ino is known.
 */
struct gen_report_file {
	char *path;
	char *dev;
	unsigned long long ino;
	bool has_ino;
};

/**
 * struct gen_report - what a report asks of generate.
 * @files: denied EXECUTE accesses with a path, one per (path, dev, ino),
 *	sorted by path.
 * @nfiles: entries at @files.
 * @unhandled: one sentence per denied access generate makes no rule for
 *	(another op, no path), without duplicates, sorted.
 * @nunhandled: entries at @unhandled.
 */
struct gen_report {
	struct gen_report_file *files;
	size_t nfiles;
	char **unhandled;
	size_t nunhandled;
};

/* A file with a digest: one per path; rules group them by digest. */
struct gen_file {
	char *path;
	struct ipectl_fsv_digest d;
};

/* Something looked at that gets no rule, and why. */
struct gen_miss {
	char *what;		/* a path, or a description */
	char *why;
};

/* A filesystem that cannot do fs-verity: a NOTE names it by a path. */
struct gen_hint {
	dev_t dev;
	int err;
	const char *what;
	char *path;		/* its smallest path, for stable output */
};

/* What generate collected: the rules to write and what gets none. */
struct gen {
	bool scripts;
	bool enable;
	bool oom;
	struct gen_file *files;
	size_t nfiles, capfiles;
	struct gen_miss *miss;
	size_t nmiss, capmiss;
	char **notes;		/* "# NOTE:" lines, once each */
	size_t nnotes, capnotes;
	struct ipectl_dmv_dev *dmv;
	size_t ndmv;
	bool boot_verified;
	struct gen_hint *hints;	/* filesystems without fs-verity, for NOTEs */
	size_t nhints, caphints;
};

/* The command line. */
struct gen_opts {
	const char **fsv;	/* --fsverity paths */
	size_t nfsv;
	const char **reports;	/* --from-report files */
	size_t nreports;
	bool dmverity;
	const char *deflt;	/* "ALLOW" or "DENY" */
	const char *name;
	const char *version;
	const char *out;
	bool force;
};
bool gen_grow(void **v, size_t *cap, size_t n, size_t size);
void gen_add_note(struct gen *g, const char *note);
int gen_write_policy(struct gen *g, const struct gen_opts *o, char **text,
		     size_t *len);
void gen_warn_misses(const struct gen *g);

int gen_report_read(
const char *file, struct gen_report *r, char *err,
		    size_t errlen);
int gen_report_open(const struct gen_report_file *f, struct stat *st,
		    char *why, size_t whylen);
void gen_report_free(struct gen_report *r);

#endif /* IPECTL_GENERATE_H */
