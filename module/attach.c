// SPDX-License-Identifier: GPL-2.0-only
/*
 * attach.c - attaching ftrace callbacks to kernel functions, by name, and
 * detaching them without ever freeing a callback ftrace may still call.
 *
 * The module's callbacks and their ftrace_ops live in the module's own
 * memory.  Once a module's exit function returns (or its init function
 * fails), the kernel frees that memory, so an ops that ftrace refused to
 * unregister, or to take a function out of its filter (both fail when
 * ftrace has shut itself down after an anomaly, ftrace_kill()), would
 * leave call sites jumping into freed code.  detach therefore never
 * returns in that case: the task that removes the module sleeps for ever,
 * the module stays in memory, and the log says why.
 */
#include <linux/ftrace.h>
#include <linux/hash.h>
#include <linux/sched.h>

#include "ipe_lkm.h"

/*
 * The flags of every ops: SAVE_REGS where the argument-saving trampoline
 * cannot give the arguments and move the instruction pointer (compat.h);
 * PERMANENT, so that kernel.ftrace_enabled=0 is refused while the module
 * is attached; and no ftrace recursion guard, which would skip the
 * callback (compat.h).  IPMODIFY is added for functions that redirect
 * (exclusive: registration fails with -EBUSY if another user redirects
 * the same function).
 */
#define ATTACH_FLAGS (COMPAT_FTRACE_OPS_FLAGS | FTRACE_OPS_FL_PERMANENT)

