// SPDX-License-Identifier: GPL-2.0-only
/*
 * hooks.c - attach to the kernel's security_*() functions with ftrace.
 *
 * Attached by name with IPMODIFY and PERMANENT (attach.c: one ftrace_ops
 * per function, or one for all on arm64 before 6.3).  The callback
 * decides, without sleeping; to deny it redirects the call
 * (ipe_lkm_redirect()) to deny_stub(), which returns -EACCES to the
 * caller in place of the security_*() function; to allow it changes
 * nothing.  Nothing here calls a hooked function, and nothing is reached
 * through kprobes or kretprobes: an ftrace callback is never skipped.
 */
#include <linux/binfmts.h>
#include <linux/file.h>
#include <linux/ftrace.h>
#include <linux/kernel_read_file.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/module.h>
#include <linux/personality.h>
#include <linux/security.h>
#include <linux/shmem_fs.h>
#include <linux/uaccess.h>
#include <linux/umh.h>
#include <asm/syscall.h>

#include "decide.h"

/* Where a denied security_*() call returns from, with -EACCES. */
static noinline int deny_stub(void)
{
	return -EACCES;
}

static void deny(struct ipe_lkm_call *c)
{
	ipe_lkm_redirect(c, deny_stub);
}

/*
 * The decision on a call that got past its hook's own checks, and its
 * denial.  Out of line (decide_any(), and for the two hooks every shared
 * library's mapping takes decide_mmap() and decide_mprotect(), in which
 * the operation and the hook are constants), and reached by a tail call
 * where the compiler makes one: a call that needs no decision (an mmap
 * without PROT_EXEC, a hook with no active policy) then returns without
 * saving the registers a decision uses.  A cached ALLOW is made in
 * decide() with no call; the rest goes on in decide_held(), by a tail
 * call.  @c is passed by value (a pointer), so that the callback's own
 * copy does not escape.  notrace: ftrace has nothing to see here.
 */
static noinline notrace void decide_held(struct ipe_lkm_call c,
					 struct file *file, enum ipe_eng_op op,
					 enum ipe_lkm_hook hook,
					 const struct ipe_lkm_policy *pol,
					 u64 hit)
{
	if (ipe_lkm_decide_held(pol, file, op, hook, hit))
		deny(&c);
}

static __always_inline void decide(struct ipe_lkm_call c, struct file *file,
				   enum ipe_eng_op op, enum ipe_lkm_hook hook)
{
	const struct ipe_lkm_policy *pol;
	u64 hit;

	if (ipe_lkm_decide_quick(file, op, &pol, &hit))
		return;
	decide_held(c, file, op, hook, pol, hit);
}

static noinline notrace void decide_any(struct ipe_lkm_call c,
					struct file *file, enum ipe_eng_op op,
					enum ipe_lkm_hook hook)
{
	decide(c, file, op, hook);
}

static noinline notrace void decide_mmap(struct ipe_lkm_call c,
					 struct file *file)
{
	decide(c, file, IPE_ENG_OP_EXECUTE, IPE_LKM_HOOK_MMAP);
}

static noinline notrace void decide_mprotect(struct ipe_lkm_call c,
					     struct file *file)
{
	decide(c, file, IPE_ENG_OP_EXECUTE, IPE_LKM_HOOK_MPROTECT);
}

/*
 * The load self-test (ipe_lkm_hooks_selftest()) makes hooked functions run
 * on objects of its own: a private shmem file, or an anonymous mapping of
 * the loading task.  The callbacks recognise those calls and send them to
 * selftest_stub(), whose distinctive error then reaches the self-test:
 * proof that the callback ran and that moving the instruction pointer
 * works.  Outside the self-test selftest_file is NULL and nothing matches.
 */
#define SELFTEST_ERR EOWNERDEAD
static struct file *selftest_file;
static struct task_struct *selftest_task;

