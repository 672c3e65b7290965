/* SPDX-License-Identifier: MIT */
/*
 * module.h - ipectl's side of ipe_lkm (module.c).
 */
#ifndef IPECTL_MODULE_H
#define IPECTL_MODULE_H

#include <stdbool.h>
#include <stddef.h>

#include <libkmod.h>

#include "ipectl.h"

#define MODNAME "ipe_lkm"

struct kmod_module *ipectl_kmod_module(struct kmod_ctx **ctx);
const char *ipectl_kernel_release(void);
int ipectl_rescan(void);
int ipectl_module_path(char *buf, size_t size);
bool ipectl_module_loaded(void);

#endif /* IPECTL_MODULE_H */
