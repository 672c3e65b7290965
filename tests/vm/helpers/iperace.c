// SPDX-License-Identifier: GPL-2.0
/*
 * iperace: race writes to ipe_lkm's enforce file against removal and
 * re-insertion of the module.  ipe_lkm must not be removable while a
 * policy is active and enforce is 1 (it pins itself), and rmmod -f must
 * be refused then too.
 *
 *   iperace -s SECONDS [-S MAXSECONDS] -t TREE -k MODULE.ko -p POLICY.p7s
 *           [-T TOGGLERS]
 *
 * Processes:
 *  - TOGGLERS (default 2) write 0 or 1 to TREE/enforce, each write its
 *    own open/write/close;
 *  - a remover calls delete_module("ipe_lkm", O_NONBLOCK) in a loop, and
 *    half of the times enforce is known to be 1 with O_TRUNC as well
 *    (rmmod -f), which must then be refused (the forced kind only then:
 *    a forced removal of a module whose files are open is no test);
 *  - a re-inserter, whenever the module is gone, loads MODULE.ko
 *    (finit_module), loads and activates POLICY.p7s and checks that
 *    enforce reads 1 (the default), then lets the toggling resume.
 *
 * Phases (shared memory): GONE, INSERTING (insmod, policy load and
 * activation under way: 2 to 20 s and more on 6.12 under TCG on a busy
 * host), READY (the module is back with its policy active and enforce
 * 1).  The togglers and the remover act only while READY, so nothing is
 * removed or toggled half-way through a re-insertion, and a successful
 * removal (GONE) ends it.  Each READY period (a cycle) begins with a
 * dwell: the remover tries removals only while the mark below says IS1,
 * until DWELL_PINNED of them plain and DWELL_FORCED forced (a random one
 * more of each) were refused (or DWELL_MAX_S passed); the togglers toggle
 * meanwhile.  Then it tries whatever the mark says, and a removal
 * succeeds once enforce is 0 and no tree file is open.  So every cycle,
 * however slow the machine, has removals refused while pinned, forced
 * ones refused, and writes of both values, before a removal races the
 * writes.
 *
 * Duration: at least SECONDS; then on until the minimum counts are
 * reached (MIN_REMOVALS removals, MIN_REFUSED plain and MIN_FORCED
 * forced removals refused while IS1, MIN_WRITES writes of 1 and of 0)
 * or a violation was seen; never past MAXSECONDS (default 4 x SECONDS),
 * where the counts not reached fail the run.
 *
 * The mark: a 64-bit word in shared memory, IS1 (bit 0), the number of
 * writes of 0 in flight (bits 1-7) and a generation (bits 8-63) bumped
 * by every start and end of a write of 0, every removal and insertion.
 * A toggler clears IS1 and counts itself in BEFORE it writes 0; it sets
 * IS1 only AFTER a write of 1 returned success and the policy still reads
 * as active, and only if no write of 0 was in flight when it started and
 * the generation did not move (so the 1 is certainly the last value
 * written); setting it again when it is set counts as well (an IS1
 * event).  Togglers write 1 three times out of four.  A removal that
 * succeeds while the mark says IS1 -- checked right after delete_module()
 * returns -- or during which an IS1 event happened is a violation: a
 * write of 1 completed with the policy active, no write of 0 after it
 * started, yet the module is gone.  (A correct module refuses the
 * removal while such a write is in flight or done, or fails the write.)
 * "pinned before": IS1 held from before the removal to its end; "race":
 * it was set during it.  Writes of 0 and removals exclude each other (a
 * lock in shared memory; writes of 1 run freely): delete_module() decides
 * some time after it was called (the task may be preempted first, for
 * long under TCG), and a write of 1 then a write of 0 completing in that
 * time would let a correct module go "during an IS1 event".  With no
 * write of 0 under way, a write of 1 that completes during the removal is
 * the last value written when it decides, or completes after the module
 * went: either way a module that goes is at fault.  A refusal
 * (EWOULDBLOCK) with the mark at IS1 and unchanged from before the call
 * to after it counts as refused while pinned (refused_pinned, or
 * forced_refused), any other as refused_other (a tree file open, or
 * enforce perhaps 0).
 * Expected results: delete_module 0, EWOULDBLOCK (pinned, or in use) or
 * EBUSY (initialising or going); the forced one EWOULDBLOCK only;
 * insmod, the policy load and activation after it: 0; a write to enforce
 * 0, or while a removal is in progress ENOENT, ENODEV, EBUSY or EAGAIN
 * (going_errno()).  Anything else is counted as unexpected and fails.
 * Each successful removal prints a line: how long it took, how many
 * enforce writes completed meanwhile, the mark before and after.
 * At the end the module is removed once more (enforce 0 first) and
 * inserted fresh: no policy, enforce 1, as after the harness's insmod.
 * The last line printed: "rmrace" and the counts ("name=value").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stress.h"

#define MODNAME "ipe_lkm"
#define IS1 1ULL
#define INF_ONE 2ULL
#define INF_MASK 0xfeULL
#define GEN_ONE 0x100ULL

/* the dwell of each cycle (see above) */
#define DWELL_PINNED 2
#define DWELL_FORCED 2
#define DWELL_MAX_S 10.0

