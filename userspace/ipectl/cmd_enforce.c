// SPDX-License-Identifier: MIT
/*
 * cmd_enforce.c - `ipectl enforce`: enforce, or permissive mode (denials
 * only audited).
 */
#include "treecmd.h"

int cmd_enforce(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	return ipectl_set_switch(cmd, argc, argv, "enforce");
}
