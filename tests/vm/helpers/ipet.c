// SPDX-License-Identifier: GPL-2.0
/*
 * ipet: the guest-side multi-call test helper of tests/vm, built with
 * gcc -static on the host. Each command performs one syscall (or a short
 * sequence) and prints "OK" or the errno name, so a test can assert the exact
 * errno; the exit status is 0 for OK and 1 otherwise.
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
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <linux/audit.h>
#include <linux/dm-ioctl.h>
#include <linux/netlink.h>

#define AUDIT_BUF 16384
#include <linux/fsverity.h>
#include <linux/kexec.h>

#ifndef KEXEC_FILE_NO_INITRAMFS
#define KEXEC_FILE_NO_INITRAMFS 0x00000004
#endif
#ifndef KEXEC_FILE_UNLOAD
#define KEXEC_FILE_UNLOAD 0x00000001
#endif

static const char *errname(int e)
{
	switch (e) {
#define E(x) case x: return #x
	E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO); E(E2BIG);
	E(ENOEXEC); E(EBADF); E(ECHILD); E(EAGAIN); E(ENOMEM); E(EACCES);
	E(EFAULT); E(EBUSY); E(EEXIST); E(EXDEV); E(ENODEV); E(ENOTDIR);
	E(EISDIR); E(EINVAL); E(ENFILE); E(EMFILE); E(ENOTTY); E(ETXTBSY);
	E(EFBIG); E(ENOSPC); E(ESPIPE); E(EROFS); E(EMLINK); E(EPIPE);
	E(ERANGE); E(ENAMETOOLONG); E(ENOSYS); E(ENOTEMPTY); E(ENODATA);
	E(ENOPKG); E(EBADMSG); E(EOVERFLOW); E(EMSGSIZE); E(EOPNOTSUPP);
	E(ESTALE); E(ENOKEY); E(EKEYEXPIRED); E(EKEYREVOKED); E(EKEYREJECTED);
	E(EBADE); E(ENOTBLK); E(ELIBBAD);
#undef E
	}
	static char buf[32];
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

static int result(int rc)
{
	if (rc < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	printf("OK\n");
	return 0;
}

static int fail(const char *what)
{
	fprintf(stderr, "ipet: %s: %s\n", what, strerror(errno));
	return 2;
}

/* Read a whole file (or stdin for "-") into memory. */
static char *slurp(const char *path, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY) : 0;
	size_t cap = 65536, n = 0;
	char *buf;
	ssize_t r;

	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf && (r = read(fd, buf + n, cap - n)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	if (fd)
		close(fd);
	if (buf)
		buf[n] = 0;
	*len = n;
	return buf;
}

/* write FILE DATAFILE|-: the whole data in one write() call. */
static int cmd_write(int argc, char **argv)
{
	size_t len;
	char *data;
	int fd;

	if (argc < 3)
		return 2;
	data = slurp(argv[2], &len);
	if (!data)
		return fail(argv[2]);
	fd = open(argv[1], O_WRONLY);
	if (fd < 0)
		return result(fd);
	return result(write(fd, data, len) == (ssize_t)len ? 0 : -1);
}

/* writes FILE STRING: write the literal string (no newline) in one call. */
static int cmd_writes(int argc, char **argv)
{
	int fd;

	if (argc < 3)
		return 2;
	fd = open(argv[1], O_WRONLY);
	if (fd < 0)
		return result(fd);
	return result(write(fd, argv[2], strlen(argv[2])) == (ssize_t)strlen(argv[2]) ? 0 : -1);
}

/* read FILE: print "OK" if a read() succeeds, else the errno. */
static int cmd_read(int argc, char **argv)
{
	char buf[4096];
	int fd;

	if (argc < 2)
		return 2;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return result(fd);
	return result(read(fd, buf, sizeof(buf)) < 0 ? -1 : 0);
}

/* rdwr FILE MODE(r|w): open O_RDWR-ish through DAC override, then do the op. */
static int cmd_rdwr(int argc, char **argv)
{
	char buf[64];
	int fd;

	if (argc < 3)
		return 2;
	fd = open(argv[1], O_RDWR);
	if (fd < 0)
		return result(fd);
	if (argv[2][0] == 'r')
		return result(read(fd, buf, sizeof(buf)) < 0 ? -1 : 0);
	return result(write(fd, "1", 1) < 0 ? -1 : 0);
}

