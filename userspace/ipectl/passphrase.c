// SPDX-License-Identifier: MIT
/*
 * passphrase.c - a private key's passphrase: from a file descriptor or an
 * environment variable (scripts), else from the terminal, never echoed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ipectl.h"

/*
 * One line from @fd into @buf (at most @size bytes, the newline dropped).
 * Return its length, -EMSGSIZE if longer than @size, or -errno.
 */
static int read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0 || c == '\n')
			break;
		if (n == size)
			return -EMSGSIZE;
		buf[n++] = c;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	return (int)n;
}

/* Ask on the terminal, echo off; @what names the question. */
static int ask(int tty, const char *what, char *buf, size_t size)
{
	struct termios old, quiet;
	bool restore;
	int n;

	dprintf(tty, "%s: ", what);
	restore = !tcgetattr(tty, &old);
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		if (tcsetattr(tty, TCSAFLUSH, &quiet))
			restore = false;
	}
	n = read_line(tty, buf, size);
	if (restore)
		tcsetattr(tty, TCSAFLUSH, &old);
	return n;
}

static int from_tty(struct ipectl_pass *p, char *buf, size_t size,
		    bool confirm)
{
	char again[IPECTL_PASS_MAX];
	char prompt[4200];
	int tty, n, m = 0;

	tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty < 0)
		return -ENXIO;
	snprintf(prompt, sizeof(prompt), "Passphrase for %s", p->what);
	n = ask(tty, prompt, buf, size);
	if (n > 0 && confirm) {
		m = ask(tty, "Again", again, sizeof(again));
		if (m >= 0 && (m != n || memcmp(buf, again, (size_t)n)))
			m = -EILSEQ;
		explicit_bzero(again, sizeof(again));
	}
	close(tty);
	if (n < 0)
		return n;
	return m < 0 ? m : n;
}

/*
 * struct ipectl_passphrase's get(): the passphrase from the chosen source,
 * read once (a script's descriptor can be read only once).  An empty one
 * is refused.
 */
static int pass_get(void *ctx, char *buf, size_t size, bool confirm)
{
	struct ipectl_pass *p = ctx;
	const char *v;
	int n;

	if (!p->have) {
		if (p->fd >= 0) {
			n = read_line(p->fd, p->buf, sizeof(p->buf));
		} else if (p->env) {
			v = getenv(p->env);
			if (!v)
				n = -ENOENT;
			else if (strlen(v) > sizeof(p->buf))
				n = -EMSGSIZE;
			else
				memcpy(p->buf, v, (size_t)(n = (int)strlen(v)));
		} else {
			n = from_tty(p, p->buf, sizeof(p->buf), confirm);
		}
		if (n == 0)
			n = -ENODATA;
		if (n < 0)
			return n;
		p->len = n;
		p->have = true;
	}
	if ((size_t)p->len > size)
		return -EMSGSIZE;
	memcpy(buf, p->buf, (size_t)p->len);
	return p->len;
}

/**
 * ipectl_pass_init() - a passphrase source, nothing read yet.
 * @p: the source.
 * @what: the key it unlocks, for the terminal's prompt.
 *
 * Set @p->fd or @p->env afterwards to read from them instead of the
 * terminal.
 */
void ipectl_pass_init(struct ipectl_pass *p, const char *what)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->what = what;
	p->src.get = pass_get;
	p->src.explain = ipectl_pass_explain;
	p->src.ctx = p;
}

/**
 * ipectl_pass_set_fd() - parse --passphrase-fd's argument.
 * @p: the source.
 * @arg: a descriptor number.
 *
 * Return: 0, or -EINVAL (not a descriptor number, or not open).
 */
int ipectl_pass_set_fd(struct ipectl_pass *p, const char *arg)
{
	char *end;
	long fd;

	errno = 0;
	fd = strtol(arg, &end, 10);
	if (errno || end == arg || *end || fd < 0 || fd > 65535 ||
	    fcntl((int)fd, F_GETFD) < 0)
		return -EINVAL;
	p->fd = (int)fd;
	return 0;
}

/**
 * ipectl_pass_explain() - what a passphrase error means, for messages.
 * @err: the -errno that ended up in struct ipectl_passphrase's err.
 */
const char *ipectl_pass_explain(int err)
{
	switch (err) {
	case -ENXIO: return "no terminal to ask on: use --passphrase-fd or --passphrase-env";
	case -ENOENT: return "the environment variable is not set";
	case -ENODATA: return "the passphrase is empty";
	case -EMSGSIZE: return "the passphrase is too long";
	case -EILSEQ: return "the two passphrases differ";
	default: return strerror(-err);
	}
}

/**
 * ipectl_pass_free() - forget the passphrase.
 * @p: the source.
 */
void ipectl_pass_free(struct ipectl_pass *p)
{
	explicit_bzero(p->buf, sizeof(p->buf));
	p->have = false;
	p->len = 0;
}
