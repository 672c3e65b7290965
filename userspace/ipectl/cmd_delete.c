// SPDX-License-Identifier: MIT
/*
 * cmd_delete.c - `ipectl delete`: remove a loaded policy that is not
 * active.
 */
#include <errno.h>
#include <stdio.h>

#include "treecmd.h"

int cmd_delete(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct ipectl_tree_opts c = { 0 };
	struct ipectl_tree t;
	char rel[512];
	int rc;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 1, "t");
	if (ipectl_open_tree(c.tree, &t))
		return IPECTL_EXIT_SYSTEM;
	snprintf(rel, sizeof(rel), "policies/%s/delete", argv[0]);
	rc = ipectl_tree_write(&t, rel, "1", 1);
	if (rc == -ENOENT) {
		ipectl_error("no policy '%s' is loaded", argv[0]);
		return IPECTL_EXIT_INPUT;
	}
	if (rc == -EPERM) {
		char act[8];

		snprintf(rel, sizeof(rel), "policies/%s/active", argv[0]);
		if (ipectl_tree_read(&t, rel, act, sizeof(act)) > 0 &&
		    act[0] == '1') {
			ipectl_error("'%s' is the active policy and cannot be deleted: activate another one first (EPERM)",
				     argv[0]);
			return ipectl_exit_status(rc);
		}
	}
	if (rc)
		return ipectl_kernel_error("delete", rc);
	printf("deleted '%s'\n", argv[0]);
	return IPECTL_EXIT_OK;
}
