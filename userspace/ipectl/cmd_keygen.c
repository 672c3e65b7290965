// SPDX-License-Identifier: MIT
/*
 * cmd_keygen.c - `ipectl keygen`: a policy-signing key and certificate.
 *
 * The key is a secret: it is written only into a directory no one else can
 * write, through a file no one else can have opened first (ipectl_write_at():
 * O_EXCL|O_NOFOLLOW, mode 0600 from the start, renamed into place), and it
 * can be encrypted.  It belongs on a signing machine, not on the machines
 * that enforce: those need only the certificate.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ipectl.h"
#include "pkcs7.h"

enum { F_KEY, F_CRT, F_DER, NR_FILES };

static const char *const file_names[NR_FILES] = {
	"policy-signing.key", "policy-signing.crt", "policy-signing.der",
};

/*
 * The directory the key goes to: only its owner (the caller or root) may
 * write it, or whoever else can could read or swap the key.
 */
static int open_private_dir(const char *dir)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		ipectl_error("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		ipectl_error("%s: %s", dir, strerror(errno));
	} else if (st.st_uid != geteuid() && st.st_uid != 0) {
		ipectl_error("%s belongs to another user (uid %u), who could read or replace the key: use a directory of your own",
			     dir, (unsigned int)st.st_uid);
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		ipectl_error("%s can be written by its group or by others (mode %04o), who could read or replace the key: use a directory only you can write",
			     dir, (unsigned int)(st.st_mode & 07777));
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

/*
 * Which of the three files exist (a dangling symbolic link counts); warn
 * when --force is about to replace a key others could read.
 */
static bool any_exists(int dfd, const char *dir, bool force)
{
	struct stat st;
	bool found = false;
	int i;

	for (i = 0; i < NR_FILES; i++) {
		if (fstatat(dfd, file_names[i], &st, AT_SYMLINK_NOFOLLOW))
			continue;
		found = true;
		if (force && i == F_KEY && S_ISREG(st.st_mode) &&
		    (st.st_mode & 077))
			ipectl_warn("the key being replaced, %s/%s, could be read by others (mode %04o): treat it as known to them, and stop trusting its certificate",
				    dir, file_names[i],
				    (unsigned int)(st.st_mode & 07777));
	}
	return found;
}

static void default_cn(char *buf, size_t size)
{
	char host[256] = "";
	time_t now = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	gmtime_r(&now, &tm);
	snprintf(buf, size, "IPE policy signing %.64s %04d-%02d-%02d",
		 *host ? host : "key", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday);
}

/* What `ipectl keygen` was asked for. */
struct keygen_args {
	const char *dir;
	const char *cn;
	int days;
	bool ecdsa;
	bool force;
	bool encrypt;
	struct ipectl_pass pass;
};

/* Return: 0, or -(exit status) to return. */
static int parse_args(const struct ipectl_cmd *cmd, int argc, char *argv[],
		      struct keygen_args *a)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "cn", required_argument, NULL, 'n' },
		{ "days", required_argument, NULL, 't' },
		{ "ecdsa", no_argument, NULL, 'e' },
		{ "force", no_argument, NULL, 'f' },
		{ "encrypt", no_argument, NULL, 'E' },
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ "passphrase-env", required_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long days;
	int c;

	while ((c = getopt_long(argc, argv, "d:n:t:ef", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->dir = optarg; break;
		case 'n': a->cn = optarg; break;
		case 't':
			errno = 0;
			days = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || days <= 0 ||
			    days > 36500) {
				ipectl_error("--days '%s': not a number of days from 1 to 36500",
					     optarg);
				return -IPECTL_EXIT_INPUT;
			}
			a->days = (int)days;
			break;
		case 'e': a->ecdsa = true; break;
		case 'f': a->force = true; break;
		case 'E': a->encrypt = true; break;
		case 'P':
			if (ipectl_pass_set_fd(&a->pass, optarg)) {
				ipectl_error("--passphrase-fd %s: not an open file descriptor",
					     optarg);
				return -IPECTL_EXIT_INPUT;
			}
			a->encrypt = true;
			break;
		case 'V': a->pass.env = optarg; a->encrypt = true; break;
		default: ipectl_usage(cmd, stderr); return -IPECTL_EXIT_INPUT;
		}
	}
	if (optind != argc) {
		ipectl_usage(cmd, stderr);
		return -IPECTL_EXIT_INPUT;
	}
	return 0;
}

