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
	unsigned int v[3];
	u16 v16[3];

	PARSE_OR_RETURN(cmd, argc, argv, &c, 1, "t");
	if (ipectl_open_tree(c.tree, &t))
		return IPECTL_EXIT_SYSTEM;
	if (ipectl_loaded_version(&t, argv[0], v)) {
		ipectl_error("no policy '%s' is loaded ('ipectl list' shows them)",
			     argv[0]);
		return IPECTL_EXIT_INPUT;
	}
	v16[0] = (u16)v[0];
	v16[1] = (u16)v[1];
	v16[2] = (u16)v[2];
	return ipectl_activate_name(&t, argv[0], v16);
}
