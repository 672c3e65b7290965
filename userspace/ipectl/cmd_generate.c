// SPDX-License-Identifier: MIT
/*
 * cmd_generate.c - `ipectl generate`: a policy trusting what this machine
 * (a reference, golden image) has: the fs-verity digests of its
 * executables, its dm-verity volumes, the initramfs.
 *
 * Every executable looked at ends as a rule or in the listing of files
 * without one (in the policy as comments, and on stderr): nothing is
 * skipped silently.  The output depends on the inputs only: rules are
 * sorted, no date, no host name.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm.h"
#include "fsverity.h"
#include "generate.h"
#include "ipe_engine.h"
#include "ipectl.h"
#include "walk.h"

static void add_miss(struct gen *g, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_miss(struct gen *g, const char *what, const char *fmt, ...)
{
	struct gen_miss *m;
	va_list ap;
	int n;

	if (!gen_grow((void **)&g->miss, &g->capmiss, g->nmiss, sizeof(*m))) {
		g->oom = true;
		return;
	}
	m = &g->miss[g->nmiss];
	m->what = strdup(what);
	va_start(ap, fmt);
	n = vasprintf(&m->why, fmt, ap);
	va_end(ap);
	if (!m->what || n < 0) {
		free(m->what);
		g->oom = true;
		return;
	}
	g->nmiss++;
}

static void add_file(struct gen *g, const char *path,
		     const struct ipectl_fsv_digest *d)
{
	struct gen_file *f;

	if (!gen_grow((void **)&g->files, &g->capfiles, g->nfiles, sizeof(*f))) {
		g->oom = true;
		return;
	}
	f = &g->files[g->nfiles];
	f->path = strdup(path);
	if (!f->path) {
		g->oom = true;
		return;
	}
	f->d = *d;
	g->nfiles++;
}

/* @path for a shell command line, quoted if needed (malloc'ed), or NULL. */
static char *shell_quote(const char *path)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz"
				    "0123456789/._-+,:@%=";
	size_t n = 3, i;
	char *q, *p;

	if (*path && !path[strspn(path, plain)])
		return strdup(path);

	for (i = 0; path[i]; i++)
		n += path[i] == '\'' ? 4 : 1;
	q = malloc(n);
	if (!q)
		return NULL;
	p = q;
	*p++ = '\'';
	for (i = 0; path[i]; i++) {
		if (path[i] == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = path[i];
		}
	}
	*p++ = '\'';
	*p = '\0';
	return q;
}

/*
 * fs-verity cannot be on for files of @path's filesystem (@err: EOPNOTSUPP,
 * ENOTTY; EROFS with --enable): a NOTE says why once per filesystem, and
 * the file's own line refers to it.  @what is one of two constants.
 */
static void miss_unsupported(struct gen *g, const char *path, dev_t dev,
			     int err, const char *what)
{
	struct gen_hint *h;
	size_t i;

	for (i = 0; i < g->nhints; i++) {
		h = &g->hints[i];
		if (h->dev != dev || h->err != err || h->what != what)
			continue;
		if (strcmp(path, h->path) < 0) {
			free(h->path);
			h->path = strdup(path);
			g->oom |= !h->path;
		}
		break;
	}
	if (i == g->nhints) {
		if (!gen_grow((void **)&g->hints, &g->caphints, g->nhints,
			  sizeof(*h)) ||
		    !(g->hints[i].path = strdup(path))) {
			g->oom = true;
			return;
		}
		g->hints[i].dev = dev;
		g->hints[i].err = err;
		g->hints[i].what = what;
		g->nhints++;
	}
	add_miss(g, path, "%s (%s): see the NOTE about its filesystem", what,
		 ipectl_errno_name(err));
}

/* A file whose fs-verity is off, without --enable. */
static void miss_off(struct gen *g, const char *path)
{
	char *q = shell_quote(path);

	if (!q) {
		g->oom = true;
		return;
	}
	add_miss(g, path, "fs-verity is off; to trust it, run: fsverity enable %s (or generate again with --enable)",
		 q);
	free(q);
}

/*
 * The digest of an executable open at @fd, turning fs-verity on first
 * with --enable: a file with a rule, or one in the listing.
 */
