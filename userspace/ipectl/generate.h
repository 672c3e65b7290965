/* SPDX-License-Identifier: MIT */
/*
 * generate.h - what `ipectl generate` takes from an `ipectl report --json`
 * file (gen_report.c) for cmd_generate.c.
 */
#ifndef IPECTL_GENERATE_H
#define IPECTL_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

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

int gen_report_read(const char *file, struct gen_report *r, char *err,
		    size_t errlen);
int gen_report_open(const struct gen_report_file *f, struct stat *st,
		    char *why, size_t whylen);
void gen_report_free(struct gen_report *r);

#endif /* IPECTL_GENERATE_H */
