// SPDX-License-Identifier: GPL-2.0-only
/*
 * compat.c - glue that needs code, not a macro.
 *
 * Each function resolved by name is listed in docs/module.md with the
 * reason no exported way exists; names are resolved only on kernels without
 * IBT (COMPAT_CANNOT_CALL_BY_NAME), where calling through a pointer to a
 * kernel function is safe.
 */
#include <linux/kprobes.h>

#include "ipe_lkm.h"

#ifndef COMPAT_CANNOT_CALL_BY_NAME

/**
 * ipe_lkm_lookup_name() - the address of a kernel symbol.
 * @name: the symbol.
 *
 * kallsyms_lookup_name() is unexported since 5.7; a kprobe finds it.
 *
 * Context: process context, may sleep.
 * Return: the address, or 0.
 */
unsigned long ipe_lkm_lookup_name(const char *name)
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

#endif /* !COMPAT_CANNOT_CALL_BY_NAME */
