// SPDX-License-Identifier: MIT
/*
 * gen_report.c - read an `ipectl report --json` file (schema
 * "ipectl-report/1") for `ipectl generate --from-report`, with json-c:
 * the executables the evaluation saw denied, and what else it saw denied
 * that generate cannot make a rule for.  Nothing here prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <json-c/json.h>

#include "generate.h"
#include "ipectl.h"

#define REPORT_SCHEMA "ipectl-report/1"

/* Parsing state: the lists being built, where we are, the first error. */
struct rd {
	struct gen_report *r;
	size_t capf, capu;
	char where[96];		/* "nodes[1].accesses[3]" */
	char *err;
	size_t errlen;
};

static int bad(struct rd *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct rd *d, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(d->err, d->errlen, "%s%s%s", d->where, *d->where ? ": " : "",
		 msg);
	return -EINVAL;
}

/* @o's member @key: a string, or NULL when absent or null; -EINVAL else. */
static int opt_str(struct rd *d, json_object *o, const char *key,
		   const char **s)
{
	json_object *v;

	*s = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return bad(d, "\"%s\" is not a string or null", key);
	*s = json_object_get_string(v);
	return 0;
}

static int add_unhandled(struct rd *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int add_unhandled(struct rd *d, const char *fmt, ...)
{
	struct gen_report *r = d->r;
	va_list ap;
	char *s;
	int n;

	if (r->nunhandled == d->capu) {
		size_t cap = d->capu ? 2 * d->capu : 16;
		char **nv = realloc(r->unhandled, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		r->unhandled = nv;
		d->capu = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	r->unhandled[r->nunhandled++] = s;
	return 0;
}

static int add_file(struct rd *d, const char *path, const char *dev,
		    json_object *ino)
{
	struct gen_report *r = d->r;
	struct gen_report_file *f;

	if (ino && (!json_object_is_type(ino, json_type_int) ||
		    json_object_get_int64(ino) < 0))
		return bad(d, "\"ino\" is not a number or null");
	if (r->nfiles == d->capf) {
		size_t cap = d->capf ? 2 * d->capf : 64;
		struct gen_report_file *nv = realloc(r->files, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		r->files = nv;
		d->capf = cap;
	}
	f = &r->files[r->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	f->dev = dev ? strdup(dev) : NULL;
	if (!f->path || (dev && !f->dev)) {
		free(f->path);
		free(f->dev);
		return -ENOMEM;
	}
	f->has_ino = ino != NULL;
	f->ino = ino ? json_object_get_uint64(ino) : 0;
	r->nfiles++;
	return 0;
}

/* The first of an access's "comms", for the sentences; "" if none. */
static const char *first_comm(json_object *a)
{
	json_object *c, *v;

	if (!json_object_object_get_ex(a, "comms", &c) ||
	    !json_object_is_type(c, json_type_array) ||
	    !json_object_array_length(c))
		return "";
	v = json_object_array_get_idx(c, 0);
	return json_object_is_type(v, json_type_string) ?
		       json_object_get_string(v) : "";
}

/* One access of node @node (NULL: unnamed). */
static int access_one(struct rd *d, json_object *a, const char *node)
{
	const char *op, *decision, *path, *dev, *hook;
	json_object *ino = NULL;

	if (!json_object_is_type(a, json_type_object))
		return bad(d, "not an object");
	if (opt_str(d, a, "op", &op) || opt_str(d, a, "decision", &decision) ||
	    opt_str(d, a, "path", &path) || opt_str(d, a, "dev", &dev) ||
	    opt_str(d, a, "hook", &hook))
		return -EINVAL;
	if (!op || !decision)
		return bad(d, "no \"op\" or no \"decision\"");
	if (strcmp(decision, "denied") && strcmp(decision, "would-deny"))
		return 0;	/* allowed: nothing to add */
	json_object_object_get_ex(a, "ino", &ino);
	if (strcmp(op, "EXECUTE"))
		return add_unhandled(d, "op=%s %s (node %s, %s): not handled: generate writes op=EXECUTE rules only",
				     op, path ? path : "(no path)",
				     node ? node : "-", decision);
	if (!path)
		return add_unhandled(d, "op=EXECUTE hook=%s dev=%s (node %s, %s, comm %s): not handled: no path (anonymous memory, or a file the audit record does not name): nothing to trust by digest",
				     hook ? hook : "?", dev ? dev : "?",
				     node ? node : "-", decision,
				     first_comm(a));
	return add_file(d, path, dev, ino);
}

static int node_one(struct rd *d, json_object *n, size_t i)
{
	json_object *acc;
	const char *node;
	size_t j;
	int rc;

	snprintf(d->where, sizeof(d->where), "nodes[%zu]", i);
	if (!json_object_is_type(n, json_type_object))
		return bad(d, "not an object");
	if (opt_str(d, n, "node", &node))
		return -EINVAL;
	if (!json_object_object_get_ex(n, "accesses", &acc) ||
	    !json_object_is_type(acc, json_type_array))
		return bad(d, "no \"accesses\" array");
	for (j = 0; j < json_object_array_length(acc); j++) {
		snprintf(d->where, sizeof(d->where), "nodes[%zu].accesses[%zu]",
			 i, j);
		rc = access_one(d, json_object_array_get_idx(acc, j), node);
		if (rc)
			return rc;
	}
	return 0;
}

static int cmp_file(const void *a, const void *b)
{
	const struct gen_report_file *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	c = strcmp(x->dev ? x->dev : "", y->dev ? y->dev : "");
	if (c || x->has_ino != y->has_ino)
		return c ? c : x->has_ino - y->has_ino;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort both lists and drop what several nodes (or records) repeat. */
static void dedup(struct gen_report *r)
{
	size_t i, n = 0;

	if (r->nfiles)
		qsort(r->files, r->nfiles, sizeof(*r->files), cmp_file);
	for (i = 0; i < r->nfiles; i++) {
		if (n && !cmp_file(&r->files[n - 1], &r->files[i])) {
			free(r->files[i].path);
			free(r->files[i].dev);
		} else {
			r->files[n++] = r->files[i];
		}
	}
	r->nfiles = n;
	if (r->nunhandled)
		qsort(r->unhandled, r->nunhandled, sizeof(char *), cmp_str);
	for (i = n = 0; i < r->nunhandled; i++) {
		if (n && !strcmp(r->unhandled[n - 1], r->unhandled[i]))
			free(r->unhandled[i]);
		else
			r->unhandled[n++] = r->unhandled[i];
	}
	r->nunhandled = n;
}

/* The parsed document: its schema, then every node. */
static int walk_doc(struct rd *d, json_object *doc)
{
	json_object *schema, *nodes;
	size_t i;
	int rc;

	if (!json_object_is_type(doc, json_type_object))
		return bad(d, "not a JSON object: not an 'ipectl report --json' file");
	if (!json_object_object_get_ex(doc, "schema", &schema) ||
	    !json_object_is_type(schema, json_type_string))
		return bad(d, "no \"schema\": not an 'ipectl report --json' file");
	if (strcmp(json_object_get_string(schema), REPORT_SCHEMA))
		return bad(d, "schema \"%.64s\": this ipectl reads \"" REPORT_SCHEMA "\" only",
			   json_object_get_string(schema));
	if (!json_object_object_get_ex(doc, "nodes", &nodes) ||
	    !json_object_is_type(nodes, json_type_array))
		return bad(d, "no \"nodes\" array");
	for (i = 0; i < json_object_array_length(nodes); i++) {
		rc = node_one(d, json_object_array_get_idx(nodes, i), i);
		if (rc)
			return rc;
	}
	return 0;
}

/**
 * gen_report_read() - the denied accesses of a report.
 * @file: the report ("-" for standard input).
 * @r: filled in; gen_report_free() it, also after an error.
 * @err: why the file was refused (the place in it, and what is wrong).
 * @errlen: bytes at @err.
 *
 * Only accesses whose decision is "denied" or "would-deny" count.
 *
 * Return: 0; -EINVAL for a file that is not valid JSON or not of schema
 * "ipectl-report/1"; -ENOMEM; -errno when @file cannot be read.
 */
int gen_report_read(const char *file, struct gen_report *r, char *err,
		    size_t errlen)
{
	struct rd d = { .r = r, .err = err, .errlen = errlen };
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	json_object *doc;
	unsigned char *data;
	size_t len;
	int rc;

	memset(r, 0, sizeof(*r));
	err[0] = '\0';
	rc = ipectl_read_file(file, IPECTL_MAX_FILE, &data, &len);
	if (rc) {
		snprintf(err, errlen, "cannot read: %s", strerror(-rc));
		return rc;
	}
	tok = json_tokener_new();
	if (!tok) {
		free(data);
		return -ENOMEM;
	}
	doc = json_tokener_parse_ex(tok, (const char *)data, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!doc || jerr != json_tokener_success) {
		rc = bad(&d, "not valid JSON: %s (at byte %zu)",
			 jerr == json_tokener_continue ? "unexpected end of file" :
			 json_tokener_error_desc(jerr),
			 json_tokener_get_parse_end(tok));
	} else if (json_tokener_get_parse_end(tok) < len &&
		   strspn((const char *)data + json_tokener_get_parse_end(tok),
			  " \t\r\n") != len - json_tokener_get_parse_end(tok)) {
		rc = bad(&d, "not valid JSON: text after the object (at byte %zu)",
			 json_tokener_get_parse_end(tok));
	} else {
		rc = walk_doc(&d, doc);
	}
	json_object_put(doc);
	json_tokener_free(tok);
	free(data);
	if (!rc)
		dedup(r);
	else if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return rc;
}

/* The name the kernel gives @dev's filesystem in audit records, or "". */
static void dev_name(dev_t dev, char *name, size_t size)
{
	char link[64], target[512];
	ssize_t n;
	const char *base;

	name[0] = '\0';
	/* anonymous devices (tmpfs, overlay, btrfs): not named reliably */
	if (major(dev) == 0)
		return;
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(dev),
		 minor(dev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(name, size, "%s", base ? base + 1 : target);
}

/**
 * gen_report_open() - a reported file, on this machine.
 * @f: the report's file.
 * @st: its fstat() here.
 * @why: when it is refused, why (a sentence).
 * @whylen: bytes at @why.
 *
 * Refused: a path that does not exist here or is not a regular file, an
 * inode number other than the report's, a device named otherwise than the
 * report names it (compared when the device is a block device: the kernel
 * names a filesystem by its block device, e.g. "sda1" or "dm-0").
 *
 * Return: the file, open read-only, or -1.
 */
int gen_report_open(const struct gen_report_file *f, struct stat *st,
		    char *why, size_t whylen)
{
	char name[512];
	int fd;

	fd = open(f->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "%s on this machine",
			 errno == ENOENT ? "not present" : strerror(errno));
		return -1;
	}
	if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
		snprintf(why, whylen, "not a regular file on this machine");
		goto refuse;
	}
	if (f->has_ino && st->st_ino != f->ino) {
		snprintf(why, whylen, "another file on this machine: inode %llu here, %llu in the report",
			 (unsigned long long)st->st_ino, f->ino);
		goto refuse;
	}
	dev_name(st->st_dev, name, sizeof(name));
	if (f->dev && *name && strcmp(name, f->dev)) {
		snprintf(why, whylen, "another file on this machine: on device %.64s here, %.64s in the report",
			 name, f->dev);
		goto refuse;
	}
	return fd;
refuse:
	close(fd);
	return -1;
}

/**
 * gen_report_free() - free what gen_report_read() filled in.
 * @r: the report.
 */
void gen_report_free(struct gen_report *r)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++) {
		free(r->files[i].path);
		free(r->files[i].dev);
	}
	for (i = 0; i < r->nunhandled; i++)
		free(r->unhandled[i]);
	free(r->files);
	free(r->unhandled);
	memset(r, 0, sizeof(*r));
}