static noinline int selftest_stub(void)
{
	return -SELFTEST_ERR;
}

static noinline bool selftest_match(struct ipe_lkm_call c, struct file *file,
				    bool by_task)
{
	struct file *sf;
	bool ours;

	/*
	 * A callback may be preempted (ftrace does not disable preemption
	 * around a call site's only ops, and a preempt=full kernel has
	 * preemptible RCU): the read-side section is what the self-test's
	 * synchronize_rcu() waits for before it puts the file.
	 */
	rcu_read_lock();
	sf = READ_ONCE(selftest_file);
	ours = sf && (by_task ? READ_ONCE(selftest_task) == current :
				file && file_inode(file) == file_inode(sf));
	rcu_read_unlock();
	if (ours)
		ipe_lkm_redirect(&c, selftest_stub);
	return ours;
}

/*
 * A hook's decision, or during the self-test its diversion of the test's
 * own calls: both reached by a tail call, so that the hook saves no
 * register.  @by_task: as selftest_match().
 */
static noinline notrace void selftest_or_decide(struct ipe_lkm_call c,
						struct file *file, bool by_task,
						enum ipe_eng_op op,
						enum ipe_lkm_hook hook)
{
	if (!selftest_match(c, file, by_task))
		decide_any(c, file, op, hook);
}

static __always_inline void decide_tested(struct ipe_lkm_call *c,
					  struct file *file, bool by_task,
					  enum ipe_eng_op op,
					  enum ipe_lkm_hook hook)
{
	if (unlikely(READ_ONCE(selftest_file)))
		selftest_or_decide(*c, file, by_task, op, hook);
	else
		decide_any(*c, file, op, hook);
}

/* security_bprm_check(struct linux_binprm *bprm) */
static void hook_bprm_check(struct ipe_lkm_call *c)
{
	struct linux_binprm *bprm = (struct linux_binprm *)ipe_lkm_arg(c, 0);

	decide_tested(c, bprm->file, false, IPE_ENG_OP_EXECUTE,
		      IPE_LKM_HOOK_BPRM_CHECK);
}

#ifdef COMPAT_EXECVE_CHECK
/*
 * security_bprm_creds_for_exec(bprm): runs for every exec, but upstream
 * (6.19) decides only for execveat(AT_EXECVE_CHECK), by which an
 * interpreter asks whether a script may run; such a call stops after this
 * hook, before security_bprm_check().
 */
static void hook_bprm_creds_for_exec(struct ipe_lkm_call *c)
{
	struct linux_binprm *bprm = (struct linux_binprm *)ipe_lkm_arg(c, 0);

	if (!bprm->is_check)
		return;
	decide_any(*c, bprm->file, IPE_ENG_OP_EXECUTE,
		   IPE_LKM_HOOK_BPRM_CREDS_FOR_EXEC);
}
#endif

static bool path_is_noexec(const struct path *path)
{
	return (path->mnt->mnt_flags & MNT_NOEXEC) ||
	       (path->mnt->mnt_sb->s_iflags & SB_I_NOEXEC);
}

/*
 * security_mmap_file(file, prot, flags) hands the LSMs the protection after
 * READ_IMPLIES_EXEC (security.c's mmap_prot()): a PROT_READ mapping without
 * PROT_EXEC, by a task with that personality, of no file or of one on a
 * mount that allows exec.  Upstream IPE decides on that, and so does this
 * hook.
 */
static bool read_implies_exec(struct file *file, unsigned long prot)
{
	if ((prot & (PROT_READ | PROT_EXEC)) != PROT_READ)
		return false;
	return !file || !path_is_noexec(&file->f_path);
}

