// SPDX-License-Identifier: GPL-2.0-only
/*
 * attach.c - attaching ftrace callbacks to kernel functions, by name, and
 * detaching them without ever freeing a callback ftrace may still call.
 *
 * The module's callbacks and their ftrace_ops live in the module's own
 * memory.  Once a module's exit function returns (or its init function
 * fails), the kernel frees that memory, so an ops that ftrace refused to
 * unregister (unregister_ftrace_function() fails when ftrace has shut
 * itself down after an anomaly, ftrace_kill()) would leave call sites
 * jumping into freed code.  detach therefore never returns in that case:
 * the task that removes the module sleeps for ever, the module stays in
 * memory, and the log says why.
 */
#include <linux/ftrace.h>
#include <linux/sched.h>

#include "ipe_lkm.h"

/*
 * SAVE_REGS where the argument-saving trampoline cannot give the
 * arguments and move the instruction pointer (compat.h); IPMODIFY for
 * those that redirect (exclusive: registration fails with -EBUSY if
 * another user redirects the same function); PERMANENT, so that
 * kernel.ftrace_enabled=0 is refused while the module is attached; and no
 * ftrace recursion guard, which would skip the callback (compat.h).
 */
static int attach_one(struct ipe_lkm_fn *fn)
{
	struct ftrace_ops *ops = &fn->ops;
	int rc;

	ops->func = fn->func;
	ops->flags |= COMPAT_FTRACE_OPS_FLAGS | FTRACE_OPS_FL_PERMANENT;
	if (fn->redirects)
		ops->flags |= FTRACE_OPS_FL_IPMODIFY;

	if (ipe_lkm_fault2("attach", fn->name))
		return -ENOMEM;
	rc = ftrace_set_filter(ops, (unsigned char *)fn->name,
			       strlen(fn->name), 1);
	if (rc) {
		pr_err("cannot find %s to hook (%d): is it traceable on this kernel?\n",
		       fn->name, rc);
		compat_ftrace_free_filter(ops);
		return rc;
	}
	rc = register_ftrace_function(ops);
	if (rc == -EBUSY)
		pr_err("cannot hook %s: another ftrace user (livepatch, another security module, bpf) already modifies it (-EBUSY)\n",
		       fn->name);
	else if (rc)
		pr_err("cannot hook %s (%d)\n", fn->name, rc);
	if (rc)
		compat_ftrace_free_filter(ops);
	return rc;
}

/*
 * Ftrace keeps calling @fn: the module must outlive every call, so the
 * caller (module exit, or init unwinding) never returns.  TASK_IDLE: the
 * sleep counts neither as load nor as a hung task.
 */
static void __noreturn hold_forever(const struct ipe_lkm_fn *fn, int rc)
{
	pr_crit("cannot detach from %s (%d): ftrace may still call into ipe_lkm, so it stays in memory for good and the task removing it (pid %d) sleeps for ever\n",
		fn->name, rc, task_pid_nr(current));
	for (;;) {
		set_current_state(TASK_IDLE);
		schedule();
	}
}

static void detach_one(struct ipe_lkm_fn *fn)
{
	int rc;

	if (ipe_lkm_fault2("detach", fn->name))
		rc = -ENODEV;	/* as if ftrace had shut down */
	else
		rc = unregister_ftrace_function(&fn->ops);
	if (rc)
		hold_forever(fn, rc);
	/* Once unregistered, the ops is not running and will not run again. */
	compat_ftrace_free_filter(&fn->ops);
	fn->attached = false;
}

/**
 * ipe_lkm_attach_all() - attach callbacks to kernel functions, in order.
 * @fns: the functions, each with its name and ops (func and flags) set.
 * @n: how many.
 *
 * Context: process context, may sleep.
 * Return: 0; else the error of the first one that could not be attached
 * (-EINVAL: not found or not traceable, -EBUSY: another IPMODIFY user
 * holds it, other ftrace errors), and none stays attached.
 */
int ipe_lkm_attach_all(struct ipe_lkm_fn *fns, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = attach_one(&fns[i]);
		if (rc) {
			ipe_lkm_detach_all(fns, i);
			return rc;
		}
		fns[i].attached = true;
	}
	return 0;
}

/**
 * ipe_lkm_detach_all() - detach what ipe_lkm_attach_all() attached, in
 * reverse order.
 * @fns: the functions.
 * @n: how many.
 *
 * Context: process context, may sleep.  When it returns no callback of
 * @fns is running or will run again.  If ftrace refuses to let one go, it
 * does not return (see hold_forever()).
 */
void ipe_lkm_detach_all(struct ipe_lkm_fn *fns, size_t n)
{
	while (n--) {
		if (fns[n].attached)
			detach_one(&fns[n]);
	}
}

/**
 * ipe_lkm_all_enabled() - are the functions' callbacks live in ftrace?
 * @fns: the functions, attached.
 * @n: how many.
 *
 * Context: any.
 * Return: true when ftrace has every ops enabled; else false, and the log
 * names the first that is not.
 */
bool ipe_lkm_all_enabled(const struct ipe_lkm_fn *fns, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(READ_ONCE(fns[i].ops.flags) & FTRACE_OPS_FL_ENABLED)) {
			pr_err("the hook on %s is not enabled\n", fns[i].name);
			return false;
		}
	}
	return true;
}
