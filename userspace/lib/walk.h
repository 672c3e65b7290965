/* SPDX-License-Identifier: MIT */
/*
 * walk.h - what kind of executable a file is, and a directory walk that
 * follows no symbolic link and stays on one filesystem.
 */
#ifndef IPECTL_WALK_H
#define IPECTL_WALK_H

#include <stdbool.h>
#include <sys/stat.h>

enum ipectl_exec_kind {
	IPECTL_EXEC_NONE,	/* neither ELF nor "#!" */
	IPECTL_EXEC_ELF,	/* ELF ET_EXEC or ET_DYN: programs, libraries */
	IPECTL_EXEC_ELF_OTHER,	/* ELF of another type (.o, .ko, core) */
	IPECTL_EXEC_SCRIPT,	/* starts with "#!" */
};

int ipectl_exec_kind(int fd);

enum ipectl_walk_what {
	IPECTL_WALK_FILE,	/* a regular file, open read-only at @fd */
	IPECTL_WALK_ERROR,	/* @path could not be opened or read: @err */
	IPECTL_WALK_MOUNT,	/* @path is on another filesystem: not entered */
};

/**
 * struct ipectl_walk_ent - one thing the walk found.
 * @what: which.
 * @path: its path (the walk's root, '/', then the names).
 * @fd: IPECTL_WALK_FILE: the file, open O_RDONLY (closed after the call).
 * @st: IPECTL_WALK_FILE: its fstat().
 * @err: IPECTL_WALK_ERROR: the negative errno.
 * @top: IPECTL_WALK_FILE: the file is the walk's root itself, named by the
 *	caller rather than found.
 */
struct ipectl_walk_ent {
	enum ipectl_walk_what what;
	const char *path;
	int fd;
	const struct stat *st;
	int err;
	bool top;
};

/* Return 0 to go on, a negative errno to stop the walk with it. */
typedef int (*ipectl_walk_fn)(void *ctx, const struct ipectl_walk_ent *e);

int ipectl_walk(const char *root, ipectl_walk_fn fn, void *ctx);

#endif /* IPECTL_WALK_H */