/* Most mappings are not executable and nothing makes them so. */
static void hook_mmap_file(struct ipe_lkm_call *c)
{
	struct file *file = (struct file *)ipe_lkm_arg(c, 0);
	unsigned long prot = ipe_lkm_arg(c, 1);

	if (!(prot & PROT_EXEC) &&
	    (likely(!(current->personality & READ_IMPLIES_EXEC)) ||
	     !read_implies_exec(file, prot)))
		return;
	if (file)
		decide_mmap(*c, file);
	else
		decide_tested(c, NULL, true, IPE_ENG_OP_EXECUTE,
			      IPE_LKM_HOOK_MMAP);
}

/* security_file_mprotect(vma, reqprot, prot): exec added to a mapping */
static void hook_file_mprotect(struct ipe_lkm_call *c)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)ipe_lkm_arg(c, 0);
	unsigned long prot = ipe_lkm_arg(c, 2);

	if (vma->vm_flags & VM_EXEC)
		return;
	if (!(prot & PROT_EXEC))
		return;
	decide_mprotect(*c, vma->vm_file);
}

/* kernel_read_file_id and kernel_load_data_id share their order. */
static enum ipe_eng_op op_of_id(unsigned int id)
{
	switch (id) {
	case READING_FIRMWARE:
		return IPE_ENG_OP_FIRMWARE;
	case READING_MODULE:
#ifdef COMPAT_READING_MODULE_COMPRESSED
	case READING_MODULE_COMPRESSED:	/* kmod's compressed modules, 7.x */
#endif
		return IPE_ENG_OP_KMODULE;
	case READING_KEXEC_INITRAMFS:
		return IPE_ENG_OP_KEXEC_INITRAMFS;
	case READING_KEXEC_IMAGE:
		return IPE_ENG_OP_KEXEC_IMAGE;
	case READING_POLICY:
		return IPE_ENG_OP_POLICY;
	case READING_X509_CERTIFICATE:
		return IPE_ENG_OP_X509;
	default:
		return IPE_ENG_OP_INVALID;
	}
}

static_assert((int)LOADING_FIRMWARE == (int)READING_FIRMWARE);
static_assert((int)LOADING_MODULE == (int)READING_MODULE);
static_assert((int)LOADING_KEXEC_IMAGE == (int)READING_KEXEC_IMAGE);
static_assert((int)LOADING_KEXEC_INITRAMFS == (int)READING_KEXEC_INITRAMFS);
static_assert((int)LOADING_POLICY == (int)READING_POLICY);
static_assert((int)LOADING_X509_CERTIFICATE == (int)READING_X509_CERTIFICATE);

/* security_kernel_read_file(file, id, contents) */
static void hook_kernel_read_file(struct ipe_lkm_call *c)
{
	struct file *file = (struct file *)ipe_lkm_arg(c, 0);

	decide_tested(c, file, false, op_of_id(ipe_lkm_arg(c, 1)),
		      IPE_LKM_HOOK_KERNEL_READ);
}

/* security_kernel_load_data(id, contents): a buffer, no file */
static void hook_kernel_load_data(struct ipe_lkm_call *c)
{
	decide_tested(c, NULL, true, op_of_id(ipe_lkm_arg(c, 0)),
		      IPE_LKM_HOOK_KERNEL_LOAD);
}

/*
 * Forced removal (rmmod -f, delete_module() with O_TRUNC) ignores the
 * module references that keep ipe_lkm loaded while it enforces, while a
 * tree file is open or while one of its handlers runs: it would free the
 * module under them.  The kernel has no LSM hook for delete_module(), so
 * its system call entry is attached to, and a forced removal of ipe_lkm
 * is refused, always, before the kernel looks at the module.  A name that
 * cannot be read without faulting is refused too (only for forced calls).
 */
static noinline long refuse_forced_removal(void)
{
	return -EWOULDBLOCK;
}

/* The module name of a delete_module() call, if it can be read here. */
static bool read_module_name(const char __user *uname, char *name,
			     size_t size)
{
	size_t got = 0, chunk;

	while (got < size) {
		/* never read across a page that might not be mapped */
		chunk = min_t(size_t, size - got,
			      PAGE_SIZE - offset_in_page(uname + got));
		if (copy_from_user_nofault(name + got, uname + got, chunk))
			return false;
		if (memchr(name + got, '\0', chunk))
			return true;
		got += chunk;
	}
	return false;
}

