// SPDX-License-Identifier: MIT
/*
 * tree.c - the IPE securityfs tree: find it, read and write its files.
 *
 * The same interface whether the enforcer is ipe_lkm (tree "ipe_lkm", or
 * "ipe" on kernels without a built-in IPE) or the kernel's own IPE ("ipe").
 * Nothing here prints.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree.h"
#include "util.h"

#define SECFS "/sys/kernel/security"

/* @t's path joined with @rel; false if it does not fit */
static bool join(const struct ipectl_tree *t, const char *rel, char *p,
		 size_t size)
{
	int n = snprintf(p, size, "%s/%s", t->path, rel);

	return n >= 0 && (size_t)n < size;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/*
 * Is the kernel's own IPE active?  A kernel may build IPE and leave it out
 * of lsm= (then /sys/module/ipe exists, its tree does not, and ipe_lkm
 * takes the name): the list of active LSMs says.
 */
static bool builtin_active(void)
{
	char list[512], *tok, *save = NULL;
	FILE *f = fopen(SECFS "/lsm", "re");
	size_t n;

	if (!f)
		return false;
	n = fread(list, 1, sizeof(list) - 1, f);
	fclose(f);
	list[n] = '\0';
	for (tok = strtok_r(list, ",\n", &save); tok;
	     tok = strtok_r(NULL, ",\n", &save)) {
		if (!strcmp(tok, "ipe"))
			return true;
	}
	return false;
}

/**
 * ipectl_tree_find() - locate the tree to work on.
 * @forced: a path from --tree, or NULL.
 * @t: filled in.
 *
 * Without @forced: ipe_lkm's tree when the module is loaded (it is at
 * SECFS/ipe_lkm, or at SECFS/ipe on kernels whose own IPE is not active),
 * else the built-in IPE's SECFS/ipe.
 *
 * Return: 0; -ENOENT when there is no tree (no enforcer), -ENODEV when
 * securityfs is not mounted.
 */
int ipectl_tree_find(const char *forced, struct ipectl_tree *t)
{
	bool module = is_dir("/sys/module/ipe_lkm");

	memset(t, 0, sizeof(*t));
	if (forced && !*forced)
		forced = NULL;
	if (forced) {
		const char *base = strrchr(forced, '/');

		snprintf(t->path, sizeof(t->path), "%s", forced);
		if (!is_dir(t->path))
			return -ENOENT;
		base = base ? base + 1 : forced;
		t->module = module && (strcmp(base, "ipe") ||
				       !builtin_active());
		return 0;
	}
	if (!is_dir(SECFS) || access(SECFS "/lsm", F_OK))
		return -ENODEV;
	if (module && is_dir(SECFS "/ipe_lkm")) {
		snprintf(t->path, sizeof(t->path), SECFS "/ipe_lkm");
		t->module = true;
		return 0;
	}
	if (is_dir(SECFS "/ipe")) {
		snprintf(t->path, sizeof(t->path), SECFS "/ipe");
		/* the module takes "ipe" only where IPE is not active */
		t->module = module && !builtin_active();
		return 0;
	}
	return -ENOENT;
}

/**
 * ipectl_tree_read() - read a small file of the tree.
 * @t: the tree.
 * @rel: path inside it.
 * @buf: where to put the bytes, NUL-terminated.
 * @size: bytes at @buf.
 *
 * Return: bytes read, or -errno (-ENOENT for a missing policy).
 */
ssize_t ipectl_tree_read(const struct ipectl_tree *t, const char *rel,
			 char *buf, size_t size)
{
	char p[PATH_MAX];
	ssize_t n, got = 0;
	int fd;

	if (!join(t, rel, p, sizeof(p)))
		return -ENAMETOOLONG;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)got < size - 1) {
		n = read(fd, buf + got, size - 1 - (size_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			got = -errno;
			break;
		}
		if (!n)
			break;
		got += n;
	}
	close(fd);
	if (got >= 0)
		buf[got] = '\0';
	return got;
}

/**
 * ipectl_tree_write() - write bytes to a file of the tree in one write().
 * @t: the tree.
 * @rel: path inside it.
 * @data: the bytes (a policy is taken from one write() call).
 * @len: number of bytes.
 *
 * Return: 0 or the kernel's -errno.
 */
int ipectl_tree_write(const struct ipectl_tree *t, const char *rel,
		      const void *data, size_t len)
{
	char p[PATH_MAX];
	ssize_t n;
	int fd, rc = 0;

	if (!join(t, rel, p, sizeof(p)))
		return -ENAMETOOLONG;
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EIO;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

/**
 * ipectl_tree_policies() - the names of the loaded policies.
 * @t: the tree.
 * @names: a malloc'ed array of malloc'ed names, sorted.
 * @n: their number.
 *
 * Return: 0 or -errno.
 */
int ipectl_tree_policies(const struct ipectl_tree *t, char ***names, size_t *n)
{
	char p[PATH_MAX];
	struct dirent **ents;
	int i, k;

	if (!join(t, "policies", p, sizeof(p)))
		return -ENAMETOOLONG;
	k = scandir(p, &ents, NULL, alphasort);
	if (k < 0)
		return -errno;
	*names = calloc((size_t)k + 1, sizeof(char *));
	*n = 0;
	for (i = 0; i < k; i++) {
		if (*names && ents[i]->d_name[0] != '.')
			(*names)[(*n)++] = strdup(ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return *names ? 0 : -ENOMEM;
}

/**
 * ipectl_tree_active() - the name of the active policy.
 * @t: the tree.
 * @name: where to put it.
 * @size: bytes at @name.
 *
 * Return: 1 with a name, 0 when no policy is active, -errno.
 */
int ipectl_tree_active(const struct ipectl_tree *t, char *name, size_t size)
{
	char **names, rel[PATH_MAX], buf[8];
	size_t n, i;
	int rc, found = 0;

	rc = ipectl_tree_policies(t, &names, &n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "policies/%s/active", names[i]);
		if (!found && ipectl_tree_read(t, rel, buf, sizeof(buf)) > 0 &&
		    buf[0] == '1') {
			snprintf(name, size, "%s", names[i]);
			found = 1;
		}
		free(names[i]);
	}
	free(names);
	return found;
}

/*
 * A whole file of the tree, however large (a policy with an appended
 * signature can have megabytes): a malloc'ed, NUL-terminated buffer.
 */
ssize_t ipectl_tree_read_all(const struct ipectl_tree *t, const char *rel,
			     char **buf)
{
	unsigned char *data;
	char p[4096];
	size_t len;
	int rc;

	if (snprintf(p, sizeof(p), "%s/%s", t->path, rel) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	/* no bound of our own: the kernel bounds what it holds */
	rc = ipectl_read_file(p, SIZE_MAX / 2, &data, &len);
	if (rc)
		return rc;
	*buf = (char *)data;
	return (ssize_t)len;
}
