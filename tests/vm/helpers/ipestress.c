// SPDX-License-Identifier: GPL-2.0
/*
 * ipestress: hunt races in an IPE enforcer (the built-in IPE or ipe_lkm)
 * from several processes at once, counting every outcome.
 *
 *   ipestress -s SECONDS [-S MAXSECONDS] -t TREE -p POLDIR [-w WORKERS]
 *             [-d DMNAME -D "0 SECTORS verity PARAMS" [-K KIND]]
 *             [-f DIR -e EXE -E EXE.sig -l LIB -L LIB.sig]  ITEM...
 *
 * It runs SECONDS, then on until every activity below happened often enough
 * to prove something (slow kernels: debug builds, emulation), at most
 * MAXSECONDS (default 3 * SECONDS); the summary says why it stopped.
 *
 * WORKERS processes (default 4) execute and mmap(PROT_EXEC) the
 * ITEMs, "x|m:T|U:KIND:PATH" (exec or mmap, trusted or untrusted, a kind
 * name for the counts; executed files are copies of ipet, run as
 * "PATH hello").  At the same time:
 *  - a policy writer keeps s_a or s_b active, switching every few ms
 *    (new Y@v-1, update Y to v, activate Y, delete X) and updating the
 *    active one in place now and then: POLDIR/{a,b}_N.p7s, version
 *    0.60000.N; every write must succeed;
 *  - a second writer churns the inactive s_c (POLDIR/c_N.p7s, 0.1.N)
 *    through writes that must fail with one errno each: EEXIST (name
 *    taken), ESTALE (older or equal update), EINVAL (activation below
 *    the active version, "0" to active or delete), ENOENT (update after
 *    delete); and the ones that must succeed;
 *  - an enforce toggler writes 0 and 1 to TREE/enforce through a
 *    seqcount in shared memory (odd while a write is in flight; the value
 *    of the last write recorded): a worker's operation counts as enforced
 *    only if the count was even and unchanged across it and the value 1,
 *    as permissive if even, unchanged and 0;
 *  - with -d, a reloader loads the dm-verity device's own table again and
 *    swaps it in (DM_TABLE_LOAD, suspend, resume); with -K KIND, a trusted
 *    operation of that kind denied while a reload was in progress is
 *    counted apart (trusted_denied_known_dm_reload) and does not fail the
 *    run: for an enforcer with a known defect there (see 95-stress.sh);
 *  - with -f, a churner copies EXE and LIB into DIR, maps the copy before
 *    verity (untrusted), enables fs-verity on it with and without the
 *    signature (alternately), runs or maps it (EXE signed: trusted, EXE
 *    unsigned: untrusted; LIB either way: trusted, its digest being in
 *    every policy), and removes it.
 * An untrusted exec allowed by bprm_check in permissive mode but denied by
 * the ELF loader's mmap once enforce is 1 again dies past the point of no
 * return (killed by a signal): a late denial, counted apart while enforce
 * changed across it, an error otherwise.  The writes to enforce, the dm
 * ioctls and FS_IOC_ENABLE_VERITY must all succeed.
 * Fails (exit 1) on any untrusted operation allowed while enforced, any
 * untrusted one denied while permissive, any trusted one denied, any
 * write with another result than the expected one, any other error, or
 * when one of the activities did not happen at all.
 * The last line printed: "race" and the counts ("name=value").
 * The removal race of ipe_lkm is another program: iperace.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/dm-ioctl.h>
#include <linux/fsverity.h>

#include "stress.h"

#define MAXKIND 24
#define MAXITEM 64

/* -------------------------------------------------- race: shared state */

enum {
	C_T_OK, C_T_DENIED, C_T_DENIED_KNOWN,
	C_U_DENIED_ENF, C_U_ALLOWED_ENF,
	C_U_ALLOWED_PERM, C_U_DENIED_PERM,
	C_U_ALLOWED_OVERLAP, C_U_DENIED_OVERLAP, C_U_KILLED_OVERLAP,
	C_OP_ERRORS,
	C_POL_WRITES, C_POL_SWITCHES, C_POL_EXPECTED, C_POL_UNEXPECTED,
	C_ENF_WRITES, C_ENF_ERRORS,
	C_DM_RELOADS, C_DM_ERRORS,
	C_FSV_SIGNED, C_FSV_UNSIGNED, C_FSV_ERRORS,
	NR_C
};

