// SPDX-License-Identifier: MIT
/*
 * cmd_rescan.c - `ipectl rescan`: re-announce the dm-verity volumes to ipe_lkm.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "module.h"

/*
 * `ipectl rescan`: what `load` does after loading, for a module loaded by
 * anything else (modules-load.d, modprobe): run by ipe-lkm-rescan.service,
 * which the packages' udev rule starts whenever ipe_lkm is loaded.
 */
int cmd_rescan(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	int rc;

	if (argc != 1)
		return ipectl_no_arguments(cmd, argc, argv);
	if (!ipectl_module_loaded()) {
		printf(MODNAME " is not loaded: nothing to re-announce (the built-in IPE sees every table as it is loaded)\n");
		return IPECTL_EXIT_OK;
	}
	rc = ipectl_rescan();
	if (rc > 0)
		ipectl_error("not every dm-verity device was re-announced to " MODNAME " (above): rules on dmverity_roothash or dmverity_signature may not match them");
	return rc ? IPECTL_EXIT_SYSTEM : IPECTL_EXIT_OK;
}
