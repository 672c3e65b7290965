// SPDX-License-Identifier: GPL-2.0-only
/*
 * compat.c - the kernel-version differences that need code, not a macro.
 *
 * Each helper resolved by name is listed in docs/kernel-compat.md with the
 * reason no exported way exists; they are only used on kernels without
 * IBT (COMPAT_CANNOT_CALL_BY_NAME), where calling through a pointer to a
 * kernel function is safe.
 */
#include <linux/fs.h>
#include <linux/fsverity.h>
#include <linux/kprobes.h>
#include <crypto/hash_info.h>

#include "ipe_lkm.h"

#ifndef COMPAT_FSVERITY_GET_DIGEST_EXPORTED

#ifdef COMPAT_CANNOT_CALL_BY_NAME
#error "fsverity_get_digest() is neither exported nor callable by name here"
#endif

typedef int (*fsverity_get_digest_fn)(struct inode *inode,
				      u8 digest[FS_VERITY_MAX_DIGEST_SIZE],
				      enum hash_algo *alg);
static fsverity_get_digest_fn fsverity_get_digest_6_1;

/* kallsyms_lookup_name() is unexported since 5.7; a kprobe finds it. */
static unsigned long lookup_name(const char *name)
{
	typedef unsigned long (*lookup_fn)(const char *name);
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	lookup_fn lookup;
	int rc;

	rc = register_kprobe(&kp);
	if (rc)
		return 0;
	lookup = (lookup_fn)kp.addr;
	unregister_kprobe(&kp);
	return lookup ? lookup(name) : 0;
}

int ipe_lkm_compat_init(void)
{
	fsverity_get_digest_6_1 =
		(fsverity_get_digest_fn)lookup_name("fsverity_get_digest");
	if (!fsverity_get_digest_6_1) {
		pr_err("cannot find fsverity_get_digest\n");
		return -ENOENT;
	}
	return 0;
}

/**
 * ipe_lkm_fsverity_digest() - the fs-verity digest of a verity inode.
 * @inode: the (real) inode.
 * @buf: where to put the digest.
 * @size: bytes at @buf, at least FS_VERITY_MAX_DIGEST_SIZE.
 * @alg: the algorithm's name as fs-verity's LSM users see it ("sha256").
 * @len: the digest's length.
 *
 * Context: any; does not sleep.
 * Return: 1 with a digest, 0 when @inode has none (not verity, or its
 * verity info is not loaded), -errno on an inconsistency.
 */
int ipe_lkm_fsverity_digest(struct inode *inode, u8 *buf, size_t size,
			    const char **alg, u32 *len)
{
	enum hash_algo halg;
	int rc;

	if (size < FS_VERITY_MAX_DIGEST_SIZE)
		return -EINVAL;
	rc = fsverity_get_digest_6_1(inode, buf, &halg);
	if (rc == -ENODATA)
		return 0;
	if (rc)
		return rc;
	if (halg >= HASH_ALGO__LAST)
		return -EINVAL;
	*alg = hash_algo_name[halg];
	*len = hash_digest_size[halg];
	return 1;
}

#else /* COMPAT_FSVERITY_GET_DIGEST_EXPORTED */

int ipe_lkm_compat_init(void)
{
	return 0;
}

int ipe_lkm_fsverity_digest(struct inode *inode, u8 *buf, size_t size,
			    const char **alg, u32 *len)
{
	enum hash_algo halg;
	u8 fsv_alg;
	int rc;

	if (size < FS_VERITY_MAX_DIGEST_SIZE)
		return -EINVAL;
	rc = fsverity_get_digest(inode, buf, &fsv_alg, &halg);
	if (rc <= 0)
		return rc;
	if (halg >= HASH_ALGO__LAST)
		return -EINVAL;
	*alg = hash_algo_name[halg];
	*len = rc;
	return 1;
}

#endif /* COMPAT_FSVERITY_GET_DIGEST_EXPORTED */
