// SPDX-License-Identifier: GPL-2.0
/*
 * cachediff: the driver of the decision cache's differential test
 * (tests/58-cache.sh).  From a seed it prints, it performs a random
 * sequence of steps, one process, no threads, so that the same seed on the
 * same fixtures gives the same sequence:
 *   decisions   mmap(PROT_EXEC), mprotect(+PROT_EXEC) and execve of a pool
 *               of files: the fixed ones named on the command line
 *               ("x:PATH" executable, "m:PATH" mapped only), the untrusted
 *               files U/u0.. (tmpfs) and the slots S/s0.. (ext4 with
 *               fs-verity) that come and go;
 *   files       rewrite of an untrusted file or a plain slot (new content,
 *               same inode), rename (two files swap their names), slot
 *               life cycle: create, fs-verity enable (signed or not),
 *               delete (inode freed, its address reused), drop_caches
 *               (unused inodes evicted and read again);
 *   control     deploy / update / activate / delete of the pre-signed
 *               policies ca..cd (POLDIR/cX_E.p7s, E = 1..EMAX: every load
 *               takes the next E, so versions only grow), enforce and
 *               success_audit switches, dm table swaps (the -T tables in
 *               turn, DM_TABLE_LOAD then suspend/resume).  With -A, no
 *               policy is ever freed: each is deployed once, at version
 *               1, then only activated (cache_bug=policy serves decisions
 *               whose rule belongs to another policy: one that is freed
 *               would be read after its free).
 * The kernel side (the test build's cache_check=1) compares every cached
 * decision with a fresh one; this program writes what it saw (-o TRACE: a
 * line per step, "STEP OP WHAT RESULT") for a replay with the cache off,
 * and a summary line "cachediff ...".
 * Exit status: 0, or 2 when the fixtures cannot be set up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/dm-ioctl.h>
#include <linux/fsverity.h>
#include <linux/netlink.h>

#include "stress.h"

#define MAXFIXED 32
#define NUNTRUSTED 6
#define NSLOTS 10
#define NPOL 4
#define MAXTABLES 4

enum content { C_IPET, C_LIB };
enum slot_state { S_EMPTY, S_PLAIN, S_VERITY };

struct pfile {
	char path[256];
	int exec;		/* may be executed (an ipet copy) */
};

struct slot {
	enum slot_state st;
	enum content c;
};

static struct pfile fixed[MAXFIXED];
static int nfixed;
static const char *udir, *sdir, *dmname, *poldir;
static const char *tables[MAXTABLES];
static int ntables, emax;
static struct blob content[2], sigs[2];
static struct blob *pols;	/* [NPOL * emax] */
static struct slot slots[NSLOTS];
static enum content ucontent[NUNTRUSTED];
static FILE *trace;
static long step;

/* the policies' state, as this program made it */
static int pol_ver[NPOL];	/* loaded version E, 0: not loaded */
static int pol_active = -1;	/* -1: the boot policy */
static int next_e = 1;
static int enforce = 1, success_audit;
static int keep_policies;	/* -A: no update, no deletion: none is freed */

static struct {
	long dec[3][2];		/* mmap, mprotect, exec: allowed, denied */
	long odd;		/* decisions neither allowed nor EACCES */
	long rewrite, rename, create, venable, vdelete, drop;
	long loads, loads_ok, acts_ok, dels_ok, enf, aud, dm, dm_ok;
	long errors;		/* file and control steps that failed */
} n;

/* xorshift64*: the sequence depends on the seed only */
static uint64_t rs;
static unsigned int rn(unsigned int m)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return m ? (unsigned int)((rs * 2685821657736338717ull) >> 33) % m : 0;
}

static void tr(const char *op, const char *what, int e)
{
	/* the first failures of steps other than decisions and policy writes */
	if (e && strcmp(op, "mmap") && strcmp(op, "mprotect") && strcmp(op, "exec") &&
	    strcmp(op, "load") && strcmp(op, "activate") && strcmp(op, "delete"))
		msg("step %ld: %s %s: %s", step, op, what, ename(e));
	if (trace)
		fprintf(trace, "%ld %s %s %s\n", step, op, what, ename(e));
}

static void uname_of(char *buf, size_t len, int i)
{
	snprintf(buf, len, "%s/u%d", udir, i);
}

static void sname_of(char *buf, size_t len, int i)
{
	snprintf(buf, len, "%s/s%d", sdir, i);
}

