// SPDX-License-Identifier: GPL-2.0
/*
 * ipestress: execute and map trusted and untrusted binaries from several
 * workers while one writer loads, updates, activates and deletes policies
 * every few milliseconds; count every outcome.
 *
 *   ipestress SECONDS TREE TRUSTED UNTRUSTED POLDIR WORKERS
 *
 * POLDIR holds a_N.p7s and b_N.p7s: policies "s_a" and "s_b" at version
 * 60000.0.N (N = 1..), all of which allow TRUSTED and deny UNTRUSTED for
 * EXECUTE.  The writer keeps one of them active and cycles:
 *   new Y@v-1, update Y to v, activate Y, delete X   (the active switches)
 * and about once a second updates the active policy in place to v+1.
 * Prints one line of counts; exit 0 only if no untrusted execution or
 * mapping was allowed, no trusted one denied, and every write succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct counts {
	long exec_trusted_ok, exec_trusted_denied;
	long exec_untrusted_denied, exec_untrusted_allowed;
	long mmap_trusted_ok, mmap_trusted_denied;
	long mmap_untrusted_denied, mmap_untrusted_allowed;
	long other_errors;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 0 ran, 1 denied (EACCES), -1 something else */
static int try_exec(const char *path)
{
	pid_t pid = vfork();
	int st = 0;

	if (pid == 0) {
		char *argv[] = { (char *)path, "true", NULL };

		execv(path, argv);
		_exit(errno == EACCES ? 126 : 127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st)) {
		fprintf(stderr, "ipestress: exec %s: pid %d status %#x\n", path,
			pid, st);
		return -1;
	}
	if (WEXITSTATUS(st) == 0)
		return 0;
	if (WEXITSTATUS(st) == 126)
		return 1;
	fprintf(stderr, "ipestress: exec %s: exit %d\n", path, WEXITSTATUS(st));
	return -1;
}

static int try_mmap(const char *path)
{
	int fd = open(path, O_RDONLY), rc;
	void *p;

	if (fd < 0) {
		fprintf(stderr, "ipestress: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	rc = p != MAP_FAILED ? 0 : errno == EACCES ? 1 : -1;
	if (rc < 0)
		fprintf(stderr, "ipestress: mmap %s: %s\n", path, strerror(errno));
	if (p != MAP_FAILED)
		munmap(p, 4096);
	close(fd);
	return rc;
}

static void worker(double end, const char *trusted, const char *untrusted,
		   int out)
{
	struct counts c = { 0 };
	int r;

	while (now() < end) {
		r = try_exec(trusted);
		if (r == 0) c.exec_trusted_ok++;
		else if (r == 1) c.exec_trusted_denied++;
		else c.other_errors++;
		r = try_exec(untrusted);
		if (r == 1) c.exec_untrusted_denied++;
		else if (r == 0) c.exec_untrusted_allowed++;
		else c.other_errors++;
		r = try_mmap(trusted);
		if (r == 0) c.mmap_trusted_ok++;
		else if (r == 1) c.mmap_trusted_denied++;
		else c.other_errors++;
		r = try_mmap(untrusted);
		if (r == 1) c.mmap_untrusted_denied++;
		else if (r == 0) c.mmap_untrusted_allowed++;
		else c.other_errors++;
	}
	if (write(out, &c, sizeof(c)) != sizeof(c))
		_exit(1);
	_exit(0);
}

static const char *tree;
static long writes, write_errors;

static void twrite(const char *rel, const void *data, size_t len)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", tree, rel);
	fd = open(p, O_WRONLY);
	writes++;
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		if (write_errors++ < 5)
			fprintf(stderr, "ipestress: write %s: %s\n", rel,
				strerror(errno));
	}
	if (fd >= 0)
		close(fd);
}

static void load(const char *dir, char name, int v, const char *where)
{
	static char buf[65536];
	char p[512];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%c_%d.p7s", dir, name, v);
	fd = open(p, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		write_errors++;
		fprintf(stderr, "ipestress: no policy file %s\n", p);
		return;
	}
	twrite(where, buf, (size_t)n);
}