static const char *const c_names[NR_C] = {
	"trusted_ok", "trusted_denied", "trusted_denied_known_dm_reload",
	"untrusted_denied_enforced", "untrusted_allowed_enforced",
	"untrusted_allowed_permissive", "untrusted_denied_permissive",
	"untrusted_allowed_overlap", "untrusted_denied_overlap",
	"untrusted_killed_overlap", "op_errors",
	"policy_writes", "policy_switches", "policy_expected_errno",
	"policy_unexpected",
	"enforce_writes", "enforce_errors",
	"dm_reloads", "dm_errors",
	"fsv_enable_signed", "fsv_enable_unsigned", "fsv_errors",
};

struct slot {
	long c[NR_C];
	long k_ok[MAXKIND], k_denied[MAXKIND], k_err[MAXKIND];
};

struct rshared {
	unsigned long enf_seq;	/* odd while the toggler writes enforce */
	int enf_val;		/* the value of the last completed write */
	unsigned long dm_seq;	/* odd while the reloader loads and resumes */
	int stop;
	struct slot slot[MAXPROC];
};

static struct rshared *rs;

static int stopped(void)
{
	return __atomic_load_n(&rs->stop, __ATOMIC_ACQUIRE);
}

struct item {
	int exec, trusted, kind;
	const char *path;
};

static struct item items[MAXITEM];
static int nitems;
static const char *kinds[MAXKIND];
static int kind_trusted[MAXKIND];
static int nkinds;

static int kind_id(const char *name, int trusted)
{
	int i;

	for (i = 0; i < nkinds; i++)
		if (!strcmp(kinds[i], name) && kind_trusted[i] == trusted)
			return i;
	if (nkinds == MAXKIND) {
		fprintf(stderr, "ipestress: too many kinds\n");
		exit(2);
	}
	kinds[nkinds] = name;
	kind_trusted[nkinds] = trusted;
	return nkinds++;
}

/* x|m:T|U:KIND:PATH */
static void parse_item(char *s)
{
	struct item *it = &items[nitems];
	char *kind, *path;

	if (nitems == MAXITEM || strlen(s) < 5 || s[1] != ':' || s[3] != ':' ||
	    !strchr("xm", s[0]) || !strchr("TU", s[2]) ||
	    !(path = strchr(s + 4, ':'))) {
		fprintf(stderr, "ipestress: bad item '%s' (x|m:T|U:KIND:PATH)\n", s);
		exit(2);
	}
	*path++ = 0;
	kind = s + 4;
	it->exec = s[0] == 'x';
	it->trusted = s[2] == 'T';
	it->kind = kind_id(kind, it->trusted);
	it->path = path;
	nitems++;
}

/* -------------------------------------------------- race: the operations */

enum { OP_ALLOWED, OP_DENIED, OP_KILLED, OP_ERROR };
static int devnull = -1;

/*
 * Execute PATH hello (a copy of ipet).  OP_KILLED (*err = the signal): the
 * exec passed bprm_check but a later check (the ELF loader's mmap of the
 * segments) denied it past the point of no return: the kernel kills the
 * task.  OP_ERROR: *err = the errno.
 */
static int try_exec(const char *path, int *err)
{
	int st = 0, code;
	pid_t pid;

	pid = vfork();
	if (pid == 0) {
		char *argv[] = { (char *)path, "hello", NULL };

		dup2(devnull, 1);
		execv(path, argv);
		_exit(errno == EACCES ? 126 : 130 + (errno < 120 ? errno : 120));
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0) {
		*err = errno;
		return OP_ERROR;
	}
	if (WIFSIGNALED(st)) {
		*err = WTERMSIG(st);
		return OP_KILLED;
	}
	code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (code == 0)
		return OP_ALLOWED;
	if (code == 126)
		return OP_DENIED;
	*err = code >= 130 ? code - 130 : EIO;
	return OP_ERROR;
}

