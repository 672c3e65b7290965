// SPDX-License-Identifier: GPL-2.0-only
/*
 * fault.c - failure injection for tests; built only by
 * `make IPE_LKM_FAULT_INJECTION=1` (tests/vm), never into a normal module.
 *
 * Every step of loading and unloading that can fail asks ipe_lkm_fault2()
 * first.  The fail_at parameter names one point, "what" or "what:name"
 * (e.g. "fs_root", "attach:security_mmap_file", "detach:security_bprm_check"),
 * and that step then fails as if the kernel had refused it; fail_at=?
 * logs every point passed, so a test can list them.
 */
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "ipe_lkm.h"

static char *fail_at;
module_param(fail_at, charp, 0400);
MODULE_PARM_DESC(fail_at, "Test builds only: the load/unload step to fail (? lists them)");

static bool is_point(const char *what, const char *name)
{
	size_t n = strlen(what);

	if (strncmp(fail_at, what, n))
		return false;
	if (!name)
		return !fail_at[n];
	return fail_at[n] == ':' && !strcmp(fail_at + n + 1, name);
}

/**
 * ipe_lkm_fault2() - should this step fail?
 * @what: the step.
 * @name: the object it acts on (a function name), or NULL.
 *
 * Context: any; does not sleep.
 * Return: true if fail_at names this point.
 */
bool ipe_lkm_fault2(const char *what, const char *name)
{
	if (!fail_at)
		return false;
	if (!strcmp(fail_at, "?")) {
		pr_info("fault point: %s%s%s\n", what, name ? ":" : "",
			name ? name : "");
		return false;
	}
	if (!is_point(what, name))
		return false;
	pr_info("injected failure at %s%s%s\n", what, name ? ":" : "",
		name ? name : "");
	return true;
}

/**
 * ipe_lkm_fault_read() - should reading a property fail?
 * @prop: the property (its policy keyword).
 *
 * A decision-time point ("read:<prop>"): not listed by fail_at=?, and its
 * failures are logged at the printk rate limit.
 *
 * Context: any; does not sleep.
 * Return: true if fail_at names this point.
 */
bool ipe_lkm_fault_read(const char *prop)
{
	if (!fail_at || strncmp(fail_at, "read:", 5) || strcmp(fail_at + 5, prop))
		return false;
	pr_info_ratelimited("injected failure at read:%s\n", prop);
	return true;
}