/* mmap FILE: map it PROT_READ|PROT_EXEC, MAP_PRIVATE. */
static int cmd_mmap(int argc, char **argv)
{
	int prot = PROT_READ | PROT_EXEC;
	void *p;
	int fd;

	if (argc < 2)
		return 2;
	if (argc > 2 && !strcmp(argv[2], "noexec"))
		prot = PROT_READ;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return fail(argv[1]);
	p = mmap(NULL, 4096, prot, MAP_PRIVATE, fd, 0);
	return result(p == MAP_FAILED ? -1 : 0);
}

/* anon: anonymous PROT_EXEC memory. */
static int cmd_anon(int argc, char **argv)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return result(p == MAP_FAILED ? -1 : 0);
}

/* mprotect [FILE]: map RW (anonymous) or R (file), then add PROT_EXEC. */
static int cmd_mprotect(int argc, char **argv)
{
	void *p;
	int fd;

	if (argc > 1) {
		fd = open(argv[1], O_RDONLY);
		if (fd < 0)
			return fail(argv[1]);
		p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	} else {
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (p == MAP_FAILED)
		return fail("mmap");
	return result(mprotect(p, 4096, PROT_READ | PROT_EXEC));
}

/* memfd SRC ARGV0 [ARGS]: copy SRC into a memfd and fexecve it. */
static int cmd_memfd(int argc, char **argv, char **envp)
{
	size_t len;
	char *data;
	int fd;

	if (argc < 2)
		return 2;
	data = slurp(argv[1], &len);
	if (!data)
		return fail(argv[1]);
	fd = memfd_create("ipet", MFD_CLOEXEC);
	if (fd < 0)
		return fail("memfd_create");
	if (write(fd, data, len) != (ssize_t)len)
		return fail("write");
	fflush(stdout);
	syscall(SYS_execveat, fd, "", argv + 2, envp, AT_EMPTY_PATH);
	return result(-1);
}

/* exec FILE [ARGS]: execve, printing the errno on failure. */
static int cmd_exec(int argc, char **argv, char **envp)
{
	if (argc < 2)
		return 2;
	fflush(stdout);
	execve(argv[1], argv + 1, envp);
	return result(-1);
}

#ifndef AT_EXECVE_CHECK
#define AT_EXECVE_CHECK 0x10000	/* Linux 6.14 */
#endif

/*
 * execcheck FILE: execveat(fd, "", AT_EMPTY_PATH | AT_EXECVE_CHECK), the
 * question an interpreter asks before running a script (6.14+; EINVAL
 * before): OK when it may run, else the errno.  Nothing is executed.
 */
static int cmd_execcheck(int argc, char **argv, char **envp)
{
	char *args[] = { argv[1], NULL };
	int fd, rc;

	if (argc < 2)
		return 2;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(argv[1]);
	rc = syscall(SYS_execveat, fd, "", args, envp,
		     AT_EMPTY_PATH | AT_EXECVE_CHECK);
	close(fd);
	return result(rc);
}

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4	/* Linux 5.17 */
#endif

/* finit_module(2) of the file argv[1], with params argv[2] if given. */
static int finit_file(int argc, char **argv, int flags)
{
	int fd;

	if (argc < 2)
		return 2;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(argv[1]);
	return result(syscall(SYS_finit_module, fd, argc > 2 ? argv[2] : "",
			      flags));
}

/* finit KO [PARAMS]: finit_module(2). */
static int cmd_finit(int argc, char **argv)
{
	return finit_file(argc, argv, 0);
}

/* finitz KO [PARAMS]: finit_module(2) of a compressed module the kernel unpacks. */
static int cmd_finitz(int argc, char **argv)
{
	return finit_file(argc, argv, MODULE_INIT_COMPRESSED_FILE);
}

/* init KO [PARAMS]: init_module(2) from a buffer. */
static int cmd_init(int argc, char **argv)
{
	size_t len;
	char *data;

	if (argc < 2)
		return 2;
	data = slurp(argv[1], &len);
	if (!data)
		return fail(argv[1]);
	return result(syscall(SYS_init_module, data, len, argc > 2 ? argv[2] : ""));
}

/* kexec KERNEL [INITRD]: kexec_file_load(2), then unload again on success. */
static int cmd_kexec(int argc, char **argv)
{
	unsigned long flags = 0;
	int kfd, ifd = -1;
	long rc;

	if (argc < 2)
		return 2;
	kfd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (kfd < 0)
		return fail(argv[1]);
	if (argc > 2) {
		ifd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (ifd < 0)
			return fail(argv[2]);
	} else {
		flags |= KEXEC_FILE_NO_INITRAMFS;
	}
	rc = syscall(SYS_kexec_file_load, kfd, ifd, 1UL, "", flags);
	if (rc == 0)
		syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, KEXEC_FILE_UNLOAD);
	return result(rc);
}