static int try_mmap(const char *path, int *err)
{
	int fd = open(path, O_RDONLY), rc;
	void *p;

	if (fd < 0) {
		*err = errno;
		return OP_ERROR;
	}
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	*err = errno;
	rc = p != MAP_FAILED ? OP_ALLOWED : errno == EACCES ? OP_DENIED : OP_ERROR;
	if (p != MAP_FAILED)
		munmap(p, 4096);
	close(fd);
	return rc;
}

struct enf_snap {
	unsigned long seq, dm;
	int val;
};

static void snap(struct enf_snap *e)
{
	e->seq = __atomic_load_n(&rs->enf_seq, __ATOMIC_SEQ_CST);
	e->val = __atomic_load_n(&rs->enf_val, __ATOMIC_SEQ_CST);
	e->dm = __atomic_load_n(&rs->dm_seq, __ATOMIC_SEQ_CST);
}

/* kinds whose trusted denials are tolerated across a dm reload (-K) */
static const char *known_dm_kind;

static void classify(struct slot *s, const struct item *it, int r, int err,
		     const struct enf_snap *a, const struct enf_snap *b)
{
	const char *op = it->exec ? "exec" : "mmap";
	int stable = !(a->seq & 1) && a->seq == b->seq;

	/* killed half-way: a late denial, fine only while enforce changes */
	if (r == OP_KILLED && !it->trusted && !stable) {
		s->c[C_U_KILLED_OVERLAP]++;
		s->k_denied[it->kind]++;
		return;
	}
	if (r == OP_KILLED || r == OP_ERROR) {
		s->c[C_OP_ERRORS]++;
		s->k_err[it->kind]++;
		if (r == OP_KILLED)
			msg("%s %s: killed by signal %d (%s, enforce %s)", op, it->path,
			    err, kinds[it->kind], !stable ? "changing" : a->val ? "1" : "0");
		else
			msg("%s %s: %s", op, it->path, ename(err));
		return;
	}
	(r == OP_ALLOWED ? s->k_ok : s->k_denied)[it->kind]++;
	if (it->trusted && r != OP_ALLOWED && known_dm_kind &&
	    !strcmp(kinds[it->kind], known_dm_kind) &&
	    ((a->dm & 1) || a->dm != b->dm)) {
		s->c[C_T_DENIED_KNOWN]++;
		msg("known: trusted %s %s denied across a dm-verity reload (-K %s)",
		    op, it->path, known_dm_kind);
		return;
	}
	if (it->trusted) {
		s->c[r == OP_ALLOWED ? C_T_OK : C_T_DENIED]++;
		if (r != OP_ALLOWED)
			msg("VIOLATION: trusted %s %s denied (%s, enforce %s, %s dm reload)",
			    op, it->path, kinds[it->kind],
			    !stable ? "changing" : a->val ? "1" : "0",
			    (a->dm & 1) || a->dm != b->dm ? "during a" : "no");
		return;
	}
	if (stable && a->val) {
		s->c[r == OP_ALLOWED ? C_U_ALLOWED_ENF : C_U_DENIED_ENF]++;
		if (r == OP_ALLOWED)
			msg("VIOLATION: untrusted %s %s allowed while enforcing (%s)",
			    op, it->path, kinds[it->kind]);
	} else if (stable) {
		s->c[r == OP_ALLOWED ? C_U_ALLOWED_PERM : C_U_DENIED_PERM]++;
		if (r != OP_ALLOWED)
			msg("VIOLATION: untrusted %s %s denied in permissive mode (%s)",
			    op, it->path, kinds[it->kind]);
	} else {
		s->c[r == OP_ALLOWED ? C_U_ALLOWED_OVERLAP : C_U_DENIED_OVERLAP]++;
	}
}

static void run_item(struct slot *s, const struct item *it)
{
	struct enf_snap a, b;
	int r, err = 0;

	snap(&a);
	r = it->exec ? try_exec(it->path, &err) : try_mmap(it->path, &err);
	snap(&b);
	classify(s, it, r, err, &a, &b);
}

