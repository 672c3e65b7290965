/* SPDX-License-Identifier: MIT */
/*
 * ipectl.h - the command table and what every command shares.
 */
#ifndef IPECTL_H
#define IPECTL_H

#include <stdbool.h>

#include "util.h"

struct ipectl_cmd {
	const char *name;
	int (*func)(const struct ipectl_cmd *cmd, int argc, char *argv[]);
	const char *short_desc;
	const char *usage;
};

int cmd_check(const struct ipectl_cmd *cmd, int argc, char *argv[]);

void ipectl_usage(const struct ipectl_cmd *cmd, FILE *f);
void ipectl_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif /* IPECTL_H */