/* venable FILE [SIG]: FS_IOC_ENABLE_VERITY, sha256, 4096-byte blocks. */
static int cmd_venable(int argc, char **argv)
{
	struct fsverity_enable_arg arg = {
		.version = 1,
		.hash_algorithm = FS_VERITY_HASH_ALG_SHA256,
		.block_size = 4096,
	};
	size_t len;
	char *sig;
	int fd;

	if (argc < 2)
		return 2;
	if (argc > 2) {
		sig = slurp(argv[2], &len);
		if (!sig)
			return fail(argv[2]);
		arg.sig_ptr = (uintptr_t)sig;
		arg.sig_size = len;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return fail(argv[1]);
	return result(ioctl(fd, FS_IOC_ENABLE_VERITY, &arg));
}

/*
 * vcycle DIR SRC SIG N [BATCH]: N times, copy SRC to a file in DIR and
 * enable verity on it with the signature SIG; every BATCH files (default 1),
 * unlink them all (their inodes are then evicted).  Batches keep that many
 * fsverity_info objects alive at once, so a record that is never dropped at
 * eviction cannot hide behind the allocator handing back the same address.
 * Prints "OK N" or the first failure.
 */
static int cmd_vcycle(int argc, char **argv)
{
	struct fsverity_enable_arg arg = {
		.version = 1,
		.hash_algorithm = FS_VERITY_HASH_ALG_SHA256,
		.block_size = 4096,
	};
	size_t len, siglen;
	char path[4096], *data, *sig;
	long i, j, n, batch = 1, made = 0;
	int fd;

	if (argc < 5)
		return 2;
	data = slurp(argv[2], &len);
	sig = slurp(argv[3], &siglen);
	if (!data || !sig)
		return fail("slurp");
	arg.sig_ptr = (uintptr_t)sig;
	arg.sig_size = siglen;
	n = atol(argv[4]);
	if (argc > 5)
		batch = atol(argv[5]);
	if (n < 0 || batch < 1)
		return 2;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/vcycle.%ld", argv[1], made++);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd))
			return fail("write");
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return fail("open");
		if (ioctl(fd, FS_IOC_ENABLE_VERITY, &arg) < 0) {
			printf("cycle %ld: ", i);
			return result(-1);
		}
		close(fd);
		if (made < batch && i + 1 < n)
			continue;
		for (j = 0; j < made; j++) {
			snprintf(path, sizeof(path), "%s/vcycle.%ld", argv[1], j);
			if (unlink(path))
				return fail("unlink");
		}
		made = 0;
	}
	printf("OK %ld\n", n);
	return 0;
}

/* vmeasure FILE: print "sha256:<hex>" from FS_IOC_MEASURE_VERITY. */
static int cmd_vmeasure(int argc, char **argv)
{
	struct {
		struct fsverity_digest d;
		unsigned char buf[64];
	} m = { .d.digest_size = 64 };
	int fd, i;

	if (argc < 2)
		return 2;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return fail(argv[1]);
	if (ioctl(fd, FS_IOC_MEASURE_VERITY, &m) < 0)
		return result(-1);
	printf("%s:", m.d.digest_algorithm == FS_VERITY_HASH_ALG_SHA256 ? "sha256" : "sha512");
	for (i = 0; i < m.d.digest_size; i++)
		printf("%02x", m.d.digest[i]);
	printf("\n");
	return 0;
}

static int dm_ioctl(unsigned long cmd, struct dm_ioctl *io, const char *name,
		    size_t size)
{
	int fd = open("/dev/mapper/control", O_RDWR);

	if (fd < 0)
		return -1;
	io->version[0] = DM_VERSION_MAJOR;
	io->version[1] = 0;
	io->version[2] = 0;
	io->data_size = size;
	io->data_start = sizeof(*io);
	strncpy(io->name, name, sizeof(io->name) - 1);
	cmd = ioctl(fd, cmd, io);
	close(fd);
	return cmd;
}