static void worker(int id)
{
	struct slot *s = &rs->slot[id];
	int i = id * 3;

	while (!stopped())
		run_item(s, &items[i++ % nitems]);
}

/* -------------------------------------------------- race: policy writers */

static const char *poldir;
static int vmax;
static double t_end, upd_interval;
/* the run goes on past -s SECONDS, until enough happened, to this (-S) */
static int max_seconds;

static struct blob pol_a[1024], pol_b[1024], pol_c[8];

static void load_blob(struct blob *b, char name, int v, int must)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%c_%d.p7s", poldir, name, v);
	b->data = slurp(p, &b->len);
	if (!b->data && must) {
		fprintf(stderr, "ipestress: no policy file %s\n", p);
		exit(2);
	}
}

static void load_policies(void)
{
	int v;

	for (v = 1; v < 1024; v++) {
		load_blob(&pol_a[v], 'a', v, v <= 3);
		load_blob(&pol_b[v], 'b', v, !!pol_a[v].data);
		if (!pol_a[v].data)
			break;
	}
	vmax = v - 1;
	for (v = 1; v <= 4; v++)
		load_blob(&pol_c[v], 'c', v, 1);
}

/* a write whose result must be WANT (0 or an errno) */
static void pol_op(struct slot *s, const char *rel, const void *data,
		   size_t len, int want)
{
	int e = twrite(rel, data, len);

	s->c[C_POL_WRITES]++;
	if (e == want) {
		if (want)
			s->c[C_POL_EXPECTED]++;
		return;
	}
	s->c[C_POL_UNEXPECTED]++;
	msg("write %s: %s, expected %s", rel, ename(e), ename(want));
}

static void pol_file(struct slot *s, const char *rel, const struct blob *b,
		     int want)
{
	pol_op(s, rel, b->data, b->len, want);
}

static struct blob *pol(char name, int v)
{
	return name == 'a' ? &pol_a[v] : &pol_b[v];
}

/* Before the workers start: s_a at version 2 is active. */
static int writer_start(void)
{
	int e = twrite("new_policy", pol_a[2].data, pol_a[2].len);

	if (!e)
		e = twrite("policies/s_a/active", "1", 1);
	if (e)
		fprintf(stderr, "ipestress: cannot start with s_a: %s\n", ename(e));
	return e;
}

/* s_a and s_b take turns as the active policy; see the header. */
static void writer_switch(int id)
{
	struct slot *s = &rs->slot[id];
	char x = 'a', y = 'b', rel[64];
	double next_update = now() + upd_interval;
	int v = 2;

	while (!stopped()) {
		pol_file(s, "new_policy", pol(y, v - 1), 0);
		snprintf(rel, sizeof(rel), "policies/s_%c/update", y);
		pol_file(s, rel, pol(y, v), 0);
		snprintf(rel, sizeof(rel), "policies/s_%c/active", y);
		pol_op(s, rel, "1", 1, 0);
		snprintf(rel, sizeof(rel), "policies/s_%c/delete", x);
		pol_op(s, rel, "1", 1, 0);
		s->c[C_POL_SWITCHES]++;
		x ^= y; y ^= x; x ^= y;		/* x is active */
		if (now() > next_update && v + 1 <= vmax) {
			snprintf(rel, sizeof(rel), "policies/s_%c/update", x);
			pol_file(s, rel, pol(x, ++v), 0);
			next_update = now() + upd_interval;
		}
		nap(1000, 3000);
	}
}

/* s_c (0.1.N, below the active version) is never active; see the header. */
static void writer_fail(int id)
{
	struct slot *s = &rs->slot[id];
	const char *d = "policies/s_c/";
	char rel[64];

#define REL(f) (snprintf(rel, sizeof(rel), "%s%s", d, f), rel)
	while (!stopped()) {
		pol_file(s, "new_policy", &pol_c[2], 0);
		pol_file(s, "new_policy", &pol_c[1], EEXIST);
		pol_file(s, REL("update"), &pol_c[1], ESTALE);
		pol_file(s, REL("update"), &pol_c[2], ESTALE);
		pol_file(s, REL("update"), &pol_c[3], 0);
		pol_op(s, REL("active"), "1", 1, EINVAL);
		pol_op(s, REL("active"), "0", 1, EINVAL);
		pol_op(s, REL("delete"), "0", 1, EINVAL);
		pol_op(s, REL("delete"), "1", 1, 0);
		pol_file(s, REL("update"), &pol_c[4], ENOENT);
		nap(2000, 6000);
	}
#undef REL
}

