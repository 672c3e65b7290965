/* SPDX-License-Identifier: MIT */
/*
 * keyrings.h - where in the kernel's system keyrings a key is.
 */
#ifndef IPECTL_KEYRINGS_H
#define IPECTL_KEYRINGS_H

#include <stddef.h>

#include "pkcs7.h"

int ipectl_kernel_keyring_of(const struct ipectl_key_ids *ids, char *where,
			     size_t size);

#endif /* IPECTL_KEYRINGS_H */
