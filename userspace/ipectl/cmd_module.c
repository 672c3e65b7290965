// SPDX-License-Identifier: MIT
/*
 * cmd_module.c - `ipectl load`, `ipectl unload` (libkmod) and `ipectl rescan`.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <libkmod.h>

#include "fileprops.h"
#include "ipectl.h"

#define MODNAME "ipe_lkm"

/* ipectl says what went wrong itself; libkmod's own log would repeat it */
static void quiet_log(void *data, int priority, const char *file, int line,
		      const char *fn, const char *format, va_list args)
{
	(void)data; (void)priority; (void)file; (void)line; (void)fn;
	(void)format; (void)args;
}

static struct kmod_module *get_module(struct kmod_ctx **ctx)
{
	struct kmod_module *mod = NULL;

	*ctx = kmod_new(NULL, NULL);
	if (!*ctx) {
		ipectl_error("cannot initialise libkmod");
		return NULL;
	}
	kmod_set_log_fn(*ctx, quiet_log, NULL);
	kmod_load_resources(*ctx);
	if (kmod_module_new_from_name(*ctx, MODNAME, &mod) < 0) {
		ipectl_error("libkmod cannot name the module " MODNAME);
		kmod_unref(*ctx);
		*ctx = NULL;
	}
	return mod;
}

static const char *kernel_release(void)
{
	static struct utsname u;

	return uname(&u) ? "?" : u.release;
}

/* Print each '\n'-separated line of @msg after @prefix, to stderr. */
static void print_lines(const char *prefix, const char *msg)
{
	while (*msg) {
		size_t n = strcspn(msg, "\n");

		fprintf(stderr, "ipectl: %s%.*s\n", prefix, (int)n, msg);
		msg += n + (msg[n] == '\n');
	}
}

/*
 * Kernels with the integrity LSM hooks (6.12) tell the module what a
 * dm-verity table holds only when the table is loaded: load the live table
 * of every verity device activated before the module again.
 *
 * Return: 0 when every verity device was re-announced; 1 when some device
 * was left as it was (each named on stderr, with what that means for it);
 * -errno when the devices could not be listed or one could not be cycled.
 */
static int rescan(void)
{
	static char err[8192];
	int n;

	n = ipectl_dm_verity_rescan(err, sizeof(err));
	printf("dm-verity devices re-announced to " MODNAME ": %d (table reloaded)\n",
	       n > 0 ? n : 0);
	if (n >= 0) {
		print_lines("WARNING: ", err);
		return err[0] ? 1 : 0;
	}
	print_lines("ERROR: ", err);
	ipectl_error("%s (%s): dm-verity volumes activated before the module may count as untrusted until their table is loaded again ('ipectl rescan', 'dmsetup table NAME | dmsetup reload --readonly NAME; dmsetup resume NAME', or reactivation)",
		     strerror(-n), ipectl_errno_name(n));
	return n;
}

/**
 * ipectl_module_path() - where ipe_lkm is installed for the running kernel.
 * @buf: filled in with the path modules.dep gives.
 * @size: bytes at @buf.
 *
 * Return: 0, or -ENOENT when it is not installed for this kernel.
 */
int ipectl_module_path(char *buf, size_t size)
{
	struct kmod_ctx *ctx;
	struct kmod_module *mod = get_module(&ctx);
	const char *path;
	int rc = -ENOENT;

	buf[0] = '\0';
	if (!mod)
		return rc;
	path = kmod_module_get_path(mod);
	if (path && *path) {
		snprintf(buf, size, "%s", path);
		rc = 0;
	}
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return rc;
}

/* ipe_lkm is loaded (its /sys/module directory exists) */
static bool module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/" MODNAME, &st) && S_ISDIR(st.st_mode);
}

int cmd_load(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "permissive", no_argument, NULL, 'p' },
		{ "success-audit", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool permissive = false, success_audit = false;
	struct kmod_ctx *ctx;
	struct kmod_module *mod;
	char options[64];
	int c, rc;

	while ((c = getopt_long(argc, argv, "psh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': permissive = true; break;
		case 's': success_audit = true; break;
		case 'h': ipectl_usage(cmd, stdout); return IPECTL_EXIT_OK;
		default: ipectl_usage(cmd, stderr); return IPECTL_EXIT_INPUT;
		}
	}
	if (optind != argc) {
		ipectl_usage(cmd, stderr);
		return IPECTL_EXIT_INPUT;
	}
	mod = get_module(&ctx);
	if (!mod)
		return IPECTL_EXIT_SYSTEM;
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
			     kernel_release());
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
		(void)rescan();
	}
out:
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return rc ? IPECTL_EXIT_SYSTEM : IPECTL_EXIT_OK;
}

/*
 * A command that takes no arguments was given some: usage on stdout and
 * success for --help/-h, usage on stderr and a usage error otherwise.
 */
static int no_arguments(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		ipectl_usage(cmd, stdout);
		return IPECTL_EXIT_OK;
	}
	ipectl_usage(cmd, stderr);
	return IPECTL_EXIT_INPUT;
}

int cmd_unload(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct kmod_ctx *ctx;
	struct kmod_module *mod;
	int rc;

	if (argc != 1)
		return no_arguments(cmd, argc, argv);
	mod = get_module(&ctx);
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

/*
 * `ipectl rescan`: what `load` does after loading, for a module loaded by
 * anything else (modules-load.d, modprobe): run by ipe-lkm-rescan.service,
 * which the packages' udev rule starts whenever ipe_lkm is loaded.
 */
int cmd_rescan(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	int rc;

	if (argc != 1)
		return no_arguments(cmd, argc, argv);
	if (!module_loaded()) {
		printf(MODNAME " is not loaded: nothing to re-announce (the built-in IPE sees every table as it is loaded)\n");
		return IPECTL_EXIT_OK;
	}
	rc = rescan();
	if (rc > 0)
		ipectl_error("not every dm-verity device was re-announced to " MODNAME " (above): rules on dmverity_roothash or dmverity_signature may not match them");
	return rc ? IPECTL_EXIT_SYSTEM : IPECTL_EXIT_OK;
}