/*
 * Write the three files into @dfd, all or none (what --force replaced is
 * gone either way).  Return: the exit status.
 */
static int write_set(int dfd, const struct keygen_args *a,
		     const struct ipectl_blob out[NR_FILES])
{
	static const unsigned int modes[NR_FILES] = { 0600, 0644, 0644 };
	int i, rc;

	for (i = 0; i < NR_FILES; i++) {
		rc = ipectl_write_at(dfd, file_names[i], out[i].data,
				     out[i].len, modes[i], a->force);
		if (!rc)
			continue;
		ipectl_error("cannot write %s/%s: %s%s", a->dir, file_names[i],
			     strerror(-rc),
			     rc == -EEXIST ? " (created by someone else meanwhile)" : "");
		while (i--)
			unlinkat(dfd, file_names[i], 0);
		return ipectl_exit_status(rc);
	}
	return IPECTL_EXIT_OK;
}

static void print_done(const struct keygen_args *a)
{
	const char *d = a->dir;

	printf("Private key:  %s/%s (%s; keep it off the machines that enforce)\n"
	       "Certificate:  %s/%s (PEM), %s/%s (DER), CN=%s\n\n"
	       "Sign a policy:  ipectl sign -k %s/%s -c %s/%s POLICY\n\n"
	       "The machines that enforce need only the certificate.  Embed it in\n"
	       "ipe_lkm: copy %s to /etc/ipe-lkm/keys/ there and rebuild\n"
	       "(dkms autoinstall, or make -C module).  Do not enroll it as a Machine\n"
	       "Owner Key: that would also let it sign kernel modules.\n",
	       d, file_names[F_KEY], a->encrypt ? "encrypted" : "not encrypted",
	       d, file_names[F_CRT], d, file_names[F_DER], a->cn,
	       d, file_names[F_KEY], d, file_names[F_CRT], file_names[F_DER]);
}

int cmd_keygen(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct keygen_args a = { .dir = ".", .days = 3650 };
	struct ipectl_blob out[NR_FILES] = { { 0 } };
	char cnbuf[128], err[512];
	int rc, dfd, i, status;

	ipectl_pass_init(&a.pass, "the new key");
	rc = parse_args(cmd, argc, argv, &a);
	if (rc)
		return -rc;
	if (!a.cn) {
		default_cn(cnbuf, sizeof(cnbuf));
		a.cn = cnbuf;
	}
	dfd = open_private_dir(a.dir);
	if (dfd < 0)
		return IPECTL_EXIT_INPUT;
	if (any_exists(dfd, a.dir, a.force) && !a.force) {
		ipectl_error("%s already holds a signing key or certificate; --force replaces them",
			     a.dir);
		close(dfd);
		return IPECTL_EXIT_INPUT;
	}
	rc = ipectl_keygen(a.cn, a.ecdsa, a.days, a.encrypt ? &a.pass.src : NULL,
			   &out[F_KEY], &out[F_CRT], &out[F_DER], err,
			   sizeof(err));
	ipectl_pass_free(&a.pass);
	if (rc) {
		ipectl_error("%s", err);
		/* no passphrase to be had is the caller's (1), as before */
		status = rc == -ENOKEY ? IPECTL_EXIT_INPUT :
					 ipectl_exit_status(-rc);
	} else {
		status = write_set(dfd, &a, out);
	}
	if (!status)
		print_done(&a);
	for (i = 0; i < NR_FILES; i++)
		ipectl_blob_free(&out[i]);
	close(dfd);
	return status;
}
