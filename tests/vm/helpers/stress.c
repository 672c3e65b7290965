// SPDX-License-Identifier: GPL-2.0
/*
 * stress.c: the helpers ipestress and iperace share (see stress.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

const char *tree;

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *ename(int e)
{
	static char buf[16];

	switch (e) {
#define E(x) case x: return #x
	E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO); E(E2BIG);
	E(ENOEXEC); E(EBADF); E(EAGAIN); E(ENOMEM); E(EACCES); E(EFAULT);
	E(EBUSY); E(EEXIST); E(ENODEV); E(ENOTDIR); E(EINVAL); E(ETXTBSY);
	E(ENOSPC); E(EROFS); E(ENOSYS); E(ENODATA); E(ENOPKG); E(EBADMSG);
	E(EMSGSIZE); E(EOPNOTSUPP); E(ESTALE); E(ENOKEY); E(EKEYREJECTED);
#undef E
	case 0:
		return "OK";
	}
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

static int nmsg;

/* At most MAXMSG lines per process: a broken kernel must not flood. */
void msg(const char *fmt, ...)
{
	va_list ap;

	if (nmsg++ >= MAXMSG)
		return;
	va_start(ap, fmt);
	/* CLOCK_MONOTONIC: the clock of dmesg's timestamps, nearly */
	fprintf(stderr, "%s[%d] %.3f: ", program_invocation_short_name, getpid(), now());
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static unsigned int rnd_state;

unsigned int rnd(unsigned int n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return n ? rnd_state % n : 0;
}

/* sleep between lo and hi microseconds */
void nap(unsigned int lo, unsigned int hi)
{
	unsigned int us = lo + rnd(hi - lo + 1);
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };

	/* not usleep(): it may refuse a second or more */
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void *shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", program_invocation_short_name, strerror(errno));
		exit(2);
	}
	return p;
}

char *slurp(const char *path, size_t *len)
{
	size_t cap = 65536, n = 0;
	int fd = open(path, O_RDONLY);
	char *buf;
	ssize_t r;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while (buf && (r = read(fd, buf + n, cap - n)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	*len = n;
	return buf;
}

/* One open/write/close of TREE/REL; 0 or the errno. */
int twrite(const char *rel, const void *data, size_t len)
{
	char p[512];
	ssize_t n;
	int fd, e = 0;

	snprintf(p, sizeof(p), "%s/%s", tree, rel);
	fd = open(p, O_WRONLY);
	if (fd < 0)
		return errno;
	n = write(fd, data, len);
	if (n != (ssize_t)len)
		e = n < 0 ? errno : EIO;
	close(fd);
	return e;
}

/* TREE/REL's first byte, or -errno */
int tread_char(const char *rel)
{
	char p[512], c;
	int fd, n;

	snprintf(p, sizeof(p), "%s/%s", tree, rel);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, &c, 1);
	n = n == 1 ? c : n < 0 ? -errno : -EIO;
	close(fd);
	return n;
}

/* fork a child running fn(arg) to its end */
pid_t spawn(void (*fn)(int), int arg)
{
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", program_invocation_short_name, strerror(errno));
		exit(2);
	}
	if (pid == 0) {
		rnd_state = getpid() * 2654435761u | 1;
		nmsg = 0;
		fn(arg);
		fflush(NULL);
		_exit(0);
	}
	return pid;
}

/*
 * Wait for the children until DEADLINE; a child that is still there then
 * (stuck in the kernel) or died by a signal is an error.  Returns the
 * number of such children.
 */
int reap(pid_t *pids, int n, double deadline)
{
	int bad = 0, left = n, i, st;
	pid_t p;

	while (left > 0 && now() < deadline) {
		p = waitpid(-1, &st, WNOHANG);
		if (p <= 0) {
			usleep(20000);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (pids[i] != p)
				continue;
			pids[i] = 0;
			left--;
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				fprintf(stderr, "%s: child %d (#%d) ended with status %#x\n",
					program_invocation_short_name, p, i, st);
				bad++;
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (!pids[i])
			continue;
		fprintf(stderr, "%s: child %d (#%d) did not finish (stuck in the kernel?)\n",
			program_invocation_short_name, pids[i], i);
		kill(pids[i], SIGKILL);
		bad++;
	}
	return bad;
}

/* the parent's random seed and line-buffered output */
void stress_init(void)
{
	rnd_state = getpid() * 2654435761u | 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
}
