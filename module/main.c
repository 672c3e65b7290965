// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - ipe_lkm: Integrity Policy Enforcement as a loadable module.
 *
 * Load order: kernel helpers, embedded keys, property sources, the decision
 * cache, enforcement hooks (with their self-test), the boot policy, then
 * the securityfs tree: by the time an administrator can load a policy,
 * every hook is in place.
 * Unload in the reverse order.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "ipe_lkm.h"

bool ipe_lkm_enforce = true;
module_param_named(enforce, ipe_lkm_enforce, bool, 0400);
MODULE_PARM_DESC(enforce, "Enforce the active policy (1, default) or only audit (0)");

bool ipe_lkm_success_audit;
module_param_named(success_audit, ipe_lkm_success_audit, bool, 0400);
MODULE_PARM_DESC(success_audit, "Audit allowed accesses too (default 0)");

module_param_named(tree, ipe_lkm_tree_name, charp, 0400);
MODULE_PARM_DESC(tree, "securityfs directory (default: ipe if free, else ipe_lkm)");

/*
 * Each step is undone in reverse order, by init's unwinding and by exit
 * alike.  Unloading is reached only when nothing holds the module: no
 * pin (enforcing with a policy active), no open tree file, no handler
 * running; forced removal is refused (hooks.c).
 */
static int __init ipe_lkm_init(void)
{
	int rc;

	rc = ipe_lkm_fault("keys") ? -ENOMEM : ipe_lkm_keys_init();
	if (rc)
		return rc;
	rc = ipe_lkm_props_init();
	if (rc)
		goto out_keys;
	rc = ipe_lkm_cache_init();
	if (rc)
		goto out_props;
	rc = ipe_lkm_hooks_init();
	if (rc)
		goto out_cache;
	rc = ipe_lkm_hooks_selftest();
	if (rc)
		goto out_hooks;
	rc = ipe_lkm_load_boot_policy();
	if (rc)
		goto out_hooks;
	rc = ipe_lkm_fs_init();
	if (rc)
		goto out_policy;

	ipe_lkm_policy_start();
	pr_info("loaded: enforce=%d success_audit=%d\n",
		READ_ONCE(ipe_lkm_enforce), READ_ONCE(ipe_lkm_success_audit));
	return 0;

out_policy:
	ipe_lkm_policy_exit();
out_hooks:
	ipe_lkm_hooks_exit();
out_cache:
	ipe_lkm_cache_exit();
out_props:
	ipe_lkm_props_exit();
out_keys:
	ipe_lkm_keys_exit();
	return rc;
}

static void __exit ipe_lkm_exit(void)
{
	ipe_lkm_fs_exit();
	ipe_lkm_policy_exit();
	ipe_lkm_hooks_exit();
	ipe_lkm_cache_exit();
	ipe_lkm_props_exit();
	ipe_lkm_keys_exit();
	pr_info("unloaded\n");
}

module_init(ipe_lkm_init);
module_exit(ipe_lkm_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Integrity Policy Enforcement (IPE) as a loadable module");
MODULE_AUTHOR("The ipe-lkm authors");
MODULE_VERSION(IPE_LKM_VERSION);
