/* SPDX-License-Identifier: MIT */
/*
 * util.h - small helpers shared by ipectl's commands; none of them prints.
 */
#ifndef IPECTL_UTIL_H
#define IPECTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes, stable for scripts (see ipectl(8)). */
enum {
	IPECTL_EXIT_OK = 0,
	IPECTL_EXIT_INPUT = 1,	/* bad input: invalid policy, usage, unreadable file */
	IPECTL_EXIT_SYSTEM = 2,	/* the system or kernel refused */
	IPECTL_EXIT_UNVERIFIED = 3,	/* verify without -c: intact, signer not verified */
	IPECTL_EXIT_INCOMPLETE = 3,	/* generate: written, some files have no rule */
};

/* Largest file ipectl reads as a policy: far past anything loadable. */
#define IPECTL_MAX_FILE (64u << 20)

int ipectl_write_at(int dirfd, const char *name, const void *data,
		    size_t len, unsigned int mode, bool replace);
int ipectl_read_file(const char *path, size_t max, unsigned char **data,
		     size_t *len);
const char *ipectl_errno_name(int err);
int ipectl_exit_status(int err);
void ipectl_json_str(FILE *f, const char *s, size_t n);
void ipectl_print_escaped(FILE *f, const char *s, size_t n);
void ipectl_read_line(const char *path, char *buf, size_t size);

#endif /* IPECTL_UTIL_H */
