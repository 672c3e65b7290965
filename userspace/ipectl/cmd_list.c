// SPDX-License-Identifier: MIT
/*
 * cmd_list.c - `ipectl list`: the loaded policies, with the SHA-256 audit
 * records print for each.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "treecmd.h"

/* SHA-256 of the policy's pkcs7 file, as in audit records; "" if none. */
static void policy_digest(const struct ipectl_tree *t, const char *name,
			  char hex[65])
{
	unsigned char md[32];
	char rel[512], *buf;
	ssize_t n;
	int i;

	snprintf(rel, sizeof(rel), "policies/%s/pkcs7", name);
	n = ipectl_tree_read_all(t, rel, &buf);
	if (n < 0) {
		hex[0] = '\0';
		return;
	}
	EVP_Digest(buf, (size_t)n, md, NULL, EVP_sha256(), NULL);
	free(buf);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
}

int cmd_list(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct ipectl_tree_opts c = { 0 };
	struct ipectl_tree t;
	char **names, ver[32], act[8], rel[512], hex[65];
	size_t n, i;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 0, "tj");
	if (ipectl_open_tree(c.tree, &t))
		return IPECTL_EXIT_SYSTEM;
	if (ipectl_tree_policies(&t, &names, &n))
		return ipectl_kernel_error("list", -errno);
	if (c.json)
		fputs("[", stdout);
	else
		printf("%-24s %-17s %-6s %s\n", "NAME", "VERSION", "ACTIVE",
		       "SHA256(PKCS7)");
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "policies/%s/version", names[i]);
		if (ipectl_tree_read(&t, rel, ver, sizeof(ver)) < 0)
			strcpy(ver, "?");
		snprintf(rel, sizeof(rel), "policies/%s/active", names[i]);
		if (ipectl_tree_read(&t, rel, act, sizeof(act)) < 0)
			strcpy(act, "?");
		policy_digest(&t, names[i], hex);
		if (c.json) {
			printf("%s{\"name\":", i ? "," : "");
			ipectl_json_str(stdout, names[i], strlen(names[i]));
			printf(",\"version\":\"%s\",\"active\":%s,\"digest\":",
			       ver, act[0] == '1' ? "true" : "false");
			if (hex[0])
				printf("\"sha256:%s\"}", hex);
			else
				fputs("null}", stdout);
		} else {
			printf("%-24s %-17s %-6s %s\n", names[i], ver,
			       act[0] == '1' ? "yes" : "no",
			       hex[0] ? hex : "(boot policy, unsigned)");
		}
		free(names[i]);
	}
	if (c.json)
		fputs("]\n", stdout);
	free(names);
	return IPECTL_EXIT_OK;
}
