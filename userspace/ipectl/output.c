// SPDX-License-Identifier: MIT
/*
 * output.c - what every command prints the same way: its usage, errors
 * and warnings on stderr, and why a file it was given cannot be read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ipectl.h"

/**
 * ipectl_usage() - print a command's usage.
 * @cmd: the command.
 * @f: stdout for --help, stderr after a usage error.
 */
void ipectl_usage(const struct ipectl_cmd *cmd, FILE *f)
{
	fputs("Usage: ", f);
	fputs(cmd->usage, f);
}

/* A command that takes no arguments was given some: a usage error. */
int ipectl_no_arguments(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	ipectl_usage(cmd, stderr);
	return IPECTL_EXIT_INPUT;
}

static void report(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/**
 * ipectl_error() - print "ipectl: ERROR: ..." and a newline to stderr.
 * @fmt: printf format.
 */
void ipectl_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("ipectl: ERROR: ", fmt, ap);
	va_end(ap);
}

/**
 * ipectl_warn() - print "ipectl: warning: ..." and a newline to stderr.
 * @fmt: printf format.
 */
void ipectl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("ipectl: warning: ", fmt, ap);
	va_end(ap);
}

/**
 * ipectl_read_input() - read a file the user named (a policy, a signed
 *	policy), up to IPECTL_MAX_FILE, or say why not.
 * @file: its path.
 * @data: set to its bytes (free()), NUL-terminated.
 * @len: set to their number.
 *
 * A file that is missing, unreadable or too large is bad input; only the
 * machine failing (memory, I/O) is the system's.
 *
 * Return: IPECTL_EXIT_OK, IPECTL_EXIT_INPUT or IPECTL_EXIT_SYSTEM.
 */
int ipectl_read_input(const char *file, unsigned char **data, size_t *len)
{
	int rc = ipectl_read_file(file, IPECTL_MAX_FILE, data, len);

	if (!rc)
		return IPECTL_EXIT_OK;
	ipectl_error("%s: cannot read: %s", file,
		     rc == -EFBIG ? "larger than 64 MiB" : strerror(-rc));
	return rc == -ENOMEM || rc == -EIO ? IPECTL_EXIT_SYSTEM :
					     IPECTL_EXIT_INPUT;
}