/*
 * dmcreate NAME SECTORS TARGET PARAMS: create a read-only single-target
 * device, load the table and resume it (dm-verity checks its root-hash
 * signature at table load; IPE records the root hash at preresume).
 */
static int cmd_dmcreate(int argc, char **argv)
{
	size_t size = sizeof(struct dm_ioctl) + sizeof(struct dm_target_spec) + 4096;
	struct dm_target_spec *spec;
	struct dm_ioctl *io;

	if (argc < 5)
		return 2;
	io = calloc(1, size);
	if (dm_ioctl(DM_DEV_CREATE, io, argv[1], sizeof(*io)) < 0)
		return result(-1);
	memset(io, 0, size);
	io->target_count = 1;
	io->flags = DM_READONLY_FLAG;
	spec = (void *)(io + 1);
	spec->sector_start = 0;
	spec->length = strtoull(argv[2], NULL, 0);
	strncpy(spec->target_type, argv[3], sizeof(spec->target_type) - 1);
	strncpy((char *)(spec + 1), argv[4], 4000);
	spec->next = 0;
	if (dm_ioctl(DM_TABLE_LOAD, io, argv[1], size) < 0) {
		int e = errno;
		struct dm_ioctl rm = { 0 };

		dm_ioctl(DM_DEV_REMOVE, &rm, argv[1], sizeof(rm));
		errno = e;
		return result(-1);
	}
	memset(io, 0, size);
	if (dm_ioctl(DM_DEV_SUSPEND, io, argv[1], sizeof(*io)) < 0)
		return result(-1);
	/* The dev_t, for the caller's mknod. */
	fprintf(stderr, "%u:%u\n", (unsigned)((io->dev >> 8) & 0xfff),
		(unsigned)((io->dev & 0xff) | ((io->dev >> 12) & 0xfff00)));
	return result(0);
}

/*
 * dmload NAME "START LEN TYPE PARAMS"...: load an inactive table of one or
 * more targets into an existing device (dmsetup reload); dmresume swaps it in.
 */
static int cmd_dmload(int argc, char **argv)
{
	size_t size = sizeof(struct dm_ioctl) + 8 * (sizeof(struct dm_target_spec) + 1024);
	struct dm_target_spec *spec;
	struct dm_ioctl *io;
	char *p;
	int i, n;

	if (argc < 3 || argc - 2 > 8)
		return 2;
	io = calloc(1, size);
	io->target_count = argc - 2;
	io->flags = DM_READONLY_FLAG;
	p = (char *)(io + 1);
	for (i = 2; i < argc; i++) {
		unsigned long long start, len;

		spec = (void *)p;
		if (sscanf(argv[i], "%llu %llu %15s %n", &start, &len,
			   spec->target_type, &n) < 3)
			return 2;
		spec->sector_start = start;
		spec->length = len;
		strncpy((char *)(spec + 1), argv[i] + n, 1000);
		spec->next = sizeof(*spec) + 1024;
		p += spec->next;
	}
	return result(dm_ioctl(DM_TABLE_LOAD, io, argv[1], size));
}

/* dmresume NAME: suspend, then resume (swapping in a loaded table). */
static int cmd_dmresume(int argc, char **argv)
{
	struct dm_ioctl io = { 0 };

	if (argc < 2)
		return 2;
	io.flags = DM_SUSPEND_FLAG;
	if (dm_ioctl(DM_DEV_SUSPEND, &io, argv[1], sizeof(io)) < 0)
		return result(-1);
	memset(&io, 0, sizeof(io));
	return result(dm_ioctl(DM_DEV_SUSPEND, &io, argv[1], sizeof(io)));
}

/* dmremove NAME */
static int cmd_dmremove(int argc, char **argv)
{
	struct dm_ioctl io = { 0 };

	if (argc < 2)
		return 2;
	return result(dm_ioctl(DM_DEV_REMOVE, &io, argv[1], sizeof(io)));
}

static int audit_send(int fd, int type, const void *data, size_t len)
{
	struct {
		struct nlmsghdr h;
		char data[1024];
	} req = { 0 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (len > sizeof(req.data))
		len = sizeof(req.data);
	req.h.nlmsg_len = NLMSG_LENGTH(len);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.h.nlmsg_seq = 1;
	memcpy(req.data, data, len);
	return sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa));
}

