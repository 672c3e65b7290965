// SPDX-License-Identifier: GPL-2.0-only
/*
 * check-policy.c - the boot policy, checked at build time by the module's
 * own parser (module/engine/, built for the build machine), so that an
 * invalid policy fails the build rather than the module's load at boot.
 *
 *   check-policy FILE    exit 0 if the module would take FILE as its boot
 *                        policy; else print FILE:LINE: why, exit 1
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipe_engine.h"

/* Largest boot policy taken: far past any policy that makes sense. */
#define MAX_POLICY (16u << 20)

static const char *errno_name(int err)
{
	switch (err) {
	case EBADMSG: return "EBADMSG";
	case EINVAL: return "EINVAL";
	case ERANGE: return "ERANGE";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	default: return "error";
	}
}

int main(int argc, char *argv[])
{
	struct ipe_eng_policy *p = NULL;
	struct ipe_eng_error e = { 0 };
	size_t len = 0, n;
	char *text;
	FILE *f;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: check-policy FILE\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	text = malloc(MAX_POLICY + 1);
	if (!text) {
		fclose(f);
		fprintf(stderr, "check-policy: out of memory\n");
		return 1;
	}
	while ((n = fread(text + len, 1, MAX_POLICY + 1 - len, f)) > 0)
		len += n;
	rc = ferror(f);
	fclose(f);
	if (rc || len > MAX_POLICY) {
		fprintf(stderr, "%s: %s\n", argv[1],
			rc ? "read error" : "larger than 16 MiB");
		free(text);
		return 1;
	}
	/* the module takes the compiled-in text up to its first NUL */
	if (memchr(text, '\0', len)) {
		fprintf(stderr, "%s: holds a NUL byte: the module would see only the text before it\n",
			argv[1]);
		free(text);
		return 1;
	}
	rc = ipe_eng_parse(text, len, 0, NULL, NULL, &p, &e);
	if (rc) {
		fprintf(stderr, "%s:%u: not a valid boot policy: %s (%s)\n",
			argv[1], e.line, e.msg ? e.msg : "invalid",
			errno_name(-rc));
		free(text);
		return 1;
	}
	ipe_eng_policy_free(p);
	free(text);
	return 0;
}