/* write content C to PATH (created or truncated: the same inode) */
static int put(const char *path, enum content c, int excl)
{
	int fd = open(path, O_WRONLY | O_CREAT | (excl ? O_EXCL : O_TRUNC), 0755);
	int e = 0;

	if (fd < 0)
		return errno;
	if (write(fd, content[c].data, content[c].len) != (ssize_t)content[c].len)
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

/* ---------------------------------------------------------------- decisions */

/* a random file of the pool; EXEC: only ipet copies */
static int pick(char *path, size_t len, int exec)
{
	int cand = nfixed + NUNTRUSTED + NSLOTS, i, tries;

	for (tries = 0; tries < 64; tries++) {
		i = rn(cand);
		if (i < nfixed) {
			if (exec && !fixed[i].exec)
				continue;
			snprintf(path, len, "%s", fixed[i].path);
			return 0;
		}
		i -= nfixed;
		if (i < NUNTRUSTED) {
			if (exec && ucontent[i] != C_IPET)
				continue;
			uname_of(path, len, i);
			return 0;
		}
		i -= NUNTRUSTED;
		if (slots[i].st == S_EMPTY || (exec && slots[i].c != C_IPET))
			continue;
		sname_of(path, len, i);
		return 0;
	}
	return -1;
}

static void count(int kind, int e)
{
	if (e == 0)
		n.dec[kind][0]++;
	else if (e == EACCES)
		n.dec[kind][1]++;
	else
		n.odd++;
}

static int do_map(const char *path, int mprot)
{
	int fd = open(path, O_RDONLY), e = 0;
	void *p;

	if (fd < 0)
		return errno;
	p = mmap(NULL, 4096, mprot ? PROT_READ : PROT_READ | PROT_EXEC,
		 MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		e = errno;
	} else {
		if (mprot && mprotect(p, 4096, PROT_READ | PROT_EXEC))
			e = errno;
		munmap(p, 4096);
	}
	close(fd);
	return e;
}

static int do_exec(const char *path)
{
	char *argv[] = { "ipet", "hello", NULL }, *envp[] = { NULL };
	int pfd[2], e = 0, st;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execve(path, argv, envp);
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(pfd[1]);
	if (read(pfd[0], &e, sizeof(e)) != sizeof(e))
		e = 0;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	return e;
}

static void step_decide(int kind)
{
	static const char *ops[] = { "mmap", "mprotect", "exec" };
	char path[256];
	int e;

	if (pick(path, sizeof(path), kind == 2))
		return;
	e = kind == 2 ? do_exec(path) : do_map(path, kind == 1);
	count(kind, e);
	tr(ops[kind], path, e);
}

/* ---------------------------------------------------------------- files */

static void step_rewrite(void)
{
	char path[256];
	int i = rn(NUNTRUSTED + NSLOTS), e;

	if (i < NUNTRUSTED) {
		ucontent[i] = rn(2);
		uname_of(path, sizeof(path), i);
		e = put(path, ucontent[i], 0);
	} else {
		i -= NUNTRUSTED;
		if (slots[i].st != S_PLAIN)
			return;
		slots[i].c = rn(2);
		sname_of(path, sizeof(path), i);
		e = put(path, slots[i].c, 0);
	}
	n.rewrite++;
	n.errors += !!e;
	tr("rewrite", path, e);
}

/* A and B swap names (either may not exist: a slot) */
static int swap_names(const char *a, const char *b, const char *tmp)
{
	int ea = access(a, F_OK) == 0, eb = access(b, F_OK) == 0;

	if (ea && rename(a, tmp))
		return errno;
	if (eb && rename(b, a))
		return errno;
	if (ea && rename(tmp, b))
		return errno;
	return 0;
}

static void step_rename(void)
{
	char a[256], b[256], tmp[256];
	int i = rn(NSLOTS), j = rn(NSLOTS), e;

	if (rn(2)) {
		struct slot t;

		sname_of(a, sizeof(a), i);
		sname_of(b, sizeof(b), j);
		snprintf(tmp, sizeof(tmp), "%s/tmp", sdir);
		if (i == j)
			return;
		e = swap_names(a, b, tmp);
		t = slots[i], slots[i] = slots[j], slots[j] = t;
	} else {
		enum content t;

		i %= NUNTRUSTED, j %= NUNTRUSTED;
		if (i == j)
			return;
		uname_of(a, sizeof(a), i);
		uname_of(b, sizeof(b), j);
		snprintf(tmp, sizeof(tmp), "%s/tmp", udir);
		e = swap_names(a, b, tmp);
		t = ucontent[i], ucontent[i] = ucontent[j], ucontent[j] = t;
	}
	n.rename++;
	n.errors += !!e;
	tr("rename", a, e);
}

static int venable(const char *path, const struct blob *sig)
{
	struct fsverity_enable_arg arg = {
		.version = 1,
		.hash_algorithm = FS_VERITY_HASH_ALG_SHA256,
		.block_size = 4096,
	};
	int fd = open(path, O_RDONLY), e = 0;

	if (fd < 0)
		return errno;
	if (sig) {
		arg.sig_ptr = (uintptr_t)sig->data;
		arg.sig_size = sig->len;
	}
	if (ioctl(fd, FS_IOC_ENABLE_VERITY, &arg))
		e = errno;
	close(fd);
	return e;
}

/* a slot's life: created plain, maybe rewritten, verity on, deleted */
static void step_slot(void)
{
	int i = rn(NSLOTS), r = rn(10), e;
	struct slot *s = &slots[i];
	char path[256];
	const char *op;

	sname_of(path, sizeof(path), i);
	if (s->st == S_EMPTY) {
		s->c = rn(2);
		e = put(path, s->c, 1);
		s->st = S_PLAIN;
		op = "create";
		n.create++;
	} else if (s->st == S_PLAIN && r < 7) {
		int sign = r < 4;

		e = venable(path, sign ? &sigs[s->c] : NULL);
		s->st = S_VERITY;
		op = sign ? "venable_signed" : "venable";
		n.venable++;
	} else {
		e = unlink(path) ? errno : 0;
		s->st = S_EMPTY;
		op = "delete";
		n.vdelete++;
	}
	n.errors += !!e;
	tr(op, path, e);
}

static void step_drop(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY), e = 0;

	if (fd < 0 || write(fd, "2", 1) != 1)
		e = errno;
	if (fd >= 0)
		close(fd);
	n.drop++;
	n.errors += !!e;
	tr("drop_caches", "2", e);
}

