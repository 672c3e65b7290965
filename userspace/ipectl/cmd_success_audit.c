// SPDX-License-Identifier: MIT
/*
 * cmd_success_audit.c - `ipectl success-audit`: audit allowed accesses too,
 * or not.
 */
#include "treecmd.h"

int cmd_success_audit(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	return ipectl_set_switch(cmd, argc, argv, "success_audit");
}
