/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * ipe_engine_deps.h - what the policy engine needs, for userspace (libc).
 *
 * Need: u8 u16 u32 u64 size_t bool NULL; EBADMSG EINVAL ERANGE ENOMEM E2BIG
 * EACCES ENAMETOOLONG ENODATA ENOPKG; memchr memcmp memcpy memset strlen;
 * static_assert(expr, msg);
 * ipe_eng_zalloc(size) ipe_eng_free(p): small objects;
 * ipe_eng_zalloc_array(n, size) ipe_eng_free_array(p): large arrays
 * (vmalloc-backed in the kernel), NULL on overflow of n * size.
 * The kernel's version is module/ipe_engine_deps.h.  Used by ipectl, the
 * engine tests and module/host/check-policy.c (the boot policy, checked at
 * build time).
 */
#ifndef IPE_ENGINE_DEPS_H
#define IPE_ENGINE_DEPS_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#ifdef IPE_ENG_FAULT_INJECT
/* tests: fail the Nth allocation, count bytes (see tests/engine) */
void *ipe_eng_test_calloc(size_t n, size_t size);
void ipe_eng_test_free(void *p);
#define ipe_eng_calloc_ ipe_eng_test_calloc
#define ipe_eng_free_ ipe_eng_test_free
#else
#define ipe_eng_calloc_ calloc
#define ipe_eng_free_ free
#endif

static inline void *ipe_eng_zalloc(size_t size)
{
	return ipe_eng_calloc_(1, size ? size : 1);
}

static inline void ipe_eng_free(void *p)
{
	ipe_eng_free_(p);
}

static inline void *ipe_eng_zalloc_array(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return ipe_eng_calloc_(n ? n : 1, size ? size : 1);
}

static inline void ipe_eng_free_array(void *p)
{
	ipe_eng_free_(p);
}

#endif /* IPE_ENGINE_DEPS_H */
