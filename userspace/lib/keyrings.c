// SPDX-License-Identifier: MIT
/*
 * keyrings.c - find a policy signer's key in the kernel's system keyrings,
 * the ones the built-in IPE verifies policies with: .secondary_trusted_keys
 * (which links .builtin_trusted_keys and .machine, the Machine Owner Keys)
 * and then .platform (the UEFI db).
 *
 * The kernel names an X.509 key "<subject>: <subject key identifier in
 * hex>" (x509_key_preparse()).  Its system keys are readable by root but
 * not searchable (no KEY_USR_SEARCH), so the keyrings are listed
 * (KEYCTL_READ) and each key described (KEYCTL_DESCRIBE) instead of
 * searched.  The keyrings themselves are found in /proc/keys by name.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/keyctl.h>

#include "keyrings.h"

/* .secondary_trusted_keys links two keyrings; nothing links deeper */
#define MAX_DEPTH 3
#define MAX_KEYS 4096

static long keyctl(int op, unsigned long a2, unsigned long a3,
		   unsigned long a4)
{
	return syscall(SYS_keyctl, op, a2, a3, a4, 0UL);
}

/* The serial of the keyring called @name in /proc/keys, or -errno. */
static int32_t keyring_serial(const char *name)
{
	char line[512], type[32], desc[256];
	FILE *f = fopen("/proc/keys", "re");
	unsigned int serial;
	int32_t found = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%x %*s %*s %*s %*s %*s %*s %31s %255[^:]",
			   &serial, type, desc) != 3)
			continue;
		if (!strcmp(type, "keyring") && !strcmp(desc, name)) {
			found = (int32_t)serial;
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * "type;uid;gid;perm;description" of a key: @desc gets the description,
 * @type the type.  Return: 0 or -errno.
 */
static int describe(int32_t key, char *type, size_t tsize, char *desc,
		    size_t dsize)
{
	char buf[1024], *d;
	long n = keyctl(KEYCTL_DESCRIBE, (unsigned long)key,
			(unsigned long)buf, sizeof(buf));
	int i;

	if (n < 0)
		return -errno;
	if (n == 0 || (size_t)n > sizeof(buf))
		return -EMSGSIZE;
	buf[n - 1] = '\0';
	d = buf;
	for (i = 0; i < 4 && d; i++)
		d = strchr(d, ';') ? strchr(d, ';') + 1 : NULL;
	if (!d)
		return -EBADMSG;
	snprintf(type, tsize, "%.*s", (int)strcspn(buf, ";"), buf);
	snprintf(desc, dsize, "%s", d);
	return 0;
}

/* Does "<subject>: <hex>" end in one of @ids? */
static bool names_id(const char *desc, const struct ipectl_key_ids *ids)
{
	const char *h = strrchr(desc, ' ');
	size_t i;

	if (!h)
		return false;
	for (i = 0; i < ids->n; i++) {
		if (!strcasecmp(h + 1, ids->hex[i]))
			return true;
	}
	return false;
}

/*
 * Is a key of @ids in keyring @ring or in a keyring it links?  @where gets
 * the name of the keyring that holds it.  Return: 1, 0, or -errno.
 */
static int holds(int32_t ring, const char *name,
		 const struct ipectl_key_ids *ids, int depth, char *where,
		 size_t size)
{
	char type[32], desc[512];
	int32_t *keys;
	long n;
	int i, rc = 0;

	keys = calloc(MAX_KEYS, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	n = keyctl(KEYCTL_READ, (unsigned long)ring, (unsigned long)keys,
		   MAX_KEYS * sizeof(*keys));
	if (n < 0) {
		rc = -errno;
		goto out;
	}
	if ((size_t)n > MAX_KEYS * sizeof(*keys))
		n = MAX_KEYS * sizeof(*keys);
	for (i = 0; i < n / (long)sizeof(*keys) && !rc; i++) {
		if (describe(keys[i], type, sizeof(type), desc, sizeof(desc)))
			continue;	/* gone, or not ours to see */
		if (!strcmp(type, "keyring")) {
			if (depth < MAX_DEPTH)
				rc = holds(keys[i], desc, ids, depth + 1,
					   where, size);
		} else if (!strcmp(type, "asymmetric") && names_id(desc, ids)) {
			snprintf(where, size, "%s", name);
			rc = 1;
		}
	}
out:
	free(keys);
	return rc;
}

/**
 * ipectl_kernel_keyring_of() - which of the keyrings the built-in IPE
 *	trusts holds a signer's key or its issuer's.
 * @ids: the signer's key identifiers (ipectl_signer_key_ids()).
 * @where: filled in with the keyring's name (".machine", ".platform", ...).
 * @size: bytes at @where.
 *
 * Only identifiers are compared: the kernel verifies the signature when
 * the policy is loaded.  The keyrings are the running kernel's; another
 * kernel booted on this machine the same way (Secure Boot on or off)
 * loads the same Machine Owner Keys and UEFI db.
 *
 * Return: 1 (found), 0 (not in them), -ENOENT (this kernel has none of
 * these keyrings), or another -errno (/proc/keys or keyctl failed).
 */
int ipectl_kernel_keyring_of(const struct ipectl_key_ids *ids, char *where,
			     size_t size)
{
	static const char *const rings[] = {
		".secondary_trusted_keys", ".builtin_trusted_keys", ".platform",
	};
	bool any = false;
	size_t i;
	int rc;

	where[0] = '\0';
	for (i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		int32_t ring = keyring_serial(rings[i]);

		if (ring == -ENOENT)
			continue;
		if (ring < 0)
			return ring;
		any = true;
		rc = holds(ring, rings[i], ids, 1, where, size);
		if (rc)
			return rc;
	}
	return any ? 0 : -ENOENT;
}