/* ------------------------------------------------ race: enforce toggler */

static void enf_write(struct slot *s, int v)
{
	unsigned long seq = __atomic_load_n(&rs->enf_seq, __ATOMIC_RELAXED);
	int e, c;

	__atomic_store_n(&rs->enf_seq, seq + 1, __ATOMIC_SEQ_CST);
	e = twrite("enforce", v ? "1" : "0", 1);
	s->c[C_ENF_WRITES]++;
	if (e) {
		s->c[C_ENF_ERRORS]++;
		msg("write enforce %d: %s", v, ename(e));
		c = tread_char("enforce");
		v = c == '1';
	}
	__atomic_store_n(&rs->enf_val, v, __ATOMIC_SEQ_CST);
	__atomic_store_n(&rs->enf_seq, seq + 2, __ATOMIC_SEQ_CST);
}

static void toggler(int id)
{
	struct slot *s = &rs->slot[id];
	unsigned int n = 0;

	/*
	 * Short windows make the switches race the hooks; every fourth
	 * window of each mode is long enough (1-3 s) for an operation to run
	 * wholly inside it even on a slow (debug, emulated) kernel, where one
	 * exec can take most of a second.
	 */
	while (!stopped()) {
		if (n % 4 == 1)
			nap(1000000, 3000000);
		else
			nap(20000, 150000);	/* enforcing */
		enf_write(s, 0);
		if (n % 4 == 3)
			nap(1000000, 3000000);
		else
			nap(2000, 40000);	/* permissive */
		enf_write(s, 1);
		n++;
	}
}

/* ----------------------------------------------- race: dm-verity reload */

static const char *dm_name, *dm_table;

static int dm_call(unsigned long cmd, struct dm_ioctl *io, size_t size,
		   unsigned int flags)
{
	int fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC), rc;

	if (fd < 0)
		return errno;
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = size;
	io->data_start = sizeof(*io);
	io->flags |= flags;
	strncpy(io->name, dm_name, sizeof(io->name) - 1);
	rc = ioctl(fd, cmd, io) ? errno : 0;
	close(fd);
	return rc;
}

/* DM_TABLE_LOAD of "START LEN TYPE PARAMS" into the inactive slot */
static int dm_load(void)
{
	static union {
		struct dm_ioctl io;
		char buf[sizeof(struct dm_ioctl) + sizeof(struct dm_target_spec) + 4096];
	} u;
	struct dm_target_spec *spec = (void *)(&u.io + 1);
	unsigned long long start, len;
	int n;

	memset(&u, 0, sizeof(u));
	if (sscanf(dm_table, "%llu %llu %15s %n", &start, &len,
		   spec->target_type, &n) < 3 || strlen(dm_table + n) >= 4000)
		return EINVAL;
	spec->sector_start = start;
	spec->length = len;
	strcpy((char *)(spec + 1), dm_table + n);
	u.io.target_count = 1;
	return dm_call(DM_TABLE_LOAD, &u.io, sizeof(u), DM_READONLY_FLAG);
}

/* suspend, then resume: the loaded table goes live (verity_preresume) */
static int dm_swap(void)
{
	struct dm_ioctl io = { 0 };
	int e = dm_call(DM_DEV_SUSPEND, &io, sizeof(io), DM_SUSPEND_FLAG);

	if (e)
		return e;
	memset(&io, 0, sizeof(io));
	return dm_call(DM_DEV_SUSPEND, &io, sizeof(io), 0);
}