static int max_version(const char *dir)
{
	char p[512];
	int v = 1;

	for (;; v++) {
		snprintf(p, sizeof(p), "%s/a_%d.p7s", dir, v + 1);
		if (access(p, F_OK))
			return v;
	}
}

/* Before any worker starts: s_a at version 2 is the active policy. */
static void writer_start(const char *dir)
{
	load(dir, 'a', 2, "new_policy");
	twrite("policies/s_a/active", "1", 1);
}

static void writer(double end, const char *dir)
{
	char x = 'a', y = 'b', rel[64];
	double next_update = now() + 1;
	int v = 2, vmax = max_version(dir);

	while (now() < end) {
		load(dir, y, v - 1, "new_policy");
		snprintf(rel, sizeof(rel), "policies/s_%c/update", y);
		load(dir, y, v, rel);
		snprintf(rel, sizeof(rel), "policies/s_%c/active", y);
		twrite(rel, "1", 1);
		snprintf(rel, sizeof(rel), "policies/s_%c/delete", x);
		twrite(rel, "1", 1);
		x ^= y; y ^= x; x ^= y;		/* x is active */
		if (now() > next_update && v + 1 <= vmax) {
			snprintf(rel, sizeof(rel), "policies/s_%c/update", x);
			load(dir, x, ++v, rel);
			next_update = now() + 1;
		}
		usleep(2000);
	}
	/* leave nothing behind: the caller resets the tree */
}

int main(int argc, char **argv)
{
	struct counts total = { 0 }, c;
	int fds[2], workers, i;
	double end;

	if (argc != 7) {
		fprintf(stderr, "usage: ipestress SECONDS TREE TRUSTED UNTRUSTED POLDIR WORKERS\n");
		return 2;
	}
	tree = argv[2];
	workers = atoi(argv[6]);
	writer_start(argv[5]);
	if (write_errors)
		return 2;
	end = now() + atof(argv[1]);
	if (pipe(fds))
		return 2;
	for (i = 0; i < workers; i++) {
		if (fork() == 0) {
			close(fds[0]);
			worker(end, argv[3], argv[4], fds[1]);
		}
	}
	close(fds[1]);
	writer(end, argv[5]);
	for (i = 0; i < workers; i++) {
		if (read(fds[0], &c, sizeof(c)) != sizeof(c))
			return 2;
		total.exec_trusted_ok += c.exec_trusted_ok;
		total.exec_trusted_denied += c.exec_trusted_denied;
		total.exec_untrusted_denied += c.exec_untrusted_denied;
		total.exec_untrusted_allowed += c.exec_untrusted_allowed;
		total.mmap_trusted_ok += c.mmap_trusted_ok;
		total.mmap_trusted_denied += c.mmap_trusted_denied;
		total.mmap_untrusted_denied += c.mmap_untrusted_denied;
		total.mmap_untrusted_allowed += c.mmap_untrusted_allowed;
		total.other_errors += c.other_errors;
	}
	while (wait(NULL) > 0)
		;
	printf("exec_trusted_ok=%ld exec_trusted_denied=%ld exec_untrusted_denied=%ld exec_untrusted_allowed=%ld "
	       "mmap_trusted_ok=%ld mmap_trusted_denied=%ld mmap_untrusted_denied=%ld mmap_untrusted_allowed=%ld "
	       "other_errors=%ld policy_writes=%ld write_errors=%ld\n",
	       total.exec_trusted_ok, total.exec_trusted_denied,
	       total.exec_untrusted_denied, total.exec_untrusted_allowed,
	       total.mmap_trusted_ok, total.mmap_trusted_denied,
	       total.mmap_untrusted_denied, total.mmap_untrusted_allowed,
	       total.other_errors, writes, write_errors);
	return total.exec_untrusted_allowed || total.mmap_untrusted_allowed ||
	       total.exec_trusted_denied || total.mmap_trusted_denied ||
	       total.other_errors || write_errors;
}
