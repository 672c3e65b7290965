// SPDX-License-Identifier: GPL-2.0
/*
 * ipe_nullhook: the benchmark's "hook only" configuration.  It attaches to
 * the functions ipe_lkm decides in (security_bprm_check, security_mmap_file,
 * security_file_mprotect) with the same ftrace_ops flags, SAVE_REGS (where
 * ipe_lkm asks for it) and IPMODIFY, and does nothing: what it costs is
 * the price of the attachment alone, separate from ipe_lkm's decision.
 */
#include <linux/ftrace.h>
#include <linux/module.h>

/*
 * As module/compat.h: before 5.11 (no struct ftrace_regs, probed in Kbuild)
 * a callback gets the saved pt_regs, and ftrace wraps it in a recursion
 * guard unless it is declared safe, which ipe_lkm's are; ftrace_free_filter()
 * is not exported everywhere, and resetting the filter frees the same.
 */
#ifdef NULLHOOK_FTRACE_REGS
typedef struct ftrace_regs nullhook_arg;
#define NULLHOOK_NO_GUARD 0
#else
typedef struct pt_regs nullhook_arg;
#define NULLHOOK_NO_GUARD FTRACE_OPS_FL_RECURSION_SAFE
#endif
#ifdef NULLHOOK_FREE_FILTER
#define nullhook_free_filter(ops) ftrace_free_filter(ops)
#else
#define nullhook_free_filter(ops) ftrace_set_filter((ops), NULL, 0, 1)
#endif

static void nullhook_func(unsigned long ip, unsigned long parent_ip,
			  struct ftrace_ops *op, nullhook_arg *arg)
{
}

/*
 * As module/compat.h: an ARGS-only ftrace (arm64 from 6.2) refuses
 * SAVE_REGS (-EINVAL) and moves the instruction pointer without it, and
 * so does x86's argument-saving trampoline, which ipe_lkm uses where the
 * generic ftrace_regs accessors are (linux/ftrace_regs.h: 6.12 and
 * later), or before them livepatch's ftrace_instruction_pointer_set()
 * (5.11 to 6.11).
 */
#if __has_include(<linux/ftrace_regs.h>)
#include <linux/ftrace_regs.h>
#endif
#if defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS) && \
	!(defined(CONFIG_X86) && defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS) && \
	  (defined(ftrace_regs_get_argument) || \
	   defined(ftrace_instruction_pointer_set)))
#define NULLHOOK_SAVE_REGS FTRACE_OPS_FL_SAVE_REGS
#else
#define NULLHOOK_SAVE_REGS 0
#endif

static struct ftrace_ops nullhook_ops = {
	.func = nullhook_func,
	.flags = NULLHOOK_SAVE_REGS | NULLHOOK_NO_GUARD | FTRACE_OPS_FL_IPMODIFY,
};

static const char *const nullhook_targets[] = {
	"security_bprm_check",
	"security_mmap_file",
	"security_file_mprotect",
};

static int __init nullhook_init(void)
{
	int i, rc;

	for (i = 0; i < ARRAY_SIZE(nullhook_targets); i++) {
		rc = ftrace_set_filter(&nullhook_ops, (unsigned char *)nullhook_targets[i],
				       strlen(nullhook_targets[i]), 0);
		if (rc)
			goto out_free;
	}
	rc = register_ftrace_function(&nullhook_ops);
	if (rc)
		goto out_free;
	return 0;

out_free:
	nullhook_free_filter(&nullhook_ops);
	return rc;
}

static void __exit nullhook_exit(void)
{
	unregister_ftrace_function(&nullhook_ops);
	nullhook_free_filter(&nullhook_ops);
}

module_init(nullhook_init);
module_exit(nullhook_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bench/vm: empty SAVE_REGS|IPMODIFY ftrace callbacks (hook cost only)");