static void measure(struct gen *g, const char *path, int fd, dev_t dev)
{
	struct ipectl_fsv_digest d;
	int rc, erc;

	rc = ipectl_fsv_measure(fd, &d);
	if (rc && g->enable &&
	    (rc == -ENODATA || rc == -EOPNOTSUPP || rc == -ENOTTY)) {
		erc = ipectl_fsv_enable(fd);
		if (erc == -EOPNOTSUPP || erc == -ENOTTY || erc == -EROFS) {
			miss_unsupported(g, path, dev, erc,
					 "fs-verity cannot be turned on on this filesystem");
			return;
		}
		if (erc) {
			add_miss(g, path, "fs-verity could not be turned on: %s (%s)",
				 ipectl_fsv_explain(erc),
				 ipectl_errno_name(erc));
			return;
		}
		rc = ipectl_fsv_measure(fd, &d);
	}
	if (rc == -ENODATA)
		miss_off(g, path);
	else if (rc == -EOPNOTSUPP || rc == -ENOTTY)
		miss_unsupported(g, path, dev, rc,
				 "no fs-verity on this filesystem");
	else if (rc)
		add_miss(g, path, "its fs-verity digest cannot be measured: %s (%s)",
			 ipectl_fsv_explain(rc), ipectl_errno_name(rc));
	else
		add_file(g, path, &d);
}

/*
 * A regular file open at @fd: measured when it is an executable or a
 * shared object (or a script with --scripts, or when @named: from a
 * report, where it was seen executed, or given itself as --fsverity
 * FILE); a @named file of any other kind is listed.
 */
static void take_file(struct gen *g, const char *path, int fd, dev_t dev,
		      bool named)
{
	int kind = ipectl_exec_kind(fd);

	if (kind < 0) {
		add_miss(g, path, "cannot be read: %s", strerror(-kind));
		return;
	}
	if (kind == IPECTL_EXEC_ELF ||
	    (kind == IPECTL_EXEC_SCRIPT && (g->scripts || named))) {
		measure(g, path, fd, dev);
		return;
	}
	if (named)
		add_miss(g, path, "%s",
			 kind == IPECTL_EXEC_ELF_OTHER ?
			 "an ELF file that is neither an executable nor a shared object" :
			 "neither an ELF executable or shared object nor a script");
}

static int on_walk(void *ctx, const struct ipectl_walk_ent *e)
{
	struct gen *g = ctx;
	char note[4300];

	switch (e->what) {
	case IPECTL_WALK_FILE:
		take_file(g, e->path, e->fd, e->st->st_dev, e->top);
		break;
	case IPECTL_WALK_ERROR:
		add_miss(g, e->path, "cannot be read: %s (%s)",
			 strerror(-e->err), ipectl_errno_name(e->err));
		break;
	case IPECTL_WALK_MOUNT:
		snprintf(note, sizeof(note),
			 "%s: another filesystem, not entered (give it with --fsverity to include it)",
			 e->path);
		gen_add_note(g, note);
		break;
	}
	return g->oom ? -ENOMEM : 0;
}

/* Each --from-report file on this machine; what the report saw but
 * generate cannot trust, listed. */
static int from_report(struct gen *g, const char *file)
{
	struct gen_report r;
	struct stat st;
	char err[512], why[512];
	size_t i;
	int rc, fd;

	rc = gen_report_read(file, &r, err, sizeof(err));
	if (rc) {
		ipectl_error("%s: %s", file, err);
		gen_report_free(&r);
		return rc == -ENOMEM ? IPECTL_EXIT_SYSTEM : IPECTL_EXIT_INPUT;
	}
	for (i = 0; i < r.nfiles && !g->oom; i++) {
		fd = gen_report_open(&r.files[i], &st, why, sizeof(why));
		if (fd < 0) {
			add_miss(g, r.files[i].path, "%s", why);
			continue;
		}
		take_file(g, r.files[i].path, fd, st.st_dev, true);
		close(fd);
	}
	for (i = 0; i < r.nunhandled; i++)
		add_miss(g, r.unhandled[i], "%s", "");
	gen_report_free(&r);
	return g->oom ? IPECTL_EXIT_SYSTEM : 0;
}

static int cmp_dmv(const void *a, const void *b)
{
	return strcmp(((const struct ipectl_dmv_dev *)a)->name,
		      ((const struct ipectl_dmv_dev *)b)->name);
}

