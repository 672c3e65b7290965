/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipe_engine_deps.h - what the policy engine needs, for the kernel.
 *
 * The same Need: list as userspace/lib/ipe_engine_deps.h, mapped to
 * <linux/...> headers.  Policies are parsed in process context (securityfs writes,
 * module init), so GFP_KERNEL; arrays may be large (a boot policy of many
 * digest rules), so kvcalloc.
 */
#ifndef IPE_ENGINE_DEPS_H
#define IPE_ENGINE_DEPS_H

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/mm.h>		/* kvcalloc(), kvfree() before 5.15 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

static inline void *ipe_eng_zalloc(size_t size)
{
	return kzalloc(size, GFP_KERNEL);
}

static inline void ipe_eng_free(void *p)
{
	kfree(p);
}

static inline void *ipe_eng_zalloc_array(size_t n, size_t size)
{
	return kvcalloc(n, size, GFP_KERNEL);
}

static inline void ipe_eng_free_array(void *p)
{
	kvfree(p);
}

#endif /* IPE_ENGINE_DEPS_H */