/* ---------------------------------------------------------------- control */

static const char pname[NPOL][4] = { "ca", "cb", "cc", "cd" };

static int load_policy(int p)
{
	struct blob *b;
	char rel[64];
	int e;

	if (next_e > emax)
		return ENOSPC;	/* no version left: nothing done */
	b = &pols[p * emax + next_e - 1];
	if (pol_ver[p])
		snprintf(rel, sizeof(rel), "policies/%s/update", pname[p]);
	else
		snprintf(rel, sizeof(rel), "new_policy");
	e = twrite(rel, b->data, b->len);
	n.loads++;
	if (!e) {
		pol_ver[p] = next_e;
		n.loads_ok++;
	}
	next_e++;
	return e;
}

static void step_policy(void)
{
	int p = rn(NPOL), r = rn(100), e;
	char rel[64];

	if (keep_policies) {
		/* every policy at version 1 (equal versions activate) */
		if (!pol_ver[p]) {
			next_e = 1;
			e = load_policy(p);
			tr("load", pname[p], e);
			return;
		}
		r = 50;
	}
	if (r < 35) {
		e = load_policy(p);
		tr("load", pname[p], e);
	} else if (r < 80) {
		e = keep_policies ? 0 : load_policy(p);
		if (!keep_policies)
			tr("load", pname[p], e);
		if (e && e != ENOSPC)
			return;
		snprintf(rel, sizeof(rel), "policies/%s/active", pname[p]);
		e = pol_ver[p] ? twrite(rel, "1", 1) : ENOENT;
		if (!e) {
			pol_active = p;
			n.acts_ok++;
		}
		tr("activate", pname[p], e);
	} else {
		snprintf(rel, sizeof(rel), "policies/%s/delete", pname[p]);
		e = pol_ver[p] ? twrite(rel, "1", 1) : ENOENT;
		if (!e) {
			pol_ver[p] = 0;
			n.dels_ok++;
		}
		tr("delete", pname[p], e);
	}
}

static void step_switch(int audit)
{
	int *v = audit ? &success_audit : &enforce, e;

	*v = !*v;
	e = twrite(audit ? "success_audit" : "enforce", *v ? "1" : "0", 1);
	n.errors += !!e;
	if (audit)
		n.aud++;
	else
		n.enf++;
	tr(audit ? "success_audit" : "enforce", *v ? "1" : "0", e);
}

static int dm_ioctl(unsigned long cmd, struct dm_ioctl *io, size_t size)
{
	int fd = open("/dev/mapper/control", O_RDWR), rc;

	if (fd < 0)
		return errno;
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = size;
	io->data_start = sizeof(*io);
	strncpy(io->name, dmname, sizeof(io->name) - 1);
	rc = ioctl(fd, cmd, io) ? errno : 0;
	close(fd);
	return rc;
}