static void dm_reloader(int id)
{
	struct slot *s = &rs->slot[id];
	int e;

	while (!stopped()) {
		nap(50000, 300000);
		__atomic_add_fetch(&rs->dm_seq, 1, __ATOMIC_SEQ_CST);
		e = dm_load();
		if (!e)
			e = dm_swap();
		__atomic_add_fetch(&rs->dm_seq, 1, __ATOMIC_SEQ_CST);
		if (e) {
			s->c[C_DM_ERRORS]++;
			msg("reloading %s: %s", dm_name, ename(e));
			continue;
		}
		s->c[C_DM_RELOADS]++;
	}
}

/* ------------------------------------------- race: fresh fs-verity files */

static const char *fsv_dir, *exe_src, *exe_sig, *lib_src, *lib_sig;
static struct blob exe_data, exe_sigdata, lib_data, lib_sigdata;

static int write_copy(const char *path, const struct blob *b)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755), e = 0;

	if (fd < 0)
		return errno;
	if (write(fd, b->data, b->len) != (ssize_t)b->len)
		e = errno ? errno : EIO;
	if (close(fd) && !e)
		e = errno;
	return e;
}

static int venable(const char *path, const struct blob *sig)
{
	struct fsverity_enable_arg arg = {
		.version = 1,
		.hash_algorithm = FS_VERITY_HASH_ALG_SHA256,
		.block_size = 4096,
	};
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;

	if (fd < 0)
		return errno;
	if (sig) {
		arg.sig_ptr = (uintptr_t)sig->data;
		arg.sig_size = sig->len;
	}
	e = ioctl(fd, FS_IOC_ENABLE_VERITY, &arg) ? errno : 0;
	close(fd);
	return e;
}

/* copy SRC to PATH and enable verity, with SIG or without; 0 or errno */
static int fresh(struct slot *s, const char *path, const struct blob *src,
		 const struct blob *sig, const struct item *before)
{
	int e = write_copy(path, src);

	if (!e && before)
		run_item(s, before);
	if (!e)
		e = venable(path, sig);
	if (e) {
		s->c[C_FSV_ERRORS]++;
		msg("fresh fs-verity copy %s (%s): %s", path,
		    sig ? "signed" : "unsigned", ename(e));
		return e;
	}
	s->c[sig ? C_FSV_SIGNED : C_FSV_UNSIGNED]++;
	return 0;
}

static void fsv_churner(int id)
{
	struct slot *s = &rs->slot[id];
	int k_plain = kind_id("fresh_plain", 0), k_sig = kind_id("fresh_sig", 1),
	    k_unsig = kind_id("fresh_unsigned", 0),
	    k_lsig = kind_id("fresh_lib_sig", 1),
	    k_ldig = kind_id("fresh_lib_digest", 1);
	char e[512], l[512];
	unsigned int i;

	for (i = 0; !stopped(); i++) {
		int sig = i & 1, lsig = (i >> 1) & 1;
		struct item pre = { 0, 0, k_plain, e };
		struct item run = { 1, sig, sig ? k_sig : k_unsig, e };
		struct item map = { 0, 1, lsig ? k_lsig : k_ldig, l };

		snprintf(e, sizeof(e), "%s/e.%d.%u", fsv_dir, getpid(), i);
		snprintf(l, sizeof(l), "%s/l.%d.%u", fsv_dir, getpid(), i);
		if (!fresh(s, e, &exe_data, sig ? &exe_sigdata : NULL, &pre))
			run_item(s, &run);
		if (!fresh(s, l, &lib_data, lsig ? &lib_sigdata : NULL, NULL))
			run_item(s, &map);
		unlink(e);
		unlink(l);
	}
}

static void fsv_setup(void)
{
	struct { const char *p; struct blob *b; } f[] = {
		{ exe_src, &exe_data }, { exe_sig, &exe_sigdata },
		{ lib_src, &lib_data }, { lib_sig, &lib_sigdata },
	};
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (!f[i].p || !(f[i].b->data = slurp(f[i].p, &f[i].b->len))) {
			fprintf(stderr, "ipestress: -f needs -e, -E, -l, -L (readable): %s\n",
				f[i].p ? f[i].p : "missing");
			exit(2);
		}
	}
	/* the churner's kinds, known to the parent for the report */
	kind_id("fresh_plain", 0);
	kind_id("fresh_sig", 1);
	kind_id("fresh_unsigned", 0);
	kind_id("fresh_lib_sig", 1);
	kind_id("fresh_lib_digest", 1);
}

