/* SPDX-License-Identifier: MIT */
/*
 * tree.h - the IPE securityfs tree.
 */
#ifndef IPECTL_TREE_H
#define IPECTL_TREE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ipectl_tree {
	char path[PATH_MAX];
	bool module;		/* ipe_lkm, not the kernel's built-in IPE */
};

int ipectl_tree_find(const char *forced, struct ipectl_tree *t);
ssize_t ipectl_tree_read(const struct ipectl_tree *t, const char *rel,
			 char *buf, size_t size);
int ipectl_tree_write(const struct ipectl_tree *t, const char *rel,
		      const void *data, size_t len);
int ipectl_tree_policies(const struct ipectl_tree *t, char ***names,
			 size_t *n);
int ipectl_tree_active(const struct ipectl_tree *t, char *name, size_t size);
ssize_t ipectl_tree_read_all(const struct ipectl_tree *t, const char *rel,
			     char **buf);

#endif /* IPECTL_TREE_H */
