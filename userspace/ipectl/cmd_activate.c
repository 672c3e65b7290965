// SPDX-License-Identifier: MIT
/*
 * cmd_activate.c - `ipectl activate`: make a loaded policy the active one.
 */
#include <stdio.h>

#include "treecmd.h"

int cmd_activate(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct ipectl_tree_opts c = { 0 };
	struct ipectl_tree t;
	u16 v[3];

	PARSE_OR_RETURN(cmd, argc, argv, &c, 1, "t");
	if (ipectl_open_tree(c.tree, &t))
		return IPECTL_EXIT_SYSTEM;
	if (ipectl_loaded_version(&t, argv[0], v)) {
		ipectl_error("no policy '%s' is loaded ('ipectl list' shows them)",
			     argv[0]);
		return IPECTL_EXIT_INPUT;
	}
	return ipectl_activate_name(&t, argv[0], v);
}
