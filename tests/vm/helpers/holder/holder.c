// SPDX-License-Identifier: GPL-2.0
/*
 * ipmodify_holder: holds an IPMODIFY ftrace_ops on security_file_mprotect,
 * as a livepatch or another security product would, so that tests/vm can
 * check that ipe_lkm then refuses to load, saying why.  It changes nothing.
 */
#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/version.h>

/* Before 5.11 a callback gets pt_regs, and ftrace_free_filter() is not exported. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
static void holder_func(unsigned long ip, unsigned long parent_ip,
			struct ftrace_ops *op, struct pt_regs *regs)
{
}
#define holder_free_filter(ops) ftrace_set_filter((ops), NULL, 0, 1)
#else
static void holder_func(unsigned long ip, unsigned long parent_ip,
			struct ftrace_ops *op, struct ftrace_regs *fregs)
{
}
#define holder_free_filter(ops) ftrace_free_filter(ops)
#endif

/*
 * SAVE_REGS where the architecture has it (IPMODIFY needs it on x86); an
 * ARGS-only one (arm64 from 6.2) refuses it, and moves the instruction
 * pointer without it.
 */
#ifdef CONFIG_DYNAMIC_FTRACE_WITH_REGS
#define HOLDER_SAVE_REGS FTRACE_OPS_FL_SAVE_REGS
#else
#define HOLDER_SAVE_REGS 0
#endif

static struct ftrace_ops holder_ops = {
	.func = holder_func,
	.flags = HOLDER_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY,
};

static int __init holder_init(void)
{
	int rc = ftrace_set_filter(&holder_ops, "security_file_mprotect",
				   strlen("security_file_mprotect"), 1);

	return rc ? rc : register_ftrace_function(&holder_ops);
}

static void __exit holder_exit(void)
{
	unregister_ftrace_function(&holder_ops);
	holder_free_filter(&holder_ops);
}

module_init(holder_init);
module_exit(holder_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tests/vm: hold IPMODIFY on security_file_mprotect");