/* the syscall entry: arg 0 is the caller's registers */
static void hook_delete_module(struct ipe_lkm_call *c)
{
	struct pt_regs *uregs = (struct pt_regs *)ipe_lkm_arg(c, 0);
	char name[MODULE_NAME_LEN];
	unsigned long args[6];

	syscall_get_arguments(current, uregs, args);
	if (!(args[1] & O_TRUNC))
		return;
	if (read_module_name((const char __user *)args[0], name, sizeof(name)) &&
	    strcmp(name, KBUILD_MODNAME))
		return;
	pr_warn_ratelimited("forced removal of %s refused (pid %d): write 0 to enforce, close its files, then rmmod without -f\n",
			    KBUILD_MODNAME, task_pid_nr(current));
	ipe_lkm_redirect(c, refuse_forced_removal);
}

#ifdef COMPAT_EXECVE_CHECK
IPE_LKM_CALLBACK(hook_bprm_creds_for_exec)
#endif
IPE_LKM_CALLBACK(hook_bprm_check)
IPE_LKM_CALLBACK(hook_mmap_file)
IPE_LKM_CALLBACK(hook_file_mprotect)
IPE_LKM_CALLBACK(hook_kernel_read_file)
IPE_LKM_CALLBACK(hook_kernel_load_data)
IPE_LKM_CALLBACK(hook_delete_module)

static struct ipe_lkm_fn hooks[] = {
	IPE_LKM_FN("security_bprm_check", hook_bprm_check, true),
#ifdef COMPAT_EXECVE_CHECK
	IPE_LKM_FN("security_bprm_creds_for_exec", hook_bprm_creds_for_exec, true),
#endif
	IPE_LKM_FN("security_mmap_file", hook_mmap_file, true),
	IPE_LKM_FN("security_file_mprotect", hook_file_mprotect, true),
	IPE_LKM_FN("security_kernel_read_file", hook_kernel_read_file, true),
	IPE_LKM_FN("security_kernel_load_data", hook_kernel_load_data, true),
	IPE_LKM_FN(COMPAT_SYS_DELETE_MODULE, hook_delete_module, true),
#ifdef COMPAT_SYS_DELETE_MODULE_32
	IPE_LKM_FN(COMPAT_SYS_DELETE_MODULE_32, hook_delete_module, true),
#endif
};

/**
 * ipe_lkm_hooks_init() - attach every hook.
 *
 * Context: process context, may sleep.
 * Return: 0, or the error of the first hook that could not be attached
 * (then none stays attached).
 */
int ipe_lkm_hooks_init(void)
{
	return ipe_lkm_attach_all(hooks, ARRAY_SIZE(hooks));
}

/**
 * ipe_lkm_hooks_exit() - detach every hook.
 *
 * Context: process context, may sleep; when it returns no callback runs.
 */
void ipe_lkm_hooks_exit(void)
{
	ipe_lkm_detach_all(hooks, ARRAY_SIZE(hooks));
}

/* mmap: an executable anonymous mapping of the loading task. */
static int fire_mmap(void)
{
	unsigned long addr;

	addr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(addr))
		return (int)addr;
	vm_munmap(addr, PAGE_SIZE);
	return 0;
}

struct exec_test {
	struct file *file;
	char path[32];
};

/* Runs in the helper thread before its execve: the file becomes an fd. */
static int exec_test_init(struct subprocess_info *info, struct cred *new)
{
	struct exec_test *t = info->data;
	int fd = get_unused_fd_flags(0);

	if (fd < 0)
		return fd;
	fd_install(fd, get_file(t->file));
	snprintf(t->path, sizeof(t->path), "/proc/self/fd/%d", fd);
	return 0;
}