/* --dmverity: the active devices, sorted by name; the untrusted listed. */
static int dmverity(struct gen *g)
{
	static const char *const why[] = {
		[IPECTL_DMV_UNCHECKED] = "its verity table lets reads through unchecked (ignore_corruption, ignore_zero_blocks or check_at_most_once): IPE gives it no root hash",
		[IPECTL_DMV_MULTI] = "its table has other targets beside the verity one: IPE gives it no root hash",
		[IPECTL_DMV_UNREADABLE] = "its verity table line could not be read",
	};
	char what[200];
	size_t i;
	int rc;

	rc = ipectl_dm_verity_devices(&g->dmv, &g->ndmv);
	if (rc) {
		ipectl_error("--dmverity: cannot read the device-mapper tables: %s%s",
			     strerror(-rc), rc == -EACCES || rc == -EPERM ?
			     " (it needs root)" : "");
		return ipectl_exit_status(rc);
	}
	if (g->ndmv)
		qsort(g->dmv, g->ndmv, sizeof(*g->dmv), cmp_dmv);
	for (i = 0; i < g->ndmv; i++) {
		if (g->dmv[i].kind == IPECTL_DMV_TRUSTED)
			continue;
		snprintf(what, sizeof(what), "dm-verity device %s", g->dmv[i].name);
		add_miss(g, what, "%s", why[g->dmv[i].kind]);
	}
	if (!g->ndmv)
		add_miss(g, "--dmverity",
			 "no active dm-verity device on this machine (none is open, or device-mapper is not loaded): no dmverity_roothash rule");
	return g->oom ? IPECTL_EXIT_SYSTEM : 0;
}

/* A policy_version: three numbers 0..65535, as the kernel takes it. */
static bool valid_version(const char *s)
{
	unsigned long part;
	int i;
	char *end;

	for (i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return false;
		errno = 0;
		part = strtoul(s, &end, 10);
		if (errno || part > 65535 || end - s > 5)
			return false;
		s = end;
		if (i < 2 && *s++ != '.')
			return false;
	}
	return *s == '\0';
}

/* A policy_name the parser reads back and securityfs can hold. */
static bool valid_name(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		if ((unsigned char)s[i] <= ' ' || s[i] == '#' ||
		    (unsigned char)s[i] >= 0x7f)
			return false;
	}
	return ipe_eng_check_name(s) == 0;
}

/* Each --fsverity path; 0, or the exit status of an unusable one. */
static int walk_all(struct gen *g, const struct gen_opts *o)
{
	size_t i;
	int rc;

	for (i = 0; i < o->nfsv; i++) {
		rc = ipectl_walk(o->fsv[i], on_walk, g);
		if (rc == -ENOMEM || g->oom) {
			ipectl_error("out of memory");
			return IPECTL_EXIT_SYSTEM;
		}
		if (rc) {
			ipectl_error("--fsverity %s: %s", o->fsv[i],
				     rc == -EINVAL ?
				     "neither a directory nor a regular file" :
				     strerror(-rc));
			return IPECTL_EXIT_INPUT;
		}
	}
	return 0;
}

/* Parse our own output as the kernel will: a bug here must not ship. */
static int self_check(const char *text, size_t len)
{
	struct ipe_eng_policy *p = NULL;
	struct ipe_eng_error e;
	int rc;

	rc = ipe_eng_parse(text, len, 0, NULL, NULL, &p, &e);
	ipe_eng_policy_free(p);
	if (rc)
		ipectl_error("the generated policy does not parse: line %u: %s (%s); nothing written",
			     e.line, e.msg, ipectl_errno_name(e.err));
	return rc;
}

static void gen_free(struct gen *g)
{
	size_t i;

	for (i = 0; i < g->nfiles; i++)
		free(g->files[i].path);
	for (i = 0; i < g->nmiss; i++) {
		free(g->miss[i].what);
		free(g->miss[i].why);
	}
	for (i = 0; i < g->nnotes; i++)
		free(g->notes[i]);
	for (i = 0; i < g->nhints; i++)
		free(g->hints[i].path);
	free(g->hints);
	free(g->files);
	free(g->miss);
	free(g->notes);
	free(g->dmv);
}

