/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h - every kernel-version difference of ipe_lkm, in one place.
 *
 * Force-included by Kbuild before anything else, so the rest of the module
 * reads like code for one kernel.  Supported: Linux 5.10 to 7.3 (Debian
 * 11 to 13 and their backports); what a newer kernel changes goes here too.
 */
#ifndef IPE_LKM_COMPAT_H
#define IPE_LKM_COMPAT_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 10, 0)
#error "ipe_lkm supports Linux 5.10 and later"
#endif

/* Audit record types, uapi from 6.12 on (1404 AUDIT_MAC_STATUS is older). */
#include <uapi/linux/audit.h>
#ifndef AUDIT_IPE_ACCESS
#define AUDIT_IPE_ACCESS	1420
#define AUDIT_IPE_CONFIG_CHANGE	1421
#define AUDIT_IPE_POLICY_LOAD	1422
#endif

/*
 * fsverity_get_digest(): exported from 6.3 with a new signature
 * (inode, raw_digest, &alg, &halg) returning the digest size; on 6.1 it is
 * (inode, digest, &halg) returning 0, unexported, and reached by name (see
 * props_fsverity.c: only on kernels without IBT).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define COMPAT_FSVERITY_GET_DIGEST_EXPORTED 1
#endif

/*
 * 5.10 has no fsverity_get_digest() at all, and its
 * fsverity_verify_signature() takes (vi, desc, desc_size), not (vi,
 * signature, sig_size) as from 5.11: fs-verity's private header says so,
 * which no headers package ships, hence the version.  There the digest is
 * computed when an info is created (props_fsverity.c).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#define COMPAT_FSVERITY_DIGEST_AT_CREATION 1
#endif

/*
 * The function that frees an evicted inode's fs-verity info: exported
 * fsverity_cleanup_inode(), until an inline wrapper began to skip
 * non-verity inodes and call __fsverity_cleanup_inode() (probed in Kbuild).
 */
#ifdef COMPAT_PROBE_INNER_FSVERITY_CLEANUP
#define COMPAT_FSVERITY_CLEANUP_INODE "__fsverity_cleanup_inode"
#else
#define COMPAT_FSVERITY_CLEANUP_INODE "fsverity_cleanup_inode"
#endif

/*
 * ftrace (attach.c).  Before 5.11 a callback receives the saved pt_regs
 * (no struct ftrace_regs: probed in Kbuild) and FTRACE_OPS_FL_RECURSION_SAFE
 * declares that it needs no recursion guard; from 5.11 having no guard is
 * the default (FTRACE_OPS_FL_RECURSION asks for one).  ipe_lkm never asks:
 * a guard skips a callback that recurses, and a hook must never be skipped
 * (no handler calls an attached function).
 *
 * Where the architecture saves only the argument registers
 * (DYNAMIC_FTRACE_WITH_ARGS without WITH_REGS: arm64 from 6.2), SAVE_REGS
 * is refused (-EINVAL); there arguments and the instruction pointer are
 * reached through ftrace_regs, and IPMODIFY works as for arm64's
 * livepatch.  x86 has both kinds of trampoline, and its argument-saving
 * one (ftrace_caller) moves to a changed instruction pointer too: x86's
 * livepatch and KUnit's function stubs redirect through it, without
 * SAVE_REGS, from 5.11.  It saves and restores a third of the registers
 * the other does, on every exec and mmap, so ipe_lkm uses it wherever x86
 * has it: through the generic ftrace_regs accessors (linux/ftrace_regs.h,
 * probed in Kbuild: 6.12 and later), or before them (5.11 to 6.11: struct
 * ftrace_regs, and livepatch's ftrace_instruction_pointer_set(), both
 * probed) through x86's struct ftrace_regs, a pt_regs of which that
 * trampoline fills the argument registers and the instruction pointer.
 * Elsewhere (x86 5.10, arm64's 6.1 WITH_REGS) SAVE_REGS gives the
 * pt_regs.  From 6.3 arm64
 * (DYNAMIC_FTRACE_WITH_CALL_OPS) calls the callback of a call site's only
 * ops directly: no guard there either.
 *
 * Before that, arm64 has no per-ops trampolines: every traced call site
 * goes to ftrace's list function, which tests the call against the filter
 * of each registered ops in turn, so with one ops per hooked function
 * every exec and mmap paid one test per function attached.  There
 * (COMPAT_FTRACE_SHARED_OPS) one ops serves all of them and its callback
 * picks the function's own by the call site (attach.c): one test.  x86
 * gives each ops a trampoline of its own and keeps one ops per function.
 */
#ifndef COMPAT_PROBE_FTRACE_REGS
#define COMPAT_FTRACE_CALLBACK_PT_REGS 1
#define COMPAT_FTRACE_NO_GUARD FTRACE_OPS_FL_RECURSION_SAFE
#else
#define COMPAT_FTRACE_NO_GUARD 0
#endif
#if !defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS) && \
	!defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS)
