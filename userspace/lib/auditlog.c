// SPDX-License-Identifier: MIT
/*
 * auditlog.c - feed audit records to libauparse: auditd's log files (RAW or
 * ENRICHED, node= prefixes of a central collector), standard input, and the
 * systemd journal, whose audit entries are turned back into the lines auditd
 * would have written, so that one parser reads them all.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "auditlog.h"

static const char *const skip_names[__IPE_SKIP_MAX] = {
	[IPE_SKIP_NOT_AUDIT] = "not-audit",
	[IPE_SKIP_TOO_LONG] = "line-too-long",
	[IPE_SKIP_MISSING] = "missing-field",
	[IPE_SKIP_DUPLICATE] = "duplicate-field",
	[IPE_SKIP_BAD_VALUE] = "bad-value",
	[IPE_SKIP_BAD_HEX] = "bad-hex",
	[IPE_SKIP_TRUNCATED] = "truncated",
};

/**
 * ipe_skip_name() - the name of a reason to skip, as reports print it.
 * @why: the reason.
 *
 * Return: a static string.
 */
const char *ipe_skip_name(enum ipe_skip why)
{
	return why < __IPE_SKIP_MAX ? skip_names[why] : "?";
}

static void on_event(auparse_state_t *au, auparse_cb_event_t type, void *data)
{
	struct ipe_auditlog *l = data;

	if (type == AUPARSE_CB_EVENT_READY)
		l->fn(au, l->data);
}

/**
 * ipe_auditlog_init() - a parser that calls @fn for each event.
 * @l: zeroed or not, filled in.
 * @fn: called with the parser on its event.
 * @data: passed to @fn.
 *
 * Return: 0, -ENOMEM.
 */
int ipe_auditlog_init(struct ipe_auditlog *l, ipe_auditlog_fn fn, void *data)
{
	memset(l, 0, sizeof(*l));
	l->line = malloc(IPE_AUDITLOG_LINE_MAX + 1);
	if (!l->line)
		return -ENOMEM;
	l->au = auparse_init(AUSOURCE_FEED, NULL);
	if (!l->au) {
		free(l->line);
		return -ENOMEM;
	}
	l->fn = fn;
	l->data = data;
	auparse_add_callback(l->au, on_event, l, NULL);
	return 0;
}

/* 1 to @max digits then @stop: advance *p past both. */
static bool digits_then(const char **p, const char *end, size_t max,
			char stop)
{
	const char *s = *p;

	while (s < end && isdigit((unsigned char)*s))
		s++;
	if (s == *p || (size_t)(s - *p) > max || s >= end || *s != stop)
		return false;
	*p = s + 1;
	return true;
}

/*
 * Whether a line has the shape of an audit record, "[node=N ]type=T
 * msg=audit(S.MS:ID):" (S up to 12 digits, MS 3), before libauparse, which takes any line and does
 * not say what it dropped, sees it.
 */
static bool looks_like_record(const char *s, size_t len)
{
	const char *end = s + len, *p;

	if (memchr(s, '\0', len))
		return false;
	if (len > 5 && !memcmp(s, "node=", 5)) {
		s = memchr(s, ' ', len);
		if (!s)
			return false;
		s++;
	}
	if (end - s < 5 || memcmp(s, "type=", 5))
		return false;
	p = memchr(s, ' ', (size_t)(end - s) < 128 ? (size_t)(end - s) : 128);
	if (!p || end - p < 11 || memcmp(p, " msg=audit(", 11))
		return false;
	p += 11;
	/* libauparse drops a time past its unsigned long without a word */
	return digits_then(&p, end, 12, '.') && digits_then(&p, end, 3, ':') &&
	       digits_then(&p, end, 20, ')') && p < end && *p == ':';
}

/*
 * One whole line, without its newline.  An ENRICHED line's interpreted part,
 * after a 0x1d, is cut off: the raw fields say it all, and libauparse
 * 3.0.9 leaves a '\r' of it on the last field's value.
 */
