/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipe_engine_deps.h - what the policy engine needs, for the kernel.
 *
 * The same Need: list as userspace/lib/ipe_engine_deps.h, mapped to
 * <linux/...> headers.  Policies are parsed in process context (securityfs writes,
 * module init), so GFP_KERNEL; arrays may be large (a boot policy of many
 * digest rules), so kvzalloc() or vzalloc() (ipe_eng_zalloc_array()).
 */
#ifndef IPE_ENGINE_DEPS_H
#define IPE_ENGINE_DEPS_H

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/mm.h>		/* kvzalloc(), kvfree() before 5.15 */
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/vmalloc.h>

static inline void *ipe_eng_zalloc(size_t size)
{
	return kzalloc(size, GFP_KERNEL);
}

static inline void ipe_eng_free(void *p)
{
	kfree(p);
}

/*
 * kvcalloc() takes a kmalloc() of the next power of two pages when it can:
 * the 1.2 MB of a 100 000-rule policy's rule records took 2 MiB.  An array
 * of more than a page that such rounding would grow by more than an eighth
 * goes to vmalloc, which rounds to pages.
 */
static inline void *ipe_eng_zalloc_array(size_t n, size_t size)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	if (bytes > PAGE_SIZE && roundup_pow_of_two(bytes) - bytes > bytes / 8)
		return vzalloc(bytes);
	return kvzalloc(bytes, GFP_KERNEL);
}

static inline void ipe_eng_free_array(void *p)
{
	kvfree(p);
}

#endif /* IPE_ENGINE_DEPS_H */