#error "ipe_lkm needs DYNAMIC_FTRACE_WITH_REGS or DYNAMIC_FTRACE_WITH_ARGS"
#elif !defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS) || \
	(defined(CONFIG_X86) && defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS) && \
	 defined(COMPAT_PROBE_FTRACE_REGS_ACCESSORS))
#define COMPAT_FTRACE_ARGS_ONLY 1
#define COMPAT_FTRACE_OPS_FLAGS COMPAT_FTRACE_NO_GUARD
#define compat_ftrace_regs_get_argument(fregs, n) \
	ftrace_regs_get_argument(fregs, n)
#define compat_ftrace_regs_set_ip(fregs, ip) \
	ftrace_regs_set_instruction_pointer(fregs, ip)
#elif defined(CONFIG_X86) && defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS) && \
	defined(COMPAT_PROBE_FTRACE_REGS) && \
	defined(COMPAT_PROBE_FTRACE_INSTRUCTION_POINTER_SET)
#define COMPAT_FTRACE_ARGS_ONLY 1
#define COMPAT_FTRACE_OPS_FLAGS COMPAT_FTRACE_NO_GUARD
/* what linux/ftrace_regs.h does for an ftrace_regs that holds a pt_regs */
#define compat_ftrace_regs_get_argument(fregs, n) \
	regs_get_kernel_argument(&(fregs)->regs, n)
#define compat_ftrace_regs_set_ip(fregs, ip) \
	ftrace_instruction_pointer_set(fregs, ip)
#else
#define COMPAT_FTRACE_OPS_FLAGS (FTRACE_OPS_FL_SAVE_REGS | COMPAT_FTRACE_NO_GUARD)
#endif

#if defined(CONFIG_ARM64) && !defined(CONFIG_DYNAMIC_FTRACE_WITH_CALL_OPS)
#define COMPAT_FTRACE_SHARED_OPS 1
#endif

/*
 * ftrace_free_filter() is not exported everywhere (probed in the kernel's
 * Module.symvers); resetting the filter to nothing frees the same entries
 * of an ops that is not registered.
 */
#ifdef COMPAT_PROBE_FTRACE_FREE_FILTER_EXPORTED
#define compat_ftrace_free_filter(ops) ftrace_free_filter(ops)
#else
#define compat_ftrace_free_filter(ops) ftrace_set_filter((ops), NULL, 0, 1)
#endif

/*
 * execveat(AT_EXECVE_CHECK), 6.14: struct linux_binprm's is_check, and
 * the security_bprm_creds_for_exec() that upstream IPE hooks for it (6.19);
 * READING_MODULE_COMPRESSED, 7.x, a module kmod decompresses in the
 * kernel: upstream's op=KERNEL_MODULE.  Both probed in Kbuild.
 */
#ifdef COMPAT_PROBE_BPRM_IS_CHECK
#define COMPAT_EXECVE_CHECK 1
#endif
#ifdef COMPAT_PROBE_READING_MODULE_COMPRESSED
#define COMPAT_READING_MODULE_COMPRESSED 1
#endif

/*
 * shmem_file_setup()'s flags (the load self-test's file): vm_flags until
 * 7.3 made them a vma_flags_t (probed in Kbuild).
 */
#ifdef COMPAT_PROBE_SHMEM_VMA_FLAGS
#define COMPAT_SHMEM_NORESERVE mk_vma_flags(VMA_NORESERVE_BIT)
#else
#define COMPAT_SHMEM_NORESERVE VM_NORESERVE
#endif

/*
 * On kernels built with IBT, a function reached through a pointer must
 * start with ENDBR, and objtool seals the ENDBR of functions whose address
 * is never taken: never call a kernel function found by name there.
 */
#ifdef CONFIG_X86_KERNEL_IBT
#define COMPAT_CANNOT_CALL_BY_NAME 1
#endif

/*
 * The system call entry of delete_module(), where hooks.c refuses forced
 * removals of ipe_lkm: with syscall wrappers every ABI has its own.  On
 * arm64 the 32-bit (COMPAT) table shares the 64-bit entry, which has no
 * compat_ variant.
 */
#if defined(CONFIG_X86_64)
#define COMPAT_SYS_DELETE_MODULE "__x64_sys_delete_module"
#ifdef CONFIG_IA32_EMULATION
#define COMPAT_SYS_DELETE_MODULE_32 "__ia32_sys_delete_module"
#endif
#elif defined(CONFIG_ARM64)
#define COMPAT_SYS_DELETE_MODULE "__arm64_sys_delete_module"
#else
#error "ipe_lkm: name this architecture's delete_module() entry in compat.h"
#endif

#endif /* IPE_LKM_COMPAT_H */
