// SPDX-License-Identifier: MIT
/*
 * util.c - file reading, errno names and string escaping for ipectl.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Write all of @data to @fd. */
static int write_all(int fd, const unsigned char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Rename @from to @to in @dirfd, failing with -EEXIST if @to exists. */
static int rename_noreplace(int dirfd, const char *from, const char *to)
{
	if (!renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* a filesystem without RENAME_NOREPLACE: link() never replaces */
	if (linkat(dirfd, from, dirfd, to, 0))
		return -errno;
	unlinkat(dirfd, from, 0);
	return 0;
}

/**
 * ipectl_write_at() - write a whole file into a directory, all or nothing.
 * @dirfd: the directory.
 * @name: the file's name in it.
 * @data: bytes.
 * @len: number of bytes.
 * @mode: the file's mode, whatever the umask.
 * @replace: replace an existing entry of that name.
 *
 * The bytes go to a new temporary file, created with O_EXCL|O_NOFOLLOW so
 * that no file or symbolic link someone else put there is ever opened,
 * with @mode from the start; it is synced, then renamed to @name.  A
 * symbolic link at @name is replaced, never followed.  Without @replace
 * the rename itself refuses an existing @name, so a file created meanwhile
 * is not overwritten either.
 *
 * Return: 0, -EEXIST (@name exists and !@replace), or -errno.
 */
int ipectl_write_at(int dirfd, const char *name, const void *data,
		    size_t len, unsigned int mode, bool replace)
{
	unsigned char rnd[6];
	char tmp[300];
	int fd = -1, rc, tries;

	if (strlen(name) > 200 || strchr(name, '/'))
		return -EINVAL;
	for (tries = 0; tries < 100; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -EIO;
		snprintf(tmp, sizeof(tmp), ".%s.%02x%02x%02x%02x%02x%02x", name,
			 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
		fd = openat(dirfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    mode & 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		return -errno;
	rc = write_all(fd, data, len);
	if (!rc && (fchmod(fd, mode) || fsync(fd)))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc)
		rc = replace ? (renameat(dirfd, tmp, dirfd, name) ? -errno : 0) :
			       rename_noreplace(dirfd, tmp, name);
	if (rc)
		unlinkat(dirfd, tmp, 0);
	else
		fsync(dirfd);
	return rc;
}

/**
 * ipectl_read_file() - read a whole file ("-" is standard input).
 * @path: the file.
 * @max: refuse files longer than this.
 * @data: a malloc'ed copy of the bytes, plus a NUL not counted in @len.
 * @len: number of bytes read.
 *
 * Return: 0, -errno from open/read, -EFBIG past @max, -ENOMEM.
 */
int ipectl_read_file(const char *path, size_t max, unsigned char **data,
		     size_t *len)
{
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	unsigned char *buf;
	int rc = 0;

	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			unsigned char *nb;

			if (cap > max) {
				rc = -EFBIG;
				break;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (!rc && n > max)
		rc = -EFBIG;
	if (rc) {
		free(buf);
		goto out_close;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
out_close:
	if (!is_stdin)
		close(fd);
	return rc;
}

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
	{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
	{ EEXIST, "EEXIST" }, { EINVAL, "EINVAL" }, { EFBIG, "EFBIG" },
	{ ERANGE, "ERANGE" }, { ENAMETOOLONG, "ENAMETOOLONG" },
	{ EBADMSG, "EBADMSG" }, { EMSGSIZE, "EMSGSIZE" },
	{ ENOKEY, "ENOKEY" }, { EKEYREJECTED, "EKEYREJECTED" },
	{ ENOPKG, "ENOPKG" }, { ESTALE, "ESTALE" }, { EBUSY, "EBUSY" },
	{ ENODATA, "ENODATA" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ ENOTTY, "ENOTTY" }, { EISDIR, "EISDIR" }, { ENODEV, "ENODEV" },
	{ EAGAIN, "EWOULDBLOCK" }, { ENXIO, "ENXIO" }, { ENOSPC, "ENOSPC" },
	{ ETXTBSY, "ETXTBSY" }, { EROFS, "EROFS" }, { EDQUOT, "EDQUOT" },
	{ EOVERFLOW, "EOVERFLOW" }, { ELOOP, "ELOOP" },
};

/**
 * ipectl_errno_name() - "EBADMSG" for EBADMSG or -EBADMSG.
 * @err: an errno value, either sign.
 *
 * Return: a static name, "E?" for one not in the table.
 */
const char *ipectl_errno_name(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++) {
		if (errno_names[i].err == err)
			return errno_names[i].name;
	}
	return "E?";
}

/**
 * ipectl_exit_status() - the exit status for an operation that ended in @err.
 * @err: 0 or an errno value, either sign, whoever found it: the kernel's
 *	refusal and the same refusal predicted by ipectl give one status.
 *
 * 1 when what was asked is wrong and changing the request or its input
 * fixes it: an invalid policy or signature, a policy that already exists,
 * a rollback, a size limit.  2 when the system refused or failed:
 * permissions, a signer this machine does not trust (ENOKEY,
 * EKEYREJECTED: its configuration refused), a busy or missing device or
 * file, memory, I/O.  (A caller
 * that knows ENOENT means "no policy of the name you gave" says so and
 * returns IPECTL_EXIT_INPUT itself.)
 *
 * Return: IPECTL_EXIT_OK, IPECTL_EXIT_INPUT or IPECTL_EXIT_SYSTEM.
 */
int ipectl_exit_status(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return IPECTL_EXIT_OK;
	case EINVAL: case EBADMSG: case EEXIST: case ESTALE:
	case EMSGSIZE: case E2BIG: case ENAMETOOLONG: case ERANGE:
	case ENOTDIR: case EISDIR: case ELOOP: case EILSEQ: case ENOEXEC:
	case ENOPKG:
		return IPECTL_EXIT_INPUT;
	default:
		return IPECTL_EXIT_SYSTEM;
	}
}

/**
 * ipectl_json_str() - write @n bytes as a JSON string, quotes included.
 * @f: the stream.
 * @s: the bytes (any; bytes >= 0x80 are passed through as they are valid
 *	UTF-8 only by chance, so they are escaped as \u00XX).
 * @n: number of bytes.
 */
void ipectl_json_str(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/**
 * ipectl_print_escaped() - write bytes for a terminal: C escapes for
 * anything not printable ASCII, so a policy cannot drive the terminal.
 * @f: the stream.
 * @s: the bytes.
 * @n: number of bytes.
 */
void ipectl_print_escaped(FILE *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\')
			fputs("\\\\", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

/* The first line of a small file, or "" if it cannot be read. */
/**
 * ipectl_read_line() - the first line of a small file, without its newline.
 * @path: the file.
 * @buf: filled in; "" when the file cannot be read.
 * @size: bytes at @buf.
 */
void ipectl_read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}
