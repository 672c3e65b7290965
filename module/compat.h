/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h - every kernel-version difference of ipe_lkm, in one place.
 *
 * Force-included by Kbuild before anything else, so the rest of the module
 * reads like code for one kernel.  Supported: Linux 6.1 to 6.12 (Debian 12
 * and its backports); what a newer kernel changes goes here too.
 */
#ifndef IPE_LKM_COMPAT_H
#define IPE_LKM_COMPAT_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "ipe_lkm supports Linux 6.1 and later"
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
 * compat.c: only on kernels without IBT).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define COMPAT_FSVERITY_GET_DIGEST_EXPORTED 1
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

/* securityfs_recursive_remove() arrived in 6.7. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
#define COMPAT_NO_SECURITYFS_RECURSIVE_REMOVE 1
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
 * dm-verity trust (props.c): where dm-mod's live-table helpers can be
 * called by name, the device's live table is read at each decision;
 * elsewhere the module follows table loads and resumes.
 */
#ifndef COMPAT_CANNOT_CALL_BY_NAME
#define COMPAT_DM_LIVE_TABLE 1
#endif

/*
 * The system call entry of delete_module(), where hooks.c refuses forced
 * removals of ipe_lkm: with syscall wrappers every ABI has its own.
 */
#if defined(CONFIG_X86_64)
#define COMPAT_SYS_DELETE_MODULE "__x64_sys_delete_module"
#ifdef CONFIG_IA32_EMULATION
#define COMPAT_SYS_DELETE_MODULE_32 "__ia32_sys_delete_module"
#endif
#else
#error "ipe_lkm: name this architecture's delete_module() entry in compat.h"
#endif

#endif /* IPE_LKM_COMPAT_H */