static void take_line(struct ipe_auditlog *l, const char *s, size_t len)
{
	const char *gs = memchr(s, 0x1d, len);

	if (gs)
		len = (size_t)(gs - s);
	while (len && (s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	if (!len)
		return;
	if (!looks_like_record(s, len)) {
		l->skipped[IPE_SKIP_NOT_AUDIT]++;
		return;
	}
	auparse_feed(l->au, s, len);
	auparse_feed(l->au, "\n", 1);
}

/* Bytes of a line that did not end in the buffer read. */
static void keep_partial(struct ipe_auditlog *l, const char *s, size_t len)
{
	if (l->discarding)
		return;
	if (l->len + len > IPE_AUDITLOG_LINE_MAX) {
		l->skipped[IPE_SKIP_TOO_LONG]++;
		l->discarding = true;
		l->len = 0;
		return;
	}
	memcpy(l->line + l->len, s, len);
	l->len += len;
}

/* Split what was read into lines; keep the unfinished one. */
static void take_bytes(struct ipe_auditlog *l, const char *buf, size_t n)
{
	const char *p = buf, *end = buf + n, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		if (l->discarding) {
			l->discarding = false;
		} else if (l->len) {
			keep_partial(l, p, (size_t)(nl - p));
			if (!l->discarding)
				take_line(l, l->line, l->len);
			l->discarding = false;
			l->len = 0;
		} else if ((size_t)(nl - p) > IPE_AUDITLOG_LINE_MAX) {
			l->skipped[IPE_SKIP_TOO_LONG]++;
		} else {
			take_line(l, p, (size_t)(nl - p));
		}
		p = nl + 1;
	}
	if (p < end)
		keep_partial(l, p, (size_t)(end - p));
}

/**
 * ipe_auditlog_feed_fd() - feed every line of an open file or pipe.
 * @l: the parser.
 * @fd: read to its end, not closed.
 *
 * A last line without a newline is taken as it is.
 *
 * Return: 0, -ENOMEM, or read()'s -errno.
 */
int ipe_auditlog_feed_fd(struct ipe_auditlog *l, int fd)
{
	size_t size = 1u << 20;
	char *buf = malloc(size);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	while ((n = read(fd, buf, size)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			free(buf);
			return (int)n;
		}
		take_bytes(l, buf, (size_t)n);
	}
	free(buf);
	if (l->len && !l->discarding)
		take_line(l, l->line, l->len);
	l->len = 0;
	l->discarding = false;
	return 0;
}

/* A journal field's value (after "NAME="), or NULL. */
static const char *jfield(sd_journal *j, const char *name, size_t *len)
{
	size_t nlen = strlen(name);
	const void *d;
	size_t n;

	if (sd_journal_get_data(j, name, &d, &n) < 0 || n <= nlen)
		return NULL;
	*len = n - nlen - 1;
	return (const char *)d + nlen + 1;
}

/* A journal field holding a decimal number. */
static bool jnumber(sd_journal *j, const char *name, uint64_t *v)
{
	char buf[24], *end;
	const char *s;
	size_t n;

	s = jfield(j, name, &n);
	if (!s || !n || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return !errno && !*end && isdigit((unsigned char)buf[0]);
}

/*
 * The line auditd would have written for one journal entry.  journald
 * (journald-audit.c) keeps the kernel's text after "audit(S.MS:ID): " as
 * MESSAGE, prefixed with the type's name and a space, the type as
 * _AUDIT_TYPE, the serial as _AUDIT_ID, the time as
 * _SOURCE_REALTIME_TIMESTAMP (S * 10^6 + MS * 10^3); the host is _HOSTNAME.
 */
static int journal_line(sd_journal *j, char *buf,
			size_t size)
{
	uint64_t type, id, us;
	const char *msg, *host, *sp;
	size_t mlen, hlen = 0;
	int n;

	msg = jfield(j, "MESSAGE", &mlen);
	if (!jnumber(j, "_AUDIT_TYPE", &type) || !jnumber(j, "_AUDIT_ID", &id) ||
	    !msg || !(sp = memchr(msg, ' ', mlen)))
		return -EBADMSG;
	if (!jnumber(j, "_SOURCE_REALTIME_TIMESTAMP", &us) &&
	    sd_journal_get_realtime_usec(j, &us) < 0)
		return -EBADMSG;
	mlen -= (size_t)(sp + 1 - msg);
	msg = sp + 1;
	host = jfield(j, "_HOSTNAME", &hlen);
	if (!host || memchr(host, ' ', hlen))
		hlen = 0;
	if (mlen + hlen > IPE_AUDITLOG_LINE_MAX || memchr(msg, '\n', mlen))
		return -E2BIG;
	n = snprintf(buf, size, "%s%.*s%stype=UNKNOWN[%" PRIu64
		     "] msg=audit(%" PRIu64 ".%03" PRIu64 ":%" PRIu64 "): %.*s",
		     hlen ? "node=" : "", (int)hlen, hlen ? host : "",
		     hlen ? " " : "", type, us / 1000000, us / 1000 % 1000, id,
		     (int)mlen, msg);
	return n < 0 || (size_t)n >= size ? -E2BIG : n;
}

/**
 * ipe_auditlog_feed_journal() - feed the journal's IPE audit entries.
 * @l: the parser.
 * @dir: a journal directory (sd_journal_open_directory), or NULL for the
 *	local system's journal.
 *
 * Only entries of IPE's types (1420-1422) and MAC_STATUS (1404) are read.
 *
 * Return: 0, or sd-journal's -errno when the journal cannot be opened or
 * read.
 */
int ipe_auditlog_feed_journal(struct ipe_auditlog *l, const char *dir)
{
	static const char *const types[] = {
		"_AUDIT_TYPE=1420", "_AUDIT_TYPE=1421", "_AUDIT_TYPE=1422",
		"_AUDIT_TYPE=1404",
	};
	size_t size = IPE_AUDITLOG_LINE_MAX + 256, i;
	sd_journal *j;
	char *buf;
	int r, n;

	r = dir ? sd_journal_open_directory(&j, dir, 0) :
		  sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0)
		return r;
	buf = malloc(size);
	if (!buf) {
		sd_journal_close(j);
		return -ENOMEM;
	}
	(void)sd_journal_set_data_threshold(j, 0);
	for (i = 0, r = 0; i < sizeof(types) / sizeof(types[0]) && !r; i++)
		r = sd_journal_add_match(j, types[i], 0);
	while (r >= 0 && (r = sd_journal_next(j)) > 0) {
		n = journal_line(j, buf, size);
		if (n == -E2BIG)
			l->skipped[IPE_SKIP_TOO_LONG]++;
		else if (n < 0)
			l->skipped[IPE_SKIP_NOT_AUDIT]++;
		else
			take_line(l, buf, (size_t)n);
	}
	free(buf);
	sd_journal_close(j);
	return r < 0 ? r : 0;
}

/**
 * ipe_auditlog_finish() - hand over the events still being put together.
 * @l: the parser.
 */
void ipe_auditlog_finish(struct ipe_auditlog *l)
{
	auparse_flush_feed(l->au);
}

/**
 * ipe_auditlog_free() - free the parser.
 * @l: initialized by ipe_auditlog_init().
 */
void ipe_auditlog_free(struct ipe_auditlog *l)
{
	if (l->au)
		auparse_destroy(l->au);
	free(l->line);
	l->au = NULL;
	l->line = NULL;
}

/* auditd's rotation number of a log's name: audit.log 0, audit.log.N N. */
static long rotation(const char *name)
{
	char *end;
	long v;

	if (!strcmp(name, "audit.log"))
		return 0;
	if (strncmp(name, "audit.log.", 10) || !isdigit((unsigned char)name[10]))
		return -1;
	v = strtol(name + 10, &end, 10);
	return *end || v <= 0 ? -1 : v;
}

static int by_age(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/') + 1;
	const char *y = strrchr(*(char *const *)b, '/') + 1;
	long rx = rotation(x), ry = rotation(y);

	return rx < ry ? 1 : rx > ry ? -1 : 0;
}

/**
 * ipe_auditlog_dir() - auditd's logs in a directory, oldest first.
 * @dir: the directory (auditd's log_file's, /var/log/audit).
 * @files: set to a malloc'ed array of malloc'ed paths: audit.log.N down
 *	to audit.log.1, then audit.log.
 * @n: set to their number; 0 when there is none.
 *
 * Return: 0, -ENOMEM, or opendir()'s -errno.
 */
int ipe_auditlog_dir(const char *dir, char ***files, size_t *n)
{
	char **v = NULL, **nv;
	struct dirent *e;
	size_t cap = 0;
	DIR *d;

	*n = 0;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (rotation(e->d_name) < 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto out_nomem;
			v = nv;
		}
		if (asprintf(&v[*n], "%s/%s", dir, e->d_name) < 0)
			goto out_nomem;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), by_age);
	*files = v;
	return 0;
out_nomem:
	while (*n)
		free(v[--(*n)]);
	free(v);
	closedir(d);
	return -ENOMEM;
}