/* load TABLE ("START LEN TYPE PARAMS") into the device, swap it in */
static int dm_swap(const char *table)
{
	size_t size = sizeof(struct dm_ioctl) + sizeof(struct dm_target_spec) + 1024;
	struct dm_ioctl *io = calloc(1, size), plain = { 0 };
	struct dm_target_spec *spec = (void *)(io + 1);
	unsigned long long start, len;
	int off, e;

	if (!io)
		return ENOMEM;
	io->target_count = 1;
	io->flags = DM_READONLY_FLAG;
	if (sscanf(table, "%llu %llu %15s %n", &start, &len, spec->target_type,
		   &off) < 3) {
		free(io);
		return EINVAL;
	}
	spec->sector_start = start;
	spec->length = len;
	strncpy((char *)(spec + 1), table + off, 1000);
	e = dm_ioctl(DM_TABLE_LOAD, io, size);
	free(io);
	if (e)
		return e;
	plain.flags = DM_SUSPEND_FLAG;
	e = dm_ioctl(DM_DEV_SUSPEND, &plain, sizeof(plain));
	if (e)
		return e;
	memset(&plain, 0, sizeof(plain));
	return dm_ioctl(DM_DEV_SUSPEND, &plain, sizeof(plain));
}

static void step_dm(void)
{
	int t = rn(ntables), e;
	char what[16];

	e = dm_swap(tables[t]);
	n.dm++;
	n.dm_ok += !e;
	n.errors += !!e;
	snprintf(what, sizeof(what), "table%d", t);
	tr("dm_swap", what, e);
}

/* ---------------------------------------------------------------- audit */

/* AUDIT_GET (lost records) or, with LIMIT > 0, AUDIT_SET backlog_limit */
static long audit_status(unsigned int limit)
{
	struct {
		struct nlmsghdr h;
		struct audit_status s;
	} req = { 0 };
	char buf[8192];
	struct nlmsghdr *h;
	long lost = -1;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	ssize_t r;

	if (fd < 0)
		return -1;
	req.h.nlmsg_len = limit ? sizeof(req) : NLMSG_LENGTH(0);
	req.h.nlmsg_type = limit ? AUDIT_SET : AUDIT_GET;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.s.mask = limit ? AUDIT_STATUS_BACKLOG_LIMIT : 0;
	req.s.backlog_limit = limit;
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
		goto out;
	for (;;) {
		r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0)
			goto out;
		for (h = (void *)buf; NLMSG_OK(h, r); h = NLMSG_NEXT(h, r)) {
			if (h->nlmsg_type == AUDIT_GET) {
				lost = ((struct audit_status *)NLMSG_DATA(h))->lost;
				goto out;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *err = NLMSG_DATA(h);

				if (err->error || limit) {
					lost = err->error ? -1 : 0;
					goto out;
				}
			}
		}
	}
out:
	close(fd);
	return lost;
}

/* ---------------------------------------------------------------- setup */