/* what a run must have done to prove anything */
#define MIN_REMOVALS 3
#define MIN_REFUSED 5
#define MIN_FORCED 5
#define MIN_WRITES 10

enum { PH_GONE, PH_INSERTING, PH_READY };

enum {
	M_REMOVALS, M_REFUSED_PINNED, M_REFUSED_OTHER, M_BUSY,
	M_FORCED, M_FORCED_REFUSED, M_FORCED_OK,
	M_VIOL_BEFORE, M_VIOL_RACE, M_REINSERTS, M_WRITE1, M_WRITE0,
	M_WRITE_DURING_RM, M_TOGGLE_GONE, M_UNEXPECTED, NR_M
};

static const char *const m_names[NR_M] = {
	"removals", "refused_pinned", "refused_other", "refused_ebusy",
	"forced_attempts", "forced_refused", "forced_removed",
	"violations_pinned_before", "violations_race", "reinserts",
	"enforce_writes_1", "enforce_writes_0", "enforce_writes_in_removals",
	"enforce_writes_module_gone", "unexpected",
};

struct mslot {
	long c[NR_M];
};

struct mshared {
	uint64_t mark;
	int zlock;		/* writes of 0 and removals exclude each other */
	int phase;
	unsigned long cycle;	/* bumped by every re-insertion (READY) */
	unsigned long rm_seq;	/* odd while delete_module() runs */
	unsigned long writes_ok;	/* successful enforce writes */
	unsigned long is1_events;	/* times a toggler set or confirmed IS1 */
	int stop, aborted;
	struct mslot slot[MAXPROC];
};

static struct mshared *ms;
static const char *mod_path, *pol_path;
static struct blob rm_policy;
static char rm_polname[64], rm_active[128];	/* policies/NAME/active */

static int mstopped(void)
{
	return __atomic_load_n(&ms->stop, __ATOMIC_ACQUIRE);
}

static uint64_t mark_get(void)
{
	return __atomic_load_n(&ms->mark, __ATOMIC_SEQ_CST);
}

