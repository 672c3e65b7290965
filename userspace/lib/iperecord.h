/* SPDX-License-Identifier: MIT */
/*
 * iperecord.h - decode IPE's audit records (iperecord.c).
 */
#ifndef IPECTL_IPERECORD_H
#define IPECTL_IPERECORD_H

#include <stdbool.h>
#include <stddef.h>

#include <auparse.h>

#include "auditlog.h"

/* Audit record types (<linux/audit.h>; 1420-1422 are new in Linux 6.12). */
#define IPE_AUDIT_MAC_STATUS 1404
#define IPE_AUDIT_ACCESS 1420
#define IPE_AUDIT_CONFIG_CHANGE 1421
#define IPE_AUDIT_POLICY_LOAD 1422

enum ipe_decision {
	IPE_DECISION_DENIED,		/* enforcing=1, action=DENY */
	IPE_DECISION_WOULD_DENY,	/* enforcing=0, action=DENY */
	IPE_DECISION_ALLOWED,		/* action=ALLOW (success_audit) */
	__IPE_DECISION_MAX
};

/**
 * struct ipe_rec_buf - buffers for decoded strings: comm, path, dev, rule.
 * @p: the buffers.
 * @size: their sizes.
 * @err: -ENOMEM once one could not grow.
 */
struct ipe_rec_buf {
	char *p[4];
	size_t size[4];
	int err;
};

/* An access record (1420), decoded; NULL strings were "?". */
struct ipe_access {
	const char *op, *hook, *comm, *path, *dev, *rule;
	bool has_ino;
	unsigned long long ino;
	enum ipe_decision decision;
};

int ipe_rec_type(auparse_state_t *au);
int ipe_rec_fields(auparse_state_t *au, const char *const *names, size_t n,
		   const char **vals, const char *stop);
bool ipe_rec_all(const char **vals, size_t n);
int ipe_rec_access(auparse_state_t *au, struct ipe_rec_buf *b,
		   struct ipe_access *a);
const char *ipe_decision_name(enum ipe_decision d);

#endif /* IPECTL_IPERECORD_H */
