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

int cmd_keygen(const struct ipectl_cmd *cmd, int argc, char *argv[])
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
	struct ipectl_blob out[NR_FILES] = { { 0 } };
	static const unsigned int modes[NR_FILES] = { 0600, 0644, 0644 };
	const char *dir = ".", *cn = NULL;
	char cnbuf[128], err[512];
	bool ecdsa = false, force = false, encrypt = false;
	int c, days = 3650, rc, dfd, i, written = 0;
	int status = IPECTL_EXIT_SYSTEM;
	struct ipectl_pass pass;

	ipectl_pass_init(&pass, "the new key");
	while ((c = getopt_long(argc, argv, "d:n:t:ef", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': cn = optarg; break;
		case 't':
			days = atoi(optarg);
			if (days <= 0) {
				ipectl_error("--days takes a positive number");
				return IPECTL_EXIT_INPUT;
			}
			break;
		case 'e': ecdsa = true; break;
		case 'f': force = true; break;
		case 'E': encrypt = true; break;
		case 'P':
			if (ipectl_pass_set_fd(&pass, optarg)) {
				ipectl_error("--passphrase-fd %s: not an open file descriptor",
					     optarg);
				return IPECTL_EXIT_INPUT;
			}
			encrypt = true;
			break;
		case 'V': pass.env = optarg; encrypt = true; break;
		default: ipectl_usage(cmd, stderr); return IPECTL_EXIT_INPUT;
		}
	}
	if (optind != argc) {
		ipectl_usage(cmd, stderr);
		return IPECTL_EXIT_INPUT;
	}
	if (!cn) {
		default_cn(cnbuf, sizeof(cnbuf));
		cn = cnbuf;
	}
	dfd = open_private_dir(dir);
	if (dfd < 0)
		return IPECTL_EXIT_INPUT;
	if (any_exists(dfd, dir, force) && !force) {
		ipectl_error("%s already holds a signing key or certificate; --force replaces them",
			     dir);
		close(dfd);
		return IPECTL_EXIT_INPUT;
	}
	rc = ipectl_keygen(cn, ecdsa, days, encrypt ? &pass.src : NULL,
			   &out[F_KEY], &out[F_CRT], &out[F_DER], err,
			   sizeof(err));
	ipectl_pass_free(&pass);
	if (rc) {
		ipectl_error("%s", err);
		status = rc == -ENOKEY ? IPECTL_EXIT_INPUT : IPECTL_EXIT_SYSTEM;
		goto out;
	}
	for (i = 0; i < NR_FILES; i++, written++) {
		rc = ipectl_write_at(dfd, file_names[i], out[i].data,
				     out[i].len, modes[i], force);
		if (rc) {
			ipectl_error("cannot write %s/%s: %s%s", dir,
				     file_names[i], strerror(-rc),
				     rc == -EEXIST ? " (created by someone else meanwhile)" : "");
			status = rc == -EEXIST ? IPECTL_EXIT_INPUT :
						 IPECTL_EXIT_SYSTEM;
			/* leave no half set behind (what --force replaced is gone) */
			while (written--)
				unlinkat(dfd, file_names[written], 0);
			goto out;
		}
	}
	printf("Private key:  %s/%s (%s; keep it off the machines that enforce)\n"
	       "Certificate:  %s/%s (PEM), %s/%s (DER), CN=%s\n\n"
	       "Sign a policy:  ipectl sign -k %s/%s -c %s/%s POLICY\n\n"
	       "The machines that enforce need only the certificate.  Embed it in\n"
	       "ipe_lkm: copy %s to /etc/ipe-lkm/keys/ there and rebuild\n"
	       "(dkms autoinstall, or make -C module).  Do not enroll it as a Machine\n"
	       "Owner Key: that would also let it sign kernel modules.\n",
	       dir, file_names[F_KEY], encrypt ? "encrypted" : "not encrypted",
	       dir, file_names[F_CRT], dir, file_names[F_DER], cn,
	       dir, file_names[F_KEY], dir, file_names[F_CRT],
	       file_names[F_DER]);
	status = IPECTL_EXIT_OK;
out:
	for (i = 0; i < NR_FILES; i++)
		ipectl_blob_free(&out[i]);
	close(dfd);
	return status;
}