/*
 * bprm_check: a usermode helper executes the self-test file through
 * /proc/self/fd.  The file holds text that no binary format accepts, so
 * even if the hook did not divert the exec nothing would run: the exec
 * would end in -ENOEXEC, which is how a missing hook shows.
 */
static int fire_bprm_check(struct file *file)
{
	struct exec_test t = { .file = file, .path = "/proc/self/fd/?" };
	char *argv[] = { t.path, NULL };
	static char *envp[] = { NULL };
	struct subprocess_info *info;

	info = call_usermodehelper_setup(t.path, argv, envp, GFP_KERNEL,
					 exec_test_init, NULL, &t);
	if (!info)
		return -ENOMEM;
	return call_usermodehelper_exec(info, UMH_WAIT_EXEC);
}

static int selftest_result(const char *fn, int rc)
{
	if (rc == -SELFTEST_ERR)
		return 0;
	pr_err("self-test: %s did not reach its hook (%d)\n", fn, rc);
	return -EIO;
}

/**
 * ipe_lkm_hooks_selftest() - prove that the hooks fire and can deny.
 *
 * Four of the five hooked functions are made to run on objects of the
 * self-test's own (see decide_tested()): the callback diverts those calls
 * to selftest_stub() before any LSM sees them, so the test has no side
 * effect (no mapping, no read, no exec, no audit record) and its result
 * shows both that the callback ran and that the diversion took effect.
 * security_file_mprotect() is reached only through the mprotect() system
 * call of a process; for it the test checks that ftrace has the ops
 * enabled, and tests/vm shows it firing.  When the exec test cannot run
 * at all (no /proc, usermode helpers disabled), it is reported and the
 * enabled check stands in for it.
 *
 * Context: process context (module init), may sleep.
 * Return: 0, or -EIO when a hook did not fire, or -ENOMEM.
 */
int ipe_lkm_hooks_selftest(void)
{
	static const char text[] = "ipe_lkm self-test: not a program\n";
	struct file *file;
	loff_t pos = 0;
	int rc;

	file = shmem_file_setup("ipe_lkm-selftest", 0, COMPAT_SHMEM_NORESERVE);
	if (IS_ERR(file))
		return PTR_ERR(file);
	rc = kernel_write(file, text, sizeof(text) - 1, &pos);
	if (rc != sizeof(text) - 1) {
		fput(file);
		return rc < 0 ? rc : -EIO;
	}

	WRITE_ONCE(selftest_task, current);
	WRITE_ONCE(selftest_file, file);

	rc = selftest_result("security_kernel_load_data",
			     security_kernel_load_data(LOADING_FIRMWARE, false));
	if (!rc)
		rc = selftest_result("security_kernel_read_file",
				     security_kernel_read_file(file, READING_FIRMWARE,
							       true));
	/* module init runs in the loading process, which has an mm */
	if (!rc && current->mm)
		rc = selftest_result("security_mmap_file", fire_mmap());
	if (!rc) {
		int err = fire_bprm_check(file);

		if (err == -ENOEXEC)
			rc = selftest_result("security_bprm_check", err);
		else if (err != -SELFTEST_ERR)
			pr_warn("self-test: could not exec to test security_bprm_check (%d): relying on ftrace's state\n",
				err);
	}

	WRITE_ONCE(selftest_file, NULL);
	WRITE_ONCE(selftest_task, NULL);
	/*
	 * decide_tested() looks at the file inside an RCU read-side section:
	 * after a grace period none can still be looking at it.
	 */
	synchronize_rcu();
	fput(file);
	if (rc)
		return rc;

	if (ipe_lkm_fault("selftest"))
		return -EIO;
	if (!ipe_lkm_all_enabled(hooks, ARRAY_SIZE(hooks))) {
		pr_err("self-test failed: a hook is not enabled\n");
		return -EIO;
	}
	return 0;
}
