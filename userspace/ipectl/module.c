// SPDX-License-Identifier: MIT
/*
 * module.c - ipectl's side of ipe_lkm: the libkmod handle, where the
 * module is installed, whether it is loaded, and the dm-verity rescan that
 * `load` and `rescan` run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <libkmod.h>

#include "dm.h"
#include "module.h"

/* ipectl says what went wrong itself; libkmod's own log would repeat it */
static void quiet_log(void *data, int priority, const char *file, int line,
		      const char *fn, const char *format, va_list args)
{
	(void)data; (void)priority; (void)file; (void)line; (void)fn;
	(void)format; (void)args;
}

/* The module ipe_lkm in a new libkmod context (*@ctx); NULL said why. */
struct kmod_module *ipectl_kmod_module(struct kmod_ctx **ctx)
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

/* uname -r */
const char *ipectl_kernel_release(void)
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
int ipectl_rescan(void)
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
	struct kmod_module *mod = ipectl_kmod_module(&ctx);
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
bool ipectl_module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/" MODNAME, &st) && S_ISDIR(st.st_mode);
}
