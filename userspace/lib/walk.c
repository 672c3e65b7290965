// SPDX-License-Identifier: MIT
/*
 * walk.c - executable detection and a one-filesystem directory walk.
 *
 * The walk opens everything relative to its parent's descriptor with
 * O_NOFOLLOW, so a symbolic link or a rename during the walk never leads
 * it elsewhere; it does not enter directories on another filesystem (like
 * find -xdev) but reports them.  Regular files only are handed over, open;
 * devices, FIFOs, sockets and symbolic links are passed by.  Nothing here
 * prints.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "walk.h"

/**
 * ipectl_exec_kind() - what the kernel could execute or map from a file.
 * @fd: the file, open for reading.
 *
 * ELF by its header (e_ident, then e_type in the file's byte order), a
 * script by its first two bytes; the mode bits do not matter (a library
 * is mapped executable whatever they are).
 *
 * Return: an enum ipectl_exec_kind, or -errno if it cannot be read.
 */
int ipectl_exec_kind(int fd)
{
	unsigned char h[EI_NIDENT + 2];
	unsigned int type;
	ssize_t n;

	do
		n = pread(fd, h, sizeof(h), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n >= 2 && h[0] == '#' && h[1] == '!')
		return IPECTL_EXEC_SCRIPT;
	if (n < (ssize_t)sizeof(h) || memcmp(h, ELFMAG, SELFMAG))
		return IPECTL_EXEC_NONE;
	if ((h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64) ||
	    (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB))
		return IPECTL_EXEC_NONE;
	type = h[EI_DATA] == ELFDATA2LSB ?
		       h[EI_NIDENT] | (unsigned int)h[EI_NIDENT + 1] << 8 :
		       h[EI_NIDENT + 1] | (unsigned int)h[EI_NIDENT] << 8;
	return type == ET_EXEC || type == ET_DYN ? IPECTL_EXEC_ELF :
						   IPECTL_EXEC_ELF_OTHER;
}

struct walk {
	ipectl_walk_fn fn;
	void *ctx;
	dev_t dev;		/* the root's filesystem */
	char path[PATH_MAX];
};

static int report(struct walk *w, enum ipectl_walk_what what, int err)
{
	struct ipectl_walk_ent e = { .what = what, .path = w->path,
				     .fd = -1, .err = err };

	return w->fn(w->ctx, &e);
}

static int walk_dir(struct walk *w, int dfd, size_t len);

/* One entry of a directory: @w->path is its path, @len long. */
static int walk_entry(struct walk *w, int dfd, const char *name,
		      unsigned char type, size_t len)
{
	struct ipectl_walk_ent e = { .what = IPECTL_WALK_FILE, .path = w->path };
	struct stat st;
	int fd, rc;

	if (type == DT_UNKNOWN) {
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
			return report(w, IPECTL_WALK_ERROR, -errno);
		type = S_ISDIR(st.st_mode) ? DT_DIR :
		       S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
	}
	if (type != DT_DIR && type != DT_REG)
		return 0;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC | (type == DT_DIR ? O_DIRECTORY : 0));
	if (fd < 0)
		return errno == ELOOP ? 0 : report(w, IPECTL_WALK_ERROR, -errno);
	if (fstat(fd, &st)) {
		rc = report(w, IPECTL_WALK_ERROR, -errno);
	} else if (S_ISDIR(st.st_mode)) {
		if (st.st_dev != w->dev) {
			close(fd);
			return report(w, IPECTL_WALK_MOUNT, 0);
		}
		return walk_dir(w, fd, len);	/* closes fd */
	} else if (S_ISREG(st.st_mode)) {
		e.fd = fd;
		e.st = &st;
		rc = w->fn(w->ctx, &e);
	} else {
		rc = 0;		/* replaced meanwhile by something else */
	}
	close(fd);
	return rc;
}

/* The directory open at @dfd (closed here), whose path is @w->path. */
static int walk_dir(struct walk *w, int dfd, size_t len)
{
	struct dirent *de;
	DIR *d = fdopendir(dfd);
	int rc = 0;

	if (!d) {
		rc = -errno;
		close(dfd);
		return report(w, IPECTL_WALK_ERROR, rc);
	}
	for (;;) {
		size_t nl, sep;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				rc = report(w, IPECTL_WALK_ERROR, -errno);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		nl = strlen(de->d_name);
		sep = w->path[len - 1] != '/';
		if (len + sep + nl >= sizeof(w->path)) {
			rc = report(w, IPECTL_WALK_ERROR, -ENAMETOOLONG);
		} else {
			w->path[len] = '/';
			memcpy(w->path + len + sep, de->d_name, nl + 1);
			rc = walk_entry(w, dfd, de->d_name, de->d_type,
					len + sep + nl);
			w->path[len] = '\0';
		}
		if (rc)
			break;
	}
	closedir(d);
	return rc;
}

/**
 * ipectl_walk() - call @fn for each regular file under @root.
 * @root: a directory (walked) or a regular file (handed over); a symbolic
 *	link given here is followed, none below it.
 * @fn: called for each file, each error and each mount point passed by.
 * @ctx: for @fn.
 *
 * Return: 0; -errno when @root cannot be opened (@fn is not called); or
 * what @fn returned to stop.
 */
int ipectl_walk(const char *root, ipectl_walk_fn fn, void *ctx)
{
	struct walk *w;
	struct stat st;
	int fd, rc;

	if (strlen(root) >= PATH_MAX)
		return -ENAMETOOLONG;
	fd = open(root, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		close(fd);
		return -ENOMEM;
	}
	w->fn = fn;
	w->ctx = ctx;
	w->dev = st.st_dev;
	memcpy(w->path, root, strlen(root) + 1);
	if (S_ISDIR(st.st_mode)) {
		rc = walk_dir(w, fd, strlen(root));	/* closes fd */
	} else {
		struct ipectl_walk_ent e = { .what = IPECTL_WALK_FILE,
					     .path = w->path, .fd = fd,
					     .st = &st, .top = true };

		rc = fn(ctx, &e);
		close(fd);
	}
	free(w);
	return rc;
}
