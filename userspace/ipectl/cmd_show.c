// SPDX-License-Identifier: MIT
/*
 * cmd_show.c - `ipectl show`: a loaded policy's text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "treecmd.h"

int cmd_show(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct ipectl_tree_opts c = { 0 };
	struct ipectl_tree t;
	char rel[512], ver[32], act[8], *text;
	ssize_t n;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 1, "tj");
	if (ipectl_open_tree(c.tree, &t))
		return IPECTL_EXIT_SYSTEM;
	snprintf(rel, sizeof(rel), "policies/%s/policy", argv[0]);
	n = ipectl_tree_read_all(&t, rel, &text);
	if (n == -ENOENT) {
		ipectl_error("no policy '%s' is loaded", argv[0]);
		return IPECTL_EXIT_INPUT;
	}
	if (n < 0)
		return ipectl_kernel_error("show", (int)n);
	if (!c.json) {
		fwrite(text, 1, (size_t)n, stdout);
		free(text);
		return IPECTL_EXIT_OK;
	}
	snprintf(rel, sizeof(rel), "policies/%s/version", argv[0]);
	if (ipectl_tree_read(&t, rel, ver, sizeof(ver)) < 0)
		strcpy(ver, "?");
	snprintf(rel, sizeof(rel), "policies/%s/active", argv[0]);
	if (ipectl_tree_read(&t, rel, act, sizeof(act)) < 0)
		strcpy(act, "0");
	fputs("{\"name\":", stdout);
	ipectl_json_str(stdout, argv[0], strlen(argv[0]));
	printf(",\"version\":\"%s\",\"active\":%s,\"policy\":", ver,
	       act[0] == '1' ? "true" : "false");
	ipectl_json_str(stdout, text, (size_t)n);
	fputs("}\n", stdout);
	free(text);
	return IPECTL_EXIT_OK;
}
