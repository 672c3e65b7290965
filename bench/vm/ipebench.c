// SPDX-License-Identifier: GPL-2.0
/*
 * bench/vm/ipebench.c: the guest side loops of the VM benchmark (make bench).
 *
 * Built with gcc -static on the host.  Each loop runs N operations and
 * prints one line of key=value pairs, timed with CLOCK_MONOTONIC.  Under
 * QEMU's -icount shift=0 a guest nanosecond is one guest instruction, so
 * the numbers are repeatable; without -icount they are wall clock.
 *
 *   ipebench exec N FILE        fork + execve(FILE nop) + wait
 *   ipebench mmap N FILE        mmap(PROT_READ|PROT_EXEC) + munmap
 *   ipebench mprotect N FILE    mmap(PROT_READ) + mprotect(+PROT_EXEC) + munmap
 *   ipebench openmmap N FILE    open + mmap(PROT_READ|PROT_EXEC) + munmap + close
 *                               (what ld.so does for a library)
 *   ipebench denied N FILE      openmmap of a file the policy denies: counts
 *                               EACCES/EPERM, whether the open or the mmap
 *                               is refused (and successes)
 *   ipebench write FILE DATA    one write() of DATA's bytes to FILE
 *   ipebench nop                exit 0 (the exec loop's target)
 *
 * The line always says how many operations succeeded (ok=) and how many
 * were refused with EACCES (denied=): the driver checks them, so a loop
 * that silently measured the wrong thing is caught.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void print_line(const char *loop, long n, long long ns, long ok,
		       long denied, long other)
{
	printf("loop=%s n=%ld ns=%lld ops_per_s=%.1f ok=%ld denied=%ld other=%ld\n",
	       loop, n, ns, ns > 0 ? n * 1e9 / (double)ns : 0.0, ok, denied,
	       other);
}

static int open_ro(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "ipebench: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

static int loop_exec(long n, const char *path)
{
	char *const argv[] = { (char *)path, "nop", NULL };
	char *const envp[] = { NULL };
	long i, ok = 0, denied = 0, other = 0;
	long long t0, t1;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0) {
			perror("ipebench: fork");
			return 2;
		}
		if (pid == 0) {
			execve(path, argv, envp);
			_exit(errno == EACCES ? 126 : 127);
		}
		if (waitpid(pid, &st, 0) < 0) {
			perror("ipebench: waitpid");
			return 2;
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 126)
			denied++;
		else
			other++;
	}
	t1 = now_ns();
	print_line("exec", n, t1 - t0, ok, denied, other);
	return 0;
}

static size_t file_len(int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0 || sb.st_size == 0) {
		fprintf(stderr, "ipebench: empty or unreadable file\n");
		exit(2);
	}
	/* one page is enough: the hook decides per mapping, not per byte */
	return sb.st_size < 4096 ? (size_t)sb.st_size : 4096;
}

static int loop_mmap(const char *name, long n, const char *path)
{
	int fd = open_ro(path);
	size_t len = file_len(fd);
	long i, ok = 0, denied = 0, other = 0;
	long long t0, t1;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		void *p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);

		if (p != MAP_FAILED) {
			munmap(p, len);
			ok++;
		} else if (errno == EACCES) {
			denied++;
		} else {
			other++;
		}
	}
	t1 = now_ns();
	close(fd);
	print_line(name, n, t1 - t0, ok, denied, other);
	return 0;
}

/* open + mmap per operation: an enforcer that decides at open (fapolicyd)
 * sees each one too. */
static int loop_openmmap(const char *name, long n, const char *path)
{
	long i, ok = 0, denied = 0, other = 0;
	size_t len = 4096;
	long long t0, t1;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		void *p;

		if (fd < 0) {
			if (errno == EACCES || errno == EPERM)
				denied++;
			else
				other++;
			continue;
		}
		p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			munmap(p, len);
			ok++;
		} else if (errno == EACCES || errno == EPERM) {
			denied++;
		} else {
			other++;
		}
		close(fd);
	}
	t1 = now_ns();
	print_line(name, n, t1 - t0, ok, denied, other);
	return 0;
}

static int loop_mprotect(long n, const char *path)
{
	int fd = open_ro(path);
	size_t len = file_len(fd);
	long i, ok = 0, denied = 0, other = 0;
	long long t0, t1;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p == MAP_FAILED) {
			other++;
			continue;
		}
		if (!mprotect(p, len, PROT_READ | PROT_EXEC))
			ok++;
		else if (errno == EACCES)
			denied++;
		else
			other++;
		munmap(p, len);
	}
	t1 = now_ns();
	close(fd);
	print_line("mprotect", n, t1 - t0, ok, denied, other);
	return 0;
}

/* write FILE DATA: the policy load, as one write() like upstream wants. */
static int cmd_write(const char *file, const char *data)
{
	int dfd = open_ro(data), fd;
	struct stat sb;
	long long t0, t1;
	ssize_t w;
	char *buf;

	if (fstat(dfd, &sb) < 0)
		return 2;
	buf = malloc(sb.st_size ? sb.st_size : 1);
	if (!buf || read(dfd, buf, sb.st_size) != sb.st_size) {
		fprintf(stderr, "ipebench: reading %s failed\n", data);
		return 2;
	}
	fd = open(file, O_WRONLY);
	if (fd < 0) {
		printf("result=%s bytes=%lld ns=0\n", strerrorname_np(errno),
		       (long long)sb.st_size);
		return 1;
	}
	t0 = now_ns();
	w = write(fd, buf, sb.st_size);
	t1 = now_ns();
	printf("result=%s bytes=%lld ns=%lld\n",
	       w == sb.st_size ? "OK" : (w < 0 ? strerrorname_np(errno) : "SHORT"),
	       (long long)sb.st_size, t1 - t0);
	close(fd);
	return w == sb.st_size ? 0 : 1;
}

int main(int argc, char **argv)
{
	long n;

	if (argc == 2 && !strcmp(argv[1], "nop"))
		return 0;
	if (argc == 4 && !strcmp(argv[1], "write"))
		return cmd_write(argv[2], argv[3]);
	if (argc == 4) {
		n = strtol(argv[2], NULL, 10);
		if (n <= 0)
			goto usage;
		if (!strcmp(argv[1], "exec"))
			return loop_exec(n, argv[3]);
		if (!strcmp(argv[1], "mmap"))
			return loop_mmap("mmap", n, argv[3]);
		if (!strcmp(argv[1], "openmmap"))
			return loop_openmmap("openmmap", n, argv[3]);
		if (!strcmp(argv[1], "denied"))
			return loop_openmmap("denied", n, argv[3]);
		if (!strcmp(argv[1], "mprotect"))
			return loop_mprotect(n, argv[3]);
	}
usage:
	fprintf(stderr, "usage: ipebench exec|mmap|mprotect|openmmap|denied N FILE | write FILE DATA | nop\n");
	return 2;
}
