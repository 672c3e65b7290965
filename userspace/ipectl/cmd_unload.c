// SPDX-License-Identifier: MIT
/*
 * cmd_unload.c - `ipectl unload`: remove ipe_lkm through libkmod.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "module.h"

int cmd_unload(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct kmod_ctx *ctx;
	struct kmod_module *mod;
	int rc;

	if (argc != 1)
		return ipectl_no_arguments(cmd, argc, argv);
	mod = ipectl_kmod_module(&ctx);
	if (!mod)
		return IPECTL_EXIT_SYSTEM;
	rc = kmod_module_remove_module(mod, 0);
	if (rc == -ENOENT) {
		printf(MODNAME " is not loaded\n");
		rc = 0;
	} else if (rc == -EWOULDBLOCK || rc == -EBUSY) {
		ipectl_error("the kernel refuses to remove " MODNAME " while a policy is active and enforced: 'ipectl enforce off' first (%s)",
			     ipectl_errno_name(rc));
	} else if (rc) {
		ipectl_error("removing " MODNAME " failed: %s (%s)",
			     strerror(-rc), ipectl_errno_name(rc));
	} else {
		printf(MODNAME " removed\n");
	}
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return rc ? IPECTL_EXIT_SYSTEM : IPECTL_EXIT_OK;
}
