/* SPDX-License-Identifier: MIT */
/*
 * auditlog.h - audit records from auditd's logs, standard input or the
 * systemd journal, all fed to one libauparse parser (auditlog.c).
 */
#ifndef IPECTL_AUDITLOG_H
#define IPECTL_AUDITLOG_H

#include <stdbool.h>
#include <stddef.h>

#include <auparse.h>

/* Why a line or a record was not used; the names are in the JSON report. */
enum ipe_skip {
	IPE_SKIP_NOT_AUDIT,	/* a line that is not an audit record */
	IPE_SKIP_TOO_LONG,	/* a line over IPE_AUDITLOG_LINE_MAX */
	IPE_SKIP_MISSING,	/* an IPE record without a field it needs */
	IPE_SKIP_DUPLICATE,	/* an IPE record with a field twice */
	IPE_SKIP_BAD_VALUE,	/* a field that is not what the kernel writes */
	IPE_SKIP_BAD_HEX,	/* an untrusted string's hex that is not */
	IPE_SKIP_TRUNCATED,	/* a rule="..." that does not end */
	__IPE_SKIP_MAX
};

/*
 * Longest line taken: auditd writes at most MAX_AUDIT_MESSAGE_LENGTH
 * (8970) bytes of kernel text, plus node= and the ENRICHED part.
 */
#define IPE_AUDITLOG_LINE_MAX (64u << 10)

/* Called for each event libauparse puts together. */
typedef void (*ipe_auditlog_fn)(auparse_state_t *au, void *data);

/**
 * struct ipe_auditlog - the parser and what it skipped.
 * @au: libauparse, AUSOURCE_FEED.
 * @skipped: lines and records not used, by reason (the report adds its own).
 * @line: the line being put together across reads.
 * @len: bytes in @line.
 * @discarding: the rest of a line over the limit is being dropped.
 * @fn: called for each event.
 * @data: passed to @fn.
 */
struct ipe_auditlog {
	auparse_state_t *au;
	ipe_auditlog_fn fn;
	void *data;
	unsigned long skipped[__IPE_SKIP_MAX];
	char *line;
	size_t len;
	bool discarding;
};

int ipe_auditlog_init(struct ipe_auditlog *l, ipe_auditlog_fn fn, void *data);
int ipe_auditlog_feed_fd(struct ipe_auditlog *l, int fd);
int ipe_auditlog_feed_journal(struct ipe_auditlog *l, const char *dir);
void ipe_auditlog_finish(struct ipe_auditlog *l);
void ipe_auditlog_free(struct ipe_auditlog *l);
int ipe_auditlog_dir(const char *dir, char ***files, size_t *n);
const char *ipe_skip_name(enum ipe_skip why);

#endif /* IPECTL_AUDITLOG_H */
