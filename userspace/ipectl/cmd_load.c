// SPDX-License-Identifier: MIT
/*
 * cmd_load.c - `ipectl load`: load ipe_lkm through libkmod, then re-announce the
 * dm-verity volumes opened before it.
 */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "module.h"

/*
 * Load ipe_lkm with these modes.  Return: 0 (loaded now, or already), or
 * what libkmod returned, each said on stdout or stderr.
 */
static int load(bool permissive, bool success_audit)
{
	struct kmod_ctx *ctx;
	struct kmod_module *mod;
	char options[64];
	int rc;

	mod = ipectl_kmod_module(&ctx);
	if (!mod)
		return -ENOMEM;
	if (kmod_module_get_initstate(mod) == KMOD_MODULE_LIVE) {
		printf(MODNAME " is already loaded ('ipectl status'); options apply at load only\n");
		rc = 0;
		goto out;
	}
	snprintf(options, sizeof(options), "enforce=%d success_audit=%d",
		 !permissive, success_audit);
	rc = kmod_module_probe_insert_module(mod, KMOD_PROBE_FAIL_ON_LOADED,
					     options, NULL, NULL, NULL);
	if (rc == -ENOENT || (rc > 0 && rc == KMOD_PROBE_APPLY_BLACKLIST)) {
		ipectl_error(MODNAME " is not installed for kernel %s: install ipe-lkm-dkms and check 'dkms status' (headers for this kernel are needed)",
			     ipectl_kernel_release());
	} else if (rc == -EEXIST) {
		printf(MODNAME " is already loaded\n");
		rc = 0;
	} else if (rc == -EKEYREJECTED || rc == -ENOKEY) {
		ipectl_error("the kernel refused " MODNAME "'s signature (Secure Boot): enroll DKMS's MOK key with 'mokutil --import /var/lib/dkms/mok.pub' and reboot (%s)",
			     ipectl_errno_name(rc));
	} else if (rc < 0) {
		ipectl_error("loading " MODNAME " failed: %s (%s); 'dmesg' says why",
			     strerror(-rc), ipectl_errno_name(rc));
	} else {
		printf(MODNAME " loaded (enforce=%s, success_audit=%s)\n",
		       permissive ? "off" : "on", success_audit ? "on" : "off");
		/* the module is loaded: a device left as it was is a warning */
		(void)ipectl_rescan();
	}
out:
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return rc;
}

int cmd_load(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "permissive", no_argument, NULL, 'p' },
		{ "success-audit", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	bool permissive = false, success_audit = false;
	int c;

	while ((c = getopt_long(argc, argv, "ps", opts, NULL)) != -1) {
		switch (c) {
		case 'p': permissive = true; break;
		case 's': success_audit = true; break;
		default: ipectl_usage(cmd, stderr); return IPECTL_EXIT_INPUT;
		}
	}
	if (optind != argc) {
		ipectl_usage(cmd, stderr);
		return IPECTL_EXIT_INPUT;
	}
	return load(permissive, success_audit) ? IPECTL_EXIT_SYSTEM :
						 IPECTL_EXIT_OK;
}
