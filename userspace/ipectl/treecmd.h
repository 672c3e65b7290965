/* SPDX-License-Identifier: MIT */
/*
 * treecmd.h - what the commands working on the kernel's policy tree share
 * (treecmd.c).
 */
#ifndef IPECTL_TREECMD_H
#define IPECTL_TREECMD_H

#include <stdbool.h>
#include <stddef.h>

#include "ipe_engine.h"
#include "ipectl.h"
#include "tree.h"

/* The options of the tree commands (each takes the ones it needs). */
struct ipectl_tree_opts {
	const char *tree;
	bool json;
	bool activate;
	bool appended;
	bool rules;
	const char *key, *cert;
	struct ipectl_pass pass;
};

int ipectl_tree_opts_parse(const struct ipectl_cmd *cmd, int argc,
			   char *argv[], struct ipectl_tree_opts *c,
			   const char *accepted);

/*
 * Parse the options whose short letters are in @accepted; return from the
 * command on a usage error or a wrong number (nargs) of operands; leave
 * argv at the operands.
 */
#define PARSE_OR_RETURN(cmd, argc, argv, c, nargs, accepted)               \
	do {                                                                \
		int i_ = ipectl_tree_opts_parse(cmd, argc, argv, c, accepted); \
		if (i_ < 0)                                                 \
			return -i_;                                         \
		if (argc - i_ != (nargs)) {                                 \
			ipectl_usage(cmd, stderr);                          \
			return IPECTL_EXIT_INPUT;                           \
		}                                                           \
		argv += i_;                                                 \
	} while (0)

int ipectl_kernel_error(const char *what, int rc);
int ipectl_open_tree(const char *forced, struct ipectl_tree *t);
int ipectl_loaded_version(const struct ipectl_tree *t, const char *name,
			  u16 v[3]);
int ipectl_activate_name(const struct ipectl_tree *t, const char *name,
			 const u16 newv[3]);
void ipectl_tree_read_or(const struct ipectl_tree *t, const char *rel,
			 char *buf, size_t size, const char *def);
int ipectl_set_switch(const struct ipectl_cmd *cmd, int argc, char *argv[],
		      const char *file);

#endif /* IPECTL_TREECMD_H */