/* ------------------------------------------------------ race: the report */

/* Every process's counters added up. */
static void totals(struct slot *t)
{
	int i, j;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < MAXPROC; i++) {
		for (j = 0; j < NR_C; j++)
			t->c[j] += rs->slot[i].c[j];
		for (j = 0; j < MAXKIND; j++) {
			t->k_ok[j] += rs->slot[i].k_ok[j];
			t->k_denied[j] += rs->slot[i].k_denied[j];
			t->k_err[j] += rs->slot[i].k_err[j];
		}
	}
}

/* Has every activity happened often enough for the run to prove something? */
static bool enough(const struct slot *t)
{
	return t->c[C_U_DENIED_ENF] && t->c[C_U_ALLOWED_PERM] && t->c[C_T_OK] &&
	       t->c[C_POL_SWITCHES] >= 10 && t->c[C_POL_EXPECTED] >= 10 &&
	       t->c[C_ENF_WRITES] >= 10 && (!dm_name || t->c[C_DM_RELOADS]) &&
	       (!fsv_dir || (t->c[C_FSV_SIGNED] && t->c[C_FSV_UNSIGNED]));
}

static int race_report(int workers, int seconds, const char *stop,
		       int bad_children)
{
	struct slot t;
	int j, fail = 0;

	totals(&t);
	printf("kinds:");
	for (j = 0; j < nkinds; j++)
		printf(" %s(%c)=%ld/%ld/%ld", kinds[j], kind_trusted[j] ? 'T' : 'U',
		       t.k_ok[j], t.k_denied[j], t.k_err[j]);
	printf("  (allowed/denied/error)\n");
	CHECK(fail, t.c[C_U_ALLOWED_ENF], "untrusted allowed while enforcing");
	CHECK(fail, t.c[C_U_DENIED_PERM], "untrusted denied in permissive mode");
	CHECK(fail, t.c[C_T_DENIED], "trusted denied");
	CHECK(fail, t.c[C_OP_ERRORS], "exec/mmap failed otherwise than EACCES");
	CHECK(fail, t.c[C_POL_UNEXPECTED], "a policy write had an unexpected result");
	CHECK(fail, t.c[C_ENF_ERRORS], "an enforce write failed");
	CHECK(fail, t.c[C_DM_ERRORS], "a dm-verity reload failed");
	CHECK(fail, t.c[C_FSV_ERRORS], "enabling fs-verity failed");
	CHECK(fail, bad_children, "a process did not finish cleanly");
	/* every activity must have happened, or the run proves nothing */
	CHECK(fail, !t.c[C_U_DENIED_ENF], "no untrusted operation ran while enforcing");
	CHECK(fail, !t.c[C_U_ALLOWED_PERM], "no untrusted operation ran in permissive mode");
	CHECK(fail, !t.c[C_T_OK], "no trusted operation ran");
	CHECK(fail, t.c[C_POL_SWITCHES] < 10, "fewer than 10 policy switches");
	CHECK(fail, t.c[C_POL_EXPECTED] < 10, "fewer than 10 expected policy write failures");
	CHECK(fail, t.c[C_ENF_WRITES] < 10, "fewer than 10 enforce writes");
	CHECK(fail, dm_name && !t.c[C_DM_RELOADS], "no dm-verity reload");
	CHECK(fail, fsv_dir && (!t.c[C_FSV_SIGNED] || !t.c[C_FSV_UNSIGNED]),
	      "fs-verity was not enabled with and without a signature");
	printf("race cpus=%ld seconds=%d stop=%s workers=%d",
	       sysconf(_SC_NPROCESSORS_ONLN), seconds, stop, workers);
	for (j = 0; j < NR_C; j++)
		printf(" %s=%ld", c_names[j], t.c[j]);
	printf("\n");
	return fail;
}