static void report_attach_error(const struct ipe_lkm_fn *fn, int rc)
{
	if (rc == -EBUSY)
		pr_err("cannot hook %s: another ftrace user (livepatch, another security module, bpf) already modifies it (-EBUSY)\n",
		       fn->name);
	else
		pr_err("cannot hook %s (%d)\n", fn->name, rc);
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

#ifndef COMPAT_FTRACE_SHARED_OPS

/* One ftrace_ops per function: ftrace calls its callback directly. */
static int attach_one(struct ipe_lkm_fn *fn)
{
	struct ftrace_ops *ops = &fn->ops;
	int rc;

	ops->func = fn->func;
	ops->flags |= ATTACH_FLAGS;
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
	if (rc) {
		report_attach_error(fn, rc);
		compat_ftrace_free_filter(ops);
	}
	return rc;
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

static bool fn_enabled(const struct ipe_lkm_fn *fn)
{
	return READ_ONCE(fn->ops.flags) & FTRACE_OPS_FL_ENABLED;
}

#else /* COMPAT_FTRACE_SHARED_OPS */

/*
 * One ftrace_ops for every function (compat.h: where ftrace would walk the
 * list of all ops on every hooked call), whose callback finds the
 * function's own by the call site ftrace reports.
 *
 * The site of each function is asked of ftrace itself before it is
 * attached (find_site()), and the ops's filter holds exactly those sites
 * (ftrace_set_filter_ip()): every call reaching dispatch() comes from one
 * of the sites in shared_slots, so none goes unidentified.
 *
 * The slots are a small open-addressed table keyed by the site, so that
 * finding the function costs the same whichever it is and however many
 * are attached.  shared_lock serialises attaching and detaching (module
 * init and exit), the only writers of shared_slots, shared_count and the
 * ops.  dispatch() reads the slots without a lock: a slot is filled before
 * its site enters the filter (ftrace patches the call site after that, in
 * stop_machine()), and emptied only once its site has left the filter and
 * a grace period has passed (ftrace's list function, the only caller of a
 * module's ops here, runs each callback with preemption disabled).  An
 * emptied slot keeps SLOT_GONE, not 0, so that a search for a site placed
 * after it goes on past it.
 */
#define SHARED_BITS 6
#define SHARED_SLOTS (1U << SHARED_BITS)
#define SLOT_GONE 1UL	/* never a site: sites are instruction addresses */

struct shared_slot {
	unsigned long site;
	struct ipe_lkm_fn *fn;
};

static DEFINE_MUTEX(shared_lock);
static struct shared_slot shared_slots[SHARED_SLOTS];
static unsigned int shared_count;	/* functions attached */

#ifdef COMPAT_CANNOT_CALL_BY_NAME
#error "a shared ftrace_ops needs the addresses of the functions it attaches to"
#endif

static __always_inline unsigned int first_slot(unsigned long site)
{
	return hash_long(site, SHARED_BITS);
}

static notrace void dispatch(unsigned long ip, unsigned long parent_ip,
			     struct ftrace_ops *ops, ipe_lkm_ftrace_arg *arg)
{
	unsigned int i = first_slot(ip), n;
	unsigned long site;

	for (n = 0; n < SHARED_SLOTS; n++, i = (i + 1) % SHARED_SLOTS) {
		site = READ_ONCE(shared_slots[i].site);
		if (site == ip) {
			struct ipe_lkm_fn *fn = READ_ONCE(shared_slots[i].fn);

			fn->func(ip, parent_ip, ops, arg);
			return;
		}
		if (!site)
			break;
	}
	WARN_ONCE(1, "ftrace called ipe_lkm for %pS, which it did not attach to\n",
		  (void *)ip);
}

static struct ftrace_ops shared_ops = {
	.func = dispatch,
	/* one ops for all: it redirects, as some of its functions do */
	.flags = ATTACH_FLAGS | FTRACE_OPS_FL_IPMODIFY,
};

/*
 * Empties the filter of @ops, not registered, to be used again:
 * ftrace_free_filter() would leave it pointing at the freed entries.
 */
static void reset_filter(struct ftrace_ops *ops)
{
	ftrace_set_filter(ops, NULL, 0, 1);
}

/*
 * The call site of the function at @addr, as ftrace records it.  The
 * function starts with the NOPs that ftrace patches
 * (-fpatchable-function-entry, after a BTI landing pad where the kernel
 * has one) and its site is the address of the second, which the call
 * replaces.  ftrace accepts exactly its sites in a filter, and on newer
 * kernels the start of a function too (mapped to its site, which is not
 * told back): hence the search begins after the start.
 */
static unsigned long find_site(unsigned long addr)
{
	static struct ftrace_ops probe_ops;	/* never registered */
	unsigned long site;
	int rc = -ENOENT;

	lockdep_assert_held(&shared_lock);
	for (site = addr + MCOUNT_INSN_SIZE; site < addr + 4 * MCOUNT_INSN_SIZE;
	     site += MCOUNT_INSN_SIZE) {
		rc = ftrace_set_filter_ip(&probe_ops, site, 0, 1);
		if (!rc)
			break;
	}
	reset_filter(&probe_ops);
	return rc ? 0 : site;
}

/* The slot for a new @site: empty, or emptied.  Context: shared_lock. */
static struct shared_slot *free_slot(unsigned long site)
{
	unsigned int i = first_slot(site), n;

	lockdep_assert_held(&shared_lock);
	for (n = 0; n < SHARED_SLOTS; n++, i = (i + 1) % SHARED_SLOTS) {
		if (shared_slots[i].site <= SLOT_GONE)
			return &shared_slots[i];
	}
	return NULL;
}

static void clear_slot(struct shared_slot *slot)
{
	WRITE_ONCE(slot->site, SLOT_GONE);
	WRITE_ONCE(slot->fn, NULL);
}

static int attach_one(struct ipe_lkm_fn *fn)
{
	struct shared_slot *slot;
	unsigned long addr;
	int rc;

	if (ipe_lkm_fault2("attach", fn->name))
		return -ENOMEM;
	mutex_lock(&shared_lock);
	addr = ipe_lkm_lookup_name(fn->name);
	fn->site = addr ? find_site(addr) : 0;
	if (!fn->site) {
		rc = -EINVAL;
		pr_err("cannot find %s to hook: is it traceable on this kernel?\n",
		       fn->name);
		goto out;
	}
	slot = free_slot(fn->site);
	if (!slot) {
		rc = -ENOSPC;
		pr_err("cannot hook %s: more than %u functions\n", fn->name,
		       SHARED_SLOTS);
		goto out;
	}
	WRITE_ONCE(slot->fn, fn);
	WRITE_ONCE(slot->site, fn->site);

	rc = ftrace_set_filter_ip(&shared_ops, fn->site, 0, 0);
	if (!rc && !shared_count) {
		rc = register_ftrace_function(&shared_ops);
		if (rc)
			reset_filter(&shared_ops);
	}
	if (rc) {
		report_attach_error(fn, rc);
		clear_slot(slot);	/* the ops does not call for its site */
		goto out;
	}
	shared_count++;
out:
	mutex_unlock(&shared_lock);
	return rc;
}

/*
 * The last function unregisters the ops: an ops with an empty filter
 * traces every function, so the filter is never emptied while registered.
 */
static void detach_one(struct ipe_lkm_fn *fn)
{
	unsigned int i;
	int rc;

	mutex_lock(&shared_lock);
	if (ipe_lkm_fault2("detach", fn->name))
		rc = -ENODEV;	/* as if ftrace had shut down */
	else if (shared_count == 1)
		rc = unregister_ftrace_function(&shared_ops);
	else
		rc = ftrace_set_filter_ip(&shared_ops, fn->site, 1, 0);
	if (rc)
		hold_forever(fn, rc);
	if (shared_count == 1)
		reset_filter(&shared_ops);
	else
		synchronize_rcu();	/* a dispatch() for the site has ended */
	shared_count--;

	for (i = 0; i < SHARED_SLOTS; i++) {
		if (shared_slots[i].fn == fn)
			clear_slot(&shared_slots[i]);
	}
	fn->attached = false;
	mutex_unlock(&shared_lock);
}

static bool fn_enabled(const struct ipe_lkm_fn *fn)
{
	return READ_ONCE(shared_ops.flags) & FTRACE_OPS_FL_ENABLED;
}

#endif /* COMPAT_FTRACE_SHARED_OPS */

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
		if (!fn_enabled(&fns[i])) {
			pr_err("the hook on %s is not enabled\n", fns[i].name);
			return false;
		}
	}
	return true;
}
