/* SPDX-License-Identifier: MIT */
/*
 * ipectl.h - the command table and what every command shares.
 */
#ifndef IPECTL_H
#define IPECTL_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct ipectl_cmd {
	const char *name;
	int (*func)(const struct ipectl_cmd *cmd, int argc, char *argv[]);
	const char *short_desc;
	const char *usage;
};

int cmd_check(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_sign(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_verify(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_keygen(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_explain(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_deploy(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_activate(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_delete(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_list(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_show(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_status(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_enforce(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_success_audit(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_load(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_unload(const struct ipectl_cmd *cmd, int argc, char *argv[]);

int ipectl_check_buffer(const char *file, const unsigned char *data,
			size_t len, bool json, bool quiet);
int ipectl_write_file(const char *path, const unsigned char *data, size_t len,
		      bool force);

void ipectl_usage(const struct ipectl_cmd *cmd, FILE *f);
void ipectl_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif /* IPECTL_H */