static void race_usage(void)
{
	fprintf(stderr, "usage: ipestress -s SECONDS [-S MAXSECONDS] -t TREE -p POLDIR [-w WORKERS]\n"
		"  [-d DMNAME -D TABLE [-K KIND]] [-f DIR -e EXE -E SIG -l LIB -L SIG]\n"
		"  x|m:T|U:KIND:PATH...\n");
	exit(2);
}

static void race_args(int argc, char **argv, int *seconds, int *workers)
{
	int o;

	while ((o = getopt(argc, argv, "s:S:t:p:w:d:D:K:f:e:E:l:L:")) != -1) {
		switch (o) {
		case 's': *seconds = atoi(optarg); break;
		case 'S': max_seconds = atoi(optarg); break;
		case 't': tree = optarg; break;
		case 'p': poldir = optarg; break;
		case 'w': *workers = atoi(optarg); break;
		case 'd': dm_name = optarg; break;
		case 'D': dm_table = optarg; break;
		case 'K': known_dm_kind = optarg; break;
		case 'f': fsv_dir = optarg; break;
		case 'e': exe_src = optarg; break;
		case 'E': exe_sig = optarg; break;
		case 'l': lib_src = optarg; break;
		case 'L': lib_sig = optarg; break;
		default: race_usage();
		}
	}
	if (!max_seconds)
		max_seconds = 3 * *seconds;
	if (!tree || !poldir || *seconds <= 0 || max_seconds < *seconds || *workers < 1 ||
	    *workers > MAXPROC - 5 || !dm_name != !dm_table || optind >= argc)
		race_usage();
	for (; optind < argc; optind++)
		parse_item(argv[optind]);
}

static int race_main(int argc, char **argv)
{
	int seconds = 0, workers = 4, n = 0, i;
	const char *stop = "seconds";
	pid_t pids[MAXPROC];
	struct slot t;
	double start;

	race_args(argc, argv, &seconds, &workers);
	load_policies();
	if (fsv_dir)
		fsv_setup();
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	rs = shared_alloc(sizeof(*rs));
	/* about 100 in-place updates whatever the duration */
	upd_interval = seconds / (double)(vmax > 3 ? vmax - 2 : 1);
	if (upd_interval < 1)
		upd_interval = 1;
	if (writer_start())
		return 2;
	rs->enf_val = 1;
	if (twrite("enforce", "1", 1)) {
		fprintf(stderr, "ipestress: cannot write %s/enforce\n", tree);
		return 2;
	}
	start = now();
	t_end = start + seconds;
	for (i = 0; i < workers; i++, n++)
		pids[n] = spawn(worker, n);
	pids[n] = spawn(writer_switch, n), n++;
	pids[n] = spawn(writer_fail, n), n++;
	pids[n] = spawn(toggler, n), n++;
	if (dm_name)
		pids[n] = spawn(dm_reloader, n), n++;
	if (fsv_dir)
		pids[n] = spawn(fsv_churner, n), n++;
	/*
	 * SECONDS at least; then on until every activity happened often
	 * enough (a slow kernel: debug, emulated), at most MAX_SECONDS.
	 */
	for (;;) {
		usleep(100000);
		if (now() < t_end)
			continue;
		totals(&t);
		if (enough(&t))
			break;
		if (now() >= start + max_seconds) {
			stop = "max_seconds";
			break;
		}
		stop = "counts";
	}
	__atomic_store_n(&rs->stop, 1, __ATOMIC_RELEASE);
	i = reap(pids, n, now() + 60);
	/* the toggler ends on 1; make sure of it even if it died */
	if (twrite("enforce", "1", 1))
		printf("FAIL: cannot restore enforce=1\n"), i++;
	return race_report(workers, (int)(now() - start), stop, i);
}

int main(int argc, char **argv)
{
	stress_init();
	/* "ipestress race ...": the name of the mode it once was one of */
	if (argc > 1 && !strcmp(argv[1], "race"))
		argc--, argv++;
	return race_main(argc, argv);
}