/* Collect, build, check and write; the exit status. */
static int generate(struct gen *g, const struct gen_opts *o)
{
	char *text = NULL;
	size_t len = 0, i;
	int rc, status;

	if (o->dmverity) {
		status = dmverity(g);
		if (status)
			return status;
	}
	status = walk_all(g, o);
	for (i = 0; !status && i < o->nreports; i++)
		status = from_report(g, o->reports[i]);
	if (status)
		return status;
	rc = gen_write_policy(g, o, &text, &len);
	if (rc) {
		ipectl_error("out of memory");
		return IPECTL_EXIT_SYSTEM;
	}
	if (self_check(text, len)) {
		free(text);
		return IPECTL_EXIT_SYSTEM;
	}
	rc = ipectl_write_file(o->out, (unsigned char *)text, len, o->force);
	free(text);
	if (rc == -EEXIST) {
		ipectl_error("%s exists: --force replaces it", o->out);
		return IPECTL_EXIT_INPUT;
	}
	if (rc) {
		ipectl_error("%s: cannot write: %s", o->out, strerror(-rc));
		return ipectl_exit_status(rc);
	}
	gen_warn_misses(g);
	if (len > 64000)
		ipectl_warn("the policy is %zu bytes: too large to sign as PKCS#7 (65535 bytes in all); sign it with 'ipectl sign --appended' (ipe_lkm only)",
			    len);
	return g->nmiss ? IPECTL_EXIT_INCOMPLETE : IPECTL_EXIT_OK;
}

/* Append @s to the array @*v of @*n. */
static int push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static int parse_opts(const struct ipectl_cmd *cmd, int argc, char *argv[],
		      struct gen *g, struct gen_opts *o)
{
	static const struct option opts[] = {
		{ "fsverity", required_argument, NULL, 'F' },
		{ "scripts", no_argument, NULL, 's' },
		{ "enable", no_argument, NULL, 'e' },
		{ "dmverity", no_argument, NULL, 'D' },
		{ "boot-verified", no_argument, NULL, 'b' },
		{ "default", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "version", required_argument, NULL, 'v' },
		{ "from-report", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (push(&o->fsv, &o->nfsv, optarg))
				return IPECTL_EXIT_SYSTEM;
			break;
		case 'r':
			if (push(&o->reports, &o->nreports, optarg))
				return IPECTL_EXIT_SYSTEM;
			break;
		case 's': g->scripts = true; break;
		case 'e': g->enable = true; break;
		case 'D': o->dmverity = true; break;
		case 'b': g->boot_verified = true; break;
		case 'd': o->deflt = optarg; break;
		case 'n': o->name = optarg; break;
		case 'v': o->version = optarg; break;
		case 'o': o->out = optarg; break;
		case 'f': o->force = true; break;
		default: ipectl_usage(cmd, stderr); return IPECTL_EXIT_INPUT;
		}
	}
	return 0;
}

/* What parse_opts() cannot judge alone; 0 or IPECTL_EXIT_INPUT. */
static int check_opts(const struct ipectl_cmd *cmd, int argc, char *argv[],
		      const struct gen *g, const struct gen_opts *o)
{
	if (optind != argc) {
		ipectl_error("unexpected argument '%s' (files and directories are given with --fsverity PATH)",
			     argv[optind]);
		ipectl_usage(cmd, stderr);
		return IPECTL_EXIT_INPUT;
	}
	if (!o->nfsv && !o->nreports && !o->dmverity && !g->boot_verified) {
		ipectl_error("nothing to trust: give --fsverity PATH, --from-report FILE, --dmverity or --boot-verified");
		return IPECTL_EXIT_INPUT;
	}
	if ((g->enable || g->scripts) && !o->nfsv && !o->nreports) {
		ipectl_error("--enable and --scripts are for --fsverity and --from-report");
		return IPECTL_EXIT_INPUT;
	}
	if (strcmp(o->deflt, "ALLOW") && strcmp(o->deflt, "DENY")) {
		ipectl_error("--default takes ALLOW or DENY, not '%s'", o->deflt);
		return IPECTL_EXIT_INPUT;
	}
	if (!valid_name(o->name)) {
		ipectl_error("--name '%s': a policy name is printable ASCII without spaces or '#', not '.', '..' or with '/', at most 255 bytes",
			     o->name);
		return IPECTL_EXIT_INPUT;
	}
	if (!valid_version(o->version)) {
		ipectl_error("--version '%s': three numbers 0-65535, MAJOR.MINOR.REVISION",
			     o->version);
		return IPECTL_EXIT_INPUT;
	}
	return 0;
}

int cmd_generate(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct gen_opts o = {
		.deflt = "DENY",
		.name = "generated",
		.version = "0.0.1",
		.out = "-",
	};
	struct gen g = { 0 };
	int status;

	status = parse_opts(cmd, argc, argv, &g, &o);
	if (!status)
		status = check_opts(cmd, argc, argv, &g, &o);
	if (!status)
		status = generate(&g, &o);
	gen_free(&g);
	free(o.fsv);
	free(o.reports);
	return status;
}
