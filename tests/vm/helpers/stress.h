/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stress.h: what ipestress (the decision race) and iperace (the removal
 * race) share: clock, errno names, bounded messages, a cheap random
 * source, shared memory, tree file I/O and child processes.  Defined in
 * stress.c, linked into both.
 */
#ifndef IPET_STRESS_H
#define IPET_STRESS_H

#include <stddef.h>
#include <sys/types.h>

#define MAXPROC 16
#define MAXMSG 8		/* messages printed per process */

struct blob {
	char *data;
	size_t len;
};

extern const char *tree;	/* the securityfs tree, e.g. /sys/kernel/security/ipe */

double now(void);
const char *ename(int e);
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned int rnd(unsigned int n);
void nap(unsigned int lo, unsigned int hi);
void *shared_alloc(size_t size);
char *slurp(const char *path, size_t *len);
int twrite(const char *rel, const void *data, size_t len);
int tread_char(const char *rel);
pid_t spawn(void (*fn)(int), int arg);
int reap(pid_t *pids, int n, double deadline);
void stress_init(void);

/* a report's verdict: print "FAIL: WHAT" and remember it in FAIL */
#define CHECK(fail, cond, what) do {			\
	if (cond) {					\
		printf("FAIL: %s\n", what);		\
		(fail) = 1;				\
	}						\
} while (0)

#endif