/* Wait for the kernel's ACK to our last request; return its errno or 0. */
static int audit_ack(int fd)
{
	char buf[8192];
	struct nlmsghdr *h = (void *)buf;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
}

/*
 * The record type as auditd (3.0.9, bookworm's) names it in its logs: the
 * types it knows by name, "UNKNOWN[N]" for the rest, IPE's among them.
 */
static const char *auditd_type_name(int type, char *buf, size_t len)
{
	static const struct { int type; const char *name; } names[] = {
		{ 1005, "USER" }, { 1300, "SYSCALL" }, { 1302, "PATH" },
		{ 1305, "CONFIG_CHANGE" }, { 1307, "CWD" }, { 1309, "EXECVE" },
		{ 1323, "MMAP" }, { 1327, "PROCTITLE" }, { 1330, "KERN_MODULE" },
		{ 1404, "MAC_STATUS" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	snprintf(buf, len, "UNKNOWN[%d]", type);
	return buf;
}

/*
 * auditd FILE [RAWFILE]: become the audit daemon (AUDIT_SET pid, enabled=1)
 * and append every record to FILE as "TYPE SERIAL TEXT", TEXT being what
 * follows "audit(<time>:<serial>): ", and to RAWFILE as auditd's RAW log
 * format writes it ("type=NAME msg=audit(...): TEXT"): the recordings
 * ipectl report is tested on.  Prints "ready" once registered.
 */
static int cmd_auditd(int argc, char **argv)
{
	struct audit_status st = {
		.mask = AUDIT_STATUS_PID | AUDIT_STATUS_ENABLED,
		.enabled = 1,
		.pid = getpid(),
	};
	static char buf[AUDIT_BUF];
	char line[AUDIT_BUF];
	struct nlmsghdr *h;
	char tname[32];
	int fd, out, raw = -1, rc;
	ssize_t n;

	if (argc < 2)
		return 2;
	out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (argc > 2) {
		raw = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (raw < 0)
			return fail("auditd");
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (out < 0 || fd < 0)
		return fail("auditd");
	if (audit_send(fd, AUDIT_SET, &st, sizeof(st)) < 0)
		return fail("AUDIT_SET");
	rc = audit_ack(fd);
	if (rc) {
		errno = -rc;
		return fail("AUDIT_SET ack");
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			return fail("recv");
		}
		/*
		 * kauditd sends one record per datagram, and (a historical quirk
		 * kept for compatibility) its nlmsg_len counts the payload only.
		 */
		h = (void *)buf;
		if (n < NLMSG_HDRLEN)
			continue;
		{
			char *txt = NLMSG_DATA(h), *end, *p, *q;
			int len = n - NLMSG_HDRLEN, l;
			unsigned long serial = 0;

			if (h->nlmsg_len < (unsigned)len)
				len = h->nlmsg_len;
			if (h->nlmsg_type < AUDIT_USER || h->nlmsg_type == AUDIT_EOE)
				continue;
			while (len > 0 && (txt[len - 1] == 0 || txt[len - 1] == '\n'))
				len--;
			txt[len] = 0;
			/* "audit(<sec>.<ms>:<serial>): <text>" */
			p = strchr(txt, ':');
			q = strchr(txt, ')');
			if (p && q && p < q)
				serial = strtoul(p + 1, NULL, 10);
			end = q ? q + 1 : txt + len;
			if (*end == ':')
				end++;
			if (*end == ' ')
				end++;
			l = snprintf(line, sizeof(line), "%d %lu %s\n", h->nlmsg_type, serial, end);
			if (write(out, line, l) != l)
				return fail("write");
			if (raw < 0)
				continue;
			l = snprintf(line, sizeof(line), "type=%s msg=%s\n",
				     auditd_type_name(h->nlmsg_type, tname, sizeof(tname)),
				     txt);
			if (l >= (int)sizeof(line))
				l = sizeof(line) - 1;
			if (write(raw, line, l) != l)
				return fail("write");
		}
	}
}

/* auditmsg TEXT: send an AUDIT_USER record (used as an ordering barrier). */
static int cmd_auditmsg(int argc, char **argv)
{
	int fd, rc;

	if (argc < 2)
		return 2;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return fail("socket");
	if (audit_send(fd, AUDIT_USER, argv[1], strlen(argv[1]) + 1) < 0)
		return fail("send");
	rc = audit_ack(fd);
	errno = -rc;
	return result(rc ? -1 : 0);
}

/* holdread FILE CMD...: open FILE, run CMD (sh -c), then read the held fd. */
static int cmd_holdread(int argc, char **argv)
{
	char buf[4096];
	int fd, st;

	if (argc < 3)
		return 2;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return result(fd);
	st = system(argv[2]);
	if (st != 0)
		fprintf(stderr, "ipet: holdread: '%s' exited %d\n", argv[2], st);
	return result(read(fd, buf, sizeof(buf)) < 0 ? -1 : 0);
}

/* nocap CAP CMD [ARGS]: drop capability number CAP everywhere, then exec CMD. */
static int cmd_nocap(int argc, char **argv, char **envp)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	int cap;

	if (argc < 3)
		return 2;
	cap = atoi(argv[1]);
	if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
		return fail("PR_CAPBSET_DROP");
	if (syscall(SYS_capget, &hdr, data) < 0)
		return fail("capget");
	data[cap / 32].effective &= ~(1u << (cap % 32));
	data[cap / 32].permitted &= ~(1u << (cap % 32));
	data[cap / 32].inheritable &= ~(1u << (cap % 32));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return fail("capset");
	execve(argv[2], argv + 2, envp);
	return fail(argv[2]);
}

int main(int argc, char **argv, char **envp)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Tests that must know the pid in an audit record ask for it here. */
	if (getenv("IPET_PID_FILE")) {
		FILE *f = fopen(getenv("IPET_PID_FILE"), "w");

		if (f) {
			fprintf(f, "%d\n", getpid());
			fclose(f);
		}
	}
	argc--, argv++;
	if (!strcmp(cmd, "hello"))
		return printf("hello\n") < 0;
	if (!strcmp(cmd, "write"))
		return cmd_write(argc, argv);
	if (!strcmp(cmd, "writes"))
		return cmd_writes(argc, argv);
	if (!strcmp(cmd, "read"))
		return cmd_read(argc, argv);
	if (!strcmp(cmd, "rdwr"))
		return cmd_rdwr(argc, argv);
	if (!strcmp(cmd, "mmap"))
		return cmd_mmap(argc, argv);
	if (!strcmp(cmd, "anon"))
		return cmd_anon(argc, argv);
	if (!strcmp(cmd, "mprotect"))
		return cmd_mprotect(argc, argv);
	if (!strcmp(cmd, "memfd"))
		return cmd_memfd(argc, argv, envp);
	if (!strcmp(cmd, "exec"))
		return cmd_exec(argc, argv, envp);
	if (!strcmp(cmd, "execcheck"))
		return cmd_execcheck(argc, argv, envp);
	if (!strcmp(cmd, "finitz"))
		return cmd_finitz(argc, argv);
	if (!strcmp(cmd, "finit"))
		return cmd_finit(argc, argv);
	if (!strcmp(cmd, "init"))
		return cmd_init(argc, argv);
	if (!strcmp(cmd, "kexec"))
		return cmd_kexec(argc, argv);
	if (!strcmp(cmd, "venable"))
		return cmd_venable(argc, argv);
	if (!strcmp(cmd, "vmeasure"))
		return cmd_vmeasure(argc, argv);
	if (!strcmp(cmd, "dmcreate"))
		return cmd_dmcreate(argc, argv);
	if (!strcmp(cmd, "holdread"))
		return cmd_holdread(argc, argv);
	if (!strcmp(cmd, "nocap"))
		return cmd_nocap(argc, argv, envp);
	if (!strcmp(cmd, "auditd"))
		return cmd_auditd(argc, argv);
	if (!strcmp(cmd, "auditmsg"))
		return cmd_auditmsg(argc, argv);
	if (!strcmp(cmd, "vcycle"))
		return cmd_vcycle(argc, argv);
	if (!strcmp(cmd, "dmload"))
		return cmd_dmload(argc, argv);
	if (!strcmp(cmd, "dmresume"))
		return cmd_dmresume(argc, argv);
	if (!strcmp(cmd, "dmremove"))
		return cmd_dmremove(argc, argv);
	fprintf(stderr, "usage: ipet hello|write|writes|read|rdwr|mmap|anon|mprotect|"
		"memfd|exec|execcheck|finit|finitz|init|kexec|venable|vcycle|vmeasure|dmcreate|dmload|dmresume|dmremove|auditd|auditmsg|holdread|nocap ...\n");
	return 2;
}