/* mark = f(mark), atomically */
static void mark_update(uint64_t (*f)(uint64_t))
{
	uint64_t m = mark_get();

	while (!__atomic_compare_exchange_n(&ms->mark, &m, f(m), 0,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
}

static uint64_t m_zero_begin(uint64_t m) { return (m + GEN_ONE + INF_ONE) & ~IS1; }
static uint64_t m_zero_end(uint64_t m) { return (m + GEN_ONE - INF_ONE) & ~IS1; }
static uint64_t m_gone(uint64_t m) { return (m + GEN_ONE) & ~IS1; }
static uint64_t m_fresh(uint64_t m)
{
	/* set only with no write of 0 in flight */
	return (m + GEN_ONE) | ((m & INF_MASK) ? 0 : IS1);
}

/* after a successful write of 1 that started when the mark was M0 */
static void mark_set_is1(uint64_t m0)
{
	if (m0 & INF_MASK)
		return;
	/* (also when IS1 was set already: then it confirms it) */
	if (__atomic_compare_exchange_n(&ms->mark, &m0, m0 | IS1, 0,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		__atomic_add_fetch(&ms->is1_events, 1, __ATOMIC_SEQ_CST);
}

static int trylock(int *l)
{
	return !__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE);
}

static void unlock(int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

static int phase(void)
{
	return __atomic_load_n(&ms->phase, __ATOMIC_SEQ_CST);
}

static void set_phase(int p)
{
	__atomic_store_n(&ms->phase, p, __ATOMIC_SEQ_CST);
}

static unsigned long rm_seq(void)
{
	return __atomic_load_n(&ms->rm_seq, __ATOMIC_SEQ_CST);
}

static void rm_seq_bump(void)
{
	__atomic_add_fetch(&ms->rm_seq, 1, __ATOMIC_SEQ_CST);
}

static int delete_module(unsigned int flags)
{
	return syscall(SYS_delete_module, MODNAME, flags) ? errno : 0;
}

static int module_present(void)
{
	return !access("/sys/module/" MODNAME, F_OK);
}

/* one write of V to enforce, by the protocol above; 0 or errno */
static int rm_toggle(struct mslot *s, int v)
{
	uint64_t m0;
	int e;

	if (v) {
		m0 = mark_get();
		e = twrite("enforce", "1", 1);
		/* and the policy is still active after it: IS1 */
		if (!e && tread_char(rm_active) == '1')
			mark_set_is1(m0);
		return e;
	}
	while (!trylock(&ms->zlock)) {
		if (mstopped())
			return EINTR;
		usleep(200);	/* a removal may take seconds */
	}
	mark_update(m_zero_begin);
	e = twrite("enforce", "0", 1);
	mark_update(m_zero_end);
	unlock(&ms->zlock);
	return e;
}

/*
 * How a write to enforce may fail while the module is being removed: the
 * tree is gone (ENOENT), the file was opened while the module was going
 * (ENODEV: fops_get() of a module past its point of no return), or the
 * module refuses a change it cannot honour any more (EBUSY, EAGAIN).
 */
static int going_errno(int e)
{
	return e == ENOENT || e == ENODEV || e == EBUSY || e == EAGAIN;
}

static void rm_toggler(int id)
{
	struct mslot *s = &ms->slot[id];
	unsigned long r0;
	int v, e;

	while (!mstopped()) {
		r0 = rm_seq();
		if (phase() != PH_READY) {
			usleep(2000);
			continue;
		}
		v = rnd(4) != 0;	/* mostly 1: what a removal must not undo */
		e = rm_toggle(s, v);
		if (!e) {
			s->c[v ? M_WRITE1 : M_WRITE0]++;
			__atomic_add_fetch(&ms->writes_ok, 1, __ATOMIC_SEQ_CST);
		} else if (e == EINTR && mstopped()) {
			break;
		} else if (going_errno(e) && ((r0 & 1) || r0 != rm_seq())) {
			s->c[M_TOGGLE_GONE]++;	/* the module went away meanwhile */
			/*
			 * Past its point of no return every write fails so:
			 * leave the CPUs to the removal (slow under TCG).
			 */
			nap(1000, 4000);
			continue;
		} else {
			s->c[M_UNEXPECTED]++;
			msg("write %d to enforce: %s", v, ename(e));
		}
		nap(0, rnd(4) ? 300 : 3000);
	}
}

/*
 * After a successful removal that began with the mark at M0 and the IS1
 * event count at EV0: a violation if the mark says IS1 now, or if a
 * toggler set or confirmed IS1 meanwhile (a write of 1 completed with
 * the policy active while the module was being removed).
 */
static void rm_gone(struct mslot *s, uint64_t m0, uint64_t m1,
		    unsigned long ev0, int forced)
{
	unsigned long ev = __atomic_load_n(&ms->is1_events, __ATOMIC_SEQ_CST) - ev0;

	set_phase(PH_GONE);
	mark_update(m_gone);
	if (forced) {
		s->c[M_FORCED_OK]++;
		msg("VIOLATION: rmmod -f removed " MODNAME " while enforce was 1 with a policy active");
		return;
	}
	s->c[M_REMOVALS]++;
	if (!(m1 & IS1) && !ev)
		return;
	s->c[(m0 & IS1) && m1 == m0 ? M_VIOL_BEFORE : M_VIOL_RACE]++;
	msg("VIOLATION: " MODNAME " removed although enforce was 1 with a policy active "
	    "(%s; %lu writes of 1 confirmed during the removal; mark %#llx -> %#llx)",
	    (m0 & IS1) && m1 == m0 ? "from before the removal to its end" :
	    (m1 & IS1) ? "at the end of the removal" : "during the removal",
	    ev, (unsigned long long)m0, (unsigned long long)m1);
}

/*
 * One delete_module(), with O_TRUNC (rmmod -f) if FORCED, while no write
 * of 0 is under way (zlock); with IS1_ONLY, and always when FORCED, only
 * if the mark says IS1 (the forced kind only then: a forced removal of a
 * module whose files are open is no test).  Returns 1 if it was refused
 * (EWOULDBLOCK) with the mark at IS1 from before the call to after it.
 */
static int rm_try(struct mslot *s, int forced, int is1_only)
{
	unsigned long w0, w1, ev0;
	uint64_t m0, m1;
	double t0;
	int e;

	if (!trylock(&ms->zlock))
		return 0;
	m0 = mark_get();
	if ((forced || is1_only) && !(m0 & IS1)) {
		unlock(&ms->zlock);
		return 0;
	}
	ev0 = __atomic_load_n(&ms->is1_events, __ATOMIC_SEQ_CST);
	w0 = __atomic_load_n(&ms->writes_ok, __ATOMIC_SEQ_CST);
	t0 = now();
	rm_seq_bump();
	e = delete_module(O_NONBLOCK | (forced ? O_TRUNC : 0));
	m1 = mark_get();
	if (forced)
		s->c[M_FORCED]++;
	if (!e && !forced) {
		w1 = __atomic_load_n(&ms->writes_ok, __ATOMIC_SEQ_CST);
		s->c[M_WRITE_DURING_RM] += w1 - w0;
		if (s->c[M_REMOVALS] < 8)
			printf("removal %ld: %.3f s, %lu enforce writes completed during it, mark %#llx -> %#llx\n",
			       s->c[M_REMOVALS] + 1, now() - t0, w1 - w0,
			       (unsigned long long)m0, (unsigned long long)m1);
	}
	if (!e)
		rm_gone(s, m0, m1, ev0, forced);
	rm_seq_bump();
	unlock(&ms->zlock);
	if (e == EWOULDBLOCK && forced) {
		s->c[M_FORCED_REFUSED]++;
		return 1;
	}
	if (e == EWOULDBLOCK && (m0 & IS1) && m1 == m0) {
		s->c[M_REFUSED_PINNED]++;
		return 1;
	}
	if (e == EWOULDBLOCK && !forced) {
		s->c[M_REFUSED_OTHER]++;	/* in use, or enforce may be 0 */
	} else if (e == EBUSY && !forced) {
		s->c[M_BUSY]++;		/* still initialising or going */
	} else if (e) {
		s->c[M_UNEXPECTED]++;
		msg("%s: %s", forced ? "rmmod -f while enforcing" : "delete_module", ename(e));
	}
	return 0;
}

/*
 * Removals while READY only.  A cycle's dwell first (see the header):
 * removals only while the mark says IS1, the missing kind first, until
 * enough of both were refused; then the removals of any moment, forced
 * half of the times enforce is known to be 1.
 */
static void rm_remover(int id)
{
	struct mslot *s = &ms->slot[id];
	int want_p = 0, want_f = 0, got_p = 0, got_f = 0, dwell, forced;
	unsigned long cycle = 0, c;
	double t_ready = 0;

	while (!mstopped()) {
		if (phase() != PH_READY) {
			usleep(1000);
			continue;
		}
		c = __atomic_load_n(&ms->cycle, __ATOMIC_SEQ_CST);
		if (c != cycle) {
			cycle = c;
			got_p = got_f = 0;
			want_p = DWELL_PINNED + rnd(2);
			want_f = DWELL_FORCED + rnd(2);
			t_ready = now();
		}
		dwell = (got_p < want_p || got_f < want_f) &&
			now() - t_ready < DWELL_MAX_S;
		if (!(mark_get() & IS1)) {
			if (dwell) {
				usleep(200);	/* until a toggler sets IS1 again */
				continue;
			}
			rm_try(s, 0, 0);
		} else {
			if (dwell && got_f < want_f && got_p >= want_p)
				forced = 1;
			else if (dwell && got_p < want_p && got_f >= want_f)
				forced = 0;
			else
				forced = rnd(2);
			if (forced)
				got_f += rm_try(s, 1, 1);
			else
				got_p += rm_try(s, 0, dwell);
		}
		nap(0, 2000);
	}
}

/* insmod, load and activate the policy; 0 or errno (reported) */
static int rm_insert(struct mslot *s, int with_policy)
{
	int fd = open(mod_path, O_RDONLY | O_CLOEXEC), e;

	if (fd < 0)
		return errno;
	e = syscall(SYS_finit_module, fd, "", 0) ? errno : 0;
	close(fd);
	if (e == EEXIST && !module_present() && !access(tree, F_OK))
		msg("insmod %s: EEXIST: %s outlived the module removed before "
		    "(its init cannot create the tree again)", mod_path, tree);
	else if (e)
		msg("insmod %s: %s", mod_path, ename(e));
	if (e)
		return e;
	if (!with_policy)
		return 0;
	e = twrite("new_policy", rm_policy.data, rm_policy.len);
	if (!e)
		e = twrite(rm_active, "1", 1);
	if (e == ENOENT && tread_char("enforce") < 0)
		msg("loading %s after insmod: ENOENT: %s has no enforce file: a directory "
		    "left behind by the module removed before (the new one made "
		    "another tree)", rm_polname, tree);
	else if (e)
		msg("loading/activating %s after insmod: %s", rm_polname, ename(e));
	if (e)
		return e;
	if ((e = tread_char("enforce")) != '1') {
		msg("enforce after insmod reads %d, not '1'", e);
		return EINVAL;
	}
	return 0;
}

static void rm_reinserter(int id)
{
	struct mslot *s = &ms->slot[id];

	while (!mstopped()) {
		if (phase() != PH_GONE) {
			usleep(1000);
			continue;
		}
		set_phase(PH_INSERTING);
		if (rm_insert(s, 1)) {
			/* nothing more to learn from a module that cannot come back */
			s->c[M_UNEXPECTED]++;
			msg("aborting: " MODNAME " could not be brought back with its policy");
			ms->aborted = 1;
			__atomic_store_n(&ms->stop, 1, __ATOMIC_RELEASE);
			break;
		}
		s->c[M_REINSERTS]++;
		mark_update(m_fresh);	/* policy active, enforce 1 */
		__atomic_add_fetch(&ms->cycle, 1, __ATOMIC_SEQ_CST);
		set_phase(PH_READY);
	}
}

/* remove the module for good: enforce 0, then delete_module; 0 or errno */
static int rm_final_remove(void)
{
	int e = 0, i;

	for (i = 0; i < 50 && module_present(); i++) {
		twrite("enforce", "0", 1);
		e = delete_module(O_NONBLOCK);
		if (!e)
			return 0;
		usleep(100000);
	}
	return module_present() ? e : 0;
}

static void totals(struct mslot *t)
{
	int i, j;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < MAXPROC; i++)
		for (j = 0; j < NR_M; j++)
			t->c[j] += __atomic_load_n(&ms->slot[i].c[j], __ATOMIC_RELAXED);
}

static long violations(const struct mslot *t)
{
	return t->c[M_VIOL_BEFORE] + t->c[M_VIOL_RACE] + t->c[M_FORCED_OK];
}

/* the minimum counts of a run (see the header) */
static const struct {
	int c;
	long min;
	const char *what;
} minimum[] = {
	{ M_REMOVALS, MIN_REMOVALS, "removals (module cycles)" },
	{ M_REFUSED_PINNED, MIN_REFUSED,
	  "removals refused while enforce was 1 with the policy active (never pinned?)" },
	{ M_FORCED_REFUSED, MIN_FORCED,
	  "forced removals refused while enforce was 1 with the policy active" },
	{ M_WRITE1, MIN_WRITES, "writes of 1 to enforce" },
	{ M_WRITE0, MIN_WRITES, "writes of 0 to enforce" },
};

/* 1 if a minimum count was not reached; with PRINT, a FAIL line each */
static int short_counts(const struct mslot *t, int print)
{
	unsigned int i;
	int fail = 0;

	for (i = 0; i < sizeof(minimum) / sizeof(minimum[0]); i++) {
		if (t->c[minimum[i].c] >= minimum[i].min)
			continue;
		fail = 1;
		if (print)
			printf("FAIL: fewer than %ld %s\n", minimum[i].min, minimum[i].what);
	}
	return fail;
}

static int rm_report(const char *stop, int seconds, int min_s, int max_s,
		     int togglers, int bad)
{
	struct mslot t;
	int j, fail = 0;

	totals(&t);
	CHECK(fail, t.c[M_VIOL_BEFORE] || t.c[M_VIOL_RACE],
	      MODNAME " was removed while enforcing with a policy active");
	CHECK(fail, t.c[M_FORCED_OK], "rmmod -f removed " MODNAME " while enforcing");
	CHECK(fail, t.c[M_UNEXPECTED], "an operation had an unexpected result");
	CHECK(fail, bad, "a process did not finish cleanly");
	CHECK(fail, ms->aborted, "aborted early: " MODNAME " could not be brought back");
	if (!ms->aborted && !violations(&t) && short_counts(&t, 1))
		fail = 1;
	printf("rmrace cpus=%ld seconds=%d min_seconds=%d max_seconds=%d stop=%s togglers=%d",
	       sysconf(_SC_NPROCESSORS_ONLN), seconds, min_s, max_s, stop, togglers);
	for (j = 0; j < NR_M; j++)
		printf(" %s=%ld", m_names[j], t.c[j]);
	printf(" violations=%ld\n", violations(&t));
	return fail;
}

/* policy_name= of the policy file, for its active file */
static int rm_setup(void)
{
	char *p;
	size_t n;

	rm_policy.data = slurp(pol_path, &rm_policy.len);
	p = rm_policy.data ? memmem(rm_policy.data, rm_policy.len, "policy_name=", 12) : NULL;
	if (!p) {
		fprintf(stderr, "iperace: %s: no policy_name= in it\n", pol_path);
		return 2;
	}
	p += 12;
	n = strcspn(p, " \n");
	if (n == 0 || n >= sizeof(rm_polname) || p + n > rm_policy.data + rm_policy.len)
		return 2;
	memcpy(rm_polname, p, n);
	snprintf(rm_active, sizeof(rm_active), "policies/%s/active", rm_polname);
	ms = shared_alloc(sizeof(*ms));
	/* start from nothing: whatever the harness loaded goes first */
	if (rm_final_remove()) {
		fprintf(stderr, "iperace: cannot remove " MODNAME " to begin\n");
		return 2;
	}
	ms->phase = PH_GONE;
	return 0;
}

/*
 * Wait for the end: MIN_S seconds, then the minimum counts or a
 * violation, at most MAX_S seconds; returns why it ended.
 */
static const char *rm_wait(double start, int min_s, int max_s)
{
	struct mslot t;
	double el;

	for (;;) {
		usleep(100000);
		if (mstopped())
			return "aborted";
		el = now() - start;
		if (el >= max_s)
			return "max_seconds";
		if (el < min_s)
			continue;
		totals(&t);
		if (violations(&t))
			return "violation";
		if (!short_counts(&t, 0))
			return "counts";
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: iperace -s SECONDS [-S MAXSECONDS] -t TREE -k MODULE.ko -p POLICY.p7s [-T TOGGLERS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int min_s = 0, max_s = 0, togglers = 2, n = 0, i, fail, e, o;
	pid_t pids[MAXPROC];
	const char *stop;
	double start;

	stress_init();
	while ((o = getopt(argc, argv, "s:S:t:k:p:T:")) != -1) {
		switch (o) {
		case 's': min_s = atoi(optarg); break;
		case 'S': max_s = atoi(optarg); break;
		case 't': tree = optarg; break;
		case 'k': mod_path = optarg; break;
		case 'p': pol_path = optarg; break;
		case 'T': togglers = atoi(optarg); break;
		default: usage();
		}
	}
	if (!max_s)
		max_s = 4 * min_s;
	if (min_s <= 0 || max_s < min_s || !tree || !mod_path || !pol_path ||
	    togglers < 1 || togglers > MAXPROC - 2 || optind != argc)
		usage();
	if (rm_setup())
		return 2;
	start = now();
	for (i = 0; i < togglers; i++, n++)
		pids[n] = spawn(rm_toggler, n);
	pids[n] = spawn(rm_remover, n), n++;
	pids[n] = spawn(rm_reinserter, n), n++;
	stop = rm_wait(start, min_s, max_s);
	__atomic_store_n(&ms->stop, 1, __ATOMIC_RELEASE);
	i = reap(pids, n, now() + 120);
	fail = rm_report(stop, now() - start + 0.5, min_s, max_s, togglers, i);
	/* leave a fresh module behind: no policy, enforce 1 */
	e = rm_final_remove();
	if (!e)
		e = rm_insert(&ms->slot[0], 0);
	if (!e && tread_char("enforce") != '1')
		e = ENOENT;
	if (e) {
		printf("FAIL: " MODNAME " could not be reloaded at the end: %s\n", ename(e));
		fail = 1;
	}
	return fail;
}
