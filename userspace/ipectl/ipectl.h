/* SPDX-License-Identifier: MIT */
/*
 * ipectl.h - the command table and what every command shares.
 */
#ifndef IPECTL_H
#define IPECTL_H

#include <stdbool.h>
#include <stddef.h>

#include "pkcs7.h"
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
int cmd_rescan(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_report(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int cmd_generate(const struct ipectl_cmd *cmd, int argc, char *argv[]);

int ipectl_check_buffer(const char *file, const unsigned char *data,
			size_t len, bool json, bool quiet);
int ipectl_write_file(const char *path, const unsigned char *data, size_t len,
		      bool force);

/* Longest passphrase taken. */
#define IPECTL_PASS_MAX 1024

/* A passphrase source (passphrase.c): --passphrase-fd, -env, or the tty. */
struct ipectl_pass {
	struct ipectl_passphrase src;	/* what pkcs7.c calls */
	const char *what;		/* the key, for the prompt */
	int fd;				/* -1: none */
	const char *env;		/* NULL: none */
	bool have;
	int len;
	char buf[IPECTL_PASS_MAX];
};

void ipectl_pass_init(struct ipectl_pass *p, const char *what);
int ipectl_pass_set_fd(struct ipectl_pass *p, const char *arg);
const char *ipectl_pass_explain(int err);
void ipectl_pass_free(struct ipectl_pass *p);
int ipectl_pass_option(struct ipectl_pass *p, int opt, const char *arg);
int ipectl_signer_ready(const char *key, const char *cert);

void ipectl_usage(const struct ipectl_cmd *cmd, FILE *f);
int ipectl_no_arguments(const struct ipectl_cmd *cmd, int argc, char *argv[]);
int ipectl_read_input(const char *file, unsigned char **data, size_t *len);
void ipectl_warn(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void ipectl_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif /* IPECTL_H */