static void die(const char *what)
{
	fprintf(stderr, "cachediff: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* the policies ca..cd a previous run left: their versions, the active one */
static void learn_policies(void)
{
	char rel[64], buf[32];
	int p, v, fd, r;

	for (p = 0; p < NPOL; p++) {
		snprintf(rel, sizeof(rel), "%s/policies/%s/version", tree, pname[p]);
		fd = open(rel, O_RDONLY);
		if (fd < 0)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[r > 0 ? r : 0] = 0;
		if (sscanf(buf, "0.1.%d", &v) != 1)
			continue;
		pol_ver[p] = v;
		if (v >= next_e)
			next_e = v + 1;
		snprintf(rel, sizeof(rel), "policies/%s/active", pname[p]);
		if (tread_char(rel) == '1')
			pol_active = p;
	}
}

static void setup(void)
{
	char path[512];
	int p, e, i;

	pols = calloc(NPOL * emax, sizeof(*pols));
	for (p = 0; p < NPOL && pols; p++)
		for (e = 1; e <= emax; e++) {
			snprintf(path, sizeof(path), "%s/%s_%d.p7s", poldir, pname[p], e);
			pols[p * emax + e - 1].data = slurp(path, &pols[p * emax + e - 1].len);
			if (!pols[p * emax + e - 1].data)
				die(path);
		}
	for (i = 0; i < NUNTRUSTED; i++) {
		ucontent[i] = i % 2;
		uname_of(path, sizeof(path), i);
		if (put(path, ucontent[i], 0))
			die(path);
	}
	for (i = 0; i < NSLOTS; i++) {
		sname_of(path, sizeof(path), i);
		if (unlink(path) && errno != ENOENT)
			die(path);
	}
	learn_policies();
	/* the device's first table, learnt by this module (follow kernels) */
	if (ntables && (errno = dm_swap(tables[0])))
		die("dm table 0");
}

static void usage(void)
{
	fprintf(stderr, "usage: cachediff -s SEED -n STEPS -t TREE -P POLDIR -E EMAX "
		"-U TMPFSDIR -S EXT4DIR -x IPET -l LIB -g IPETSIG -G LIBSIG "
		"[-d DM -T TABLE...] [-o TRACE] [-b BACKLOG] [-C] [-A] x:PATH|m:PATH...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long seed = 1;
	long steps = 1000, lost0, lost1;
	int c, noctl = 0, i;
	unsigned int backlog = 0;
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "s:n:t:P:E:U:S:x:l:g:G:d:T:o:b:CA")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': steps = atol(optarg); break;
		case 't': tree = optarg; break;
		case 'P': poldir = optarg; break;
		case 'E': emax = atoi(optarg); break;
		case 'U': udir = optarg; break;
		case 'S': sdir = optarg; break;
		case 'x': content[C_IPET].data = slurp(optarg, &content[C_IPET].len); break;
		case 'l': content[C_LIB].data = slurp(optarg, &content[C_LIB].len); break;
		case 'g': sigs[C_IPET].data = slurp(optarg, &sigs[C_IPET].len); break;
		case 'G': sigs[C_LIB].data = slurp(optarg, &sigs[C_LIB].len); break;
		case 'd': dmname = optarg; break;
		case 'T':
			if (ntables == MAXTABLES)
				usage();
			tables[ntables++] = optarg;
			break;
		case 'o':
			trace = fopen(optarg, "w");
			if (!trace)
				die(optarg);
			break;
		case 'b': backlog = atoi(optarg); break;
		case 'C': noctl = 1; break;
		case 'A': keep_policies = 1; break;
		default: usage();
		}
	}
	if (!tree || !poldir || emax < 1 || !udir || !sdir || (ntables && !dmname) ||
	    !content[0].data || !content[1].data || !sigs[0].data || !sigs[1].data)
		usage();
	for (i = optind; i < argc && nfixed < MAXFIXED; i++, nfixed++) {
		if (strncmp(argv[i], "x:", 2) && strncmp(argv[i], "m:", 2))
			usage();
		fixed[nfixed].exec = argv[i][0] == 'x';
		snprintf(fixed[nfixed].path, sizeof(fixed[nfixed].path), "%s", argv[i] + 2);
	}
	rs = seed * 0x9E3779B97F4A7C15ull + 1;
	if (backlog && audit_status(backlog) < 0)
		die("audit backlog_limit");
	setup();
	lost0 = audit_status(0);
	printf("cachediff seed=%llu steps=%ld\n", seed, steps);
	t0 = now();
	for (step = 0; step < steps; step++) {
		int r = rn(1000);

		if (r < 380)
			step_decide(0);
		else if (r < 600)
			step_decide(1);
		else if (r < 620)
			step_decide(2);
		else if (r < 660)
			step_rewrite();
		else if (r < 690)
			step_rename();
		else if (r < 760)
			step_slot();
		else if (r < 763)
			step_drop();
		else if (noctl)
			step_decide(0);
		else if (r < 768)
			step_policy();
		else if (r < 776)
			step_switch(0);
		else if (r < 784)
			step_switch(1);
		else if (r < 792 && ntables)
			step_dm();
		else
			step_decide(0);
	}
	/* what follows this program (the test's shell) is audited no more */
	if (success_audit && !noctl)
		step_switch(1);
	lost1 = audit_status(0);
	if (trace)
		fclose(trace);
	printf("cachediff seed=%llu steps=%ld seconds=%.1f mmap=%ld/%ld mprotect=%ld/%ld "
	       "exec=%ld/%ld odd=%ld rewrite=%ld rename=%ld create=%ld venable=%ld "
	       "delete=%ld drop=%ld loads=%ld/%ld activations=%ld deletions=%ld "
	       "enforce=%ld success_audit=%ld dm=%ld/%ld errors=%ld audit_lost=%ld\n",
	       seed, steps, now() - t0, n.dec[0][0], n.dec[0][1], n.dec[1][0],
	       n.dec[1][1], n.dec[2][0], n.dec[2][1], n.odd, n.rewrite, n.rename,
	       n.create, n.venable, n.vdelete, n.drop, n.loads_ok, n.loads,
	       n.acts_ok, n.dels_ok, n.enf, n.aud, n.dm_ok, n.dm, n.errors,
	       lost0 < 0 || lost1 < 0 ? -1 : lost1 - lost0);
	return 0;
}
