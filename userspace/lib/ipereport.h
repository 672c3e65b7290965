/* SPDX-License-Identifier: MIT */
/*
 * ipereport.h - what IPE's audit records say, put together per node, file,
 * decision, rule and policy in force (ipereport.c); `ipectl report` prints
 * it.
 */
#ifndef IPECTL_IPEREPORT_H
#define IPECTL_IPEREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auditlog.h"
#include "iperecord.h"

/* Distinct comms a group tracks; it lists IPE_RPT_COMMS_SHOWN of them. */
#define IPE_RPT_COMMS_TRACKED 64
#define IPE_RPT_COMMS_SHOWN 4

/**
 * struct ipe_rpt_policy - a policy as the records name it.
 * @name: NULL when the record says "?".
 * @version: likewise.
 * @digest: "sha256:HEX" as recorded, or NULL.
 * @next: the node's list of the policies it activated.
 */
struct ipe_rpt_policy {
	char *name, *version, *digest;
	struct ipe_rpt_policy *next;
};

/**
 * struct ipe_rpt_group - the access records of one node, file, op, hook,
 * decision, rule and policy in force.
 * @hnext: the hash chain.
 * @hash: of the key.
 * @node: the node the records came from.
 * @path: decoded; NULL when the record has "?" (no file).
 * @dev: the file system's id, decoded; NULL for "?".
 * @has_ino: false for ino=?.
 * @ino: the inode number.
 * @op: ipe_op.
 * @hook: ipe_hook.
 * @rule: the deciding rule as the record prints it.
 * @decision: from enforcing= and the rule's action.
 * @policy: the last activation seen on the node before the first record,
 *	NULL when none was seen.
 * @count: records.
 * @first: time of the earliest, in ms since the epoch.
 * @last: of the latest.
 * @comms: distinct comms, in the order seen (at most IPE_RPT_COMMS_TRACKED).
 * @ncomms: their number.
 */
struct ipe_rpt_group {
	struct ipe_rpt_group *hnext;
	uint64_t hash;
	struct ipe_rpt_node *node;
	char *path, *dev;
	bool has_ino;
	unsigned long long ino;
	char *op, *hook, *rule;
	enum ipe_decision decision;
	const struct ipe_rpt_policy *policy;
	unsigned long count;
	int64_t first, last;
	char **comms;
	size_t ncomms;
};

enum ipe_rpt_kind {
	IPE_RPT_LOAD,		/* 1422 */
	IPE_RPT_ACTIVATE,	/* 1421 */
	IPE_RPT_ENFORCE,	/* 1404 lsm=ipe */
};

/**
 * struct ipe_rpt_event - a policy load, an activation or an enforce switch.
 * @time: ms since the epoch.
 * @seq: order of arrival, for a stable sort by time.
 * @kind: which.
 * @pol: the policy loaded or activated (not for IPE_RPT_ENFORCE).
 * @old: the policy an activation replaced; members NULL for "?".
 * @has_old: @old names a policy.
 * @ok: res=1.
 * @has_errno: the record has errno= (Linux 6.16 and later).
 * @err: its value.
 * @enforcing: enforcing= of a switch.
 * @old_enforcing: old_enforcing=.
 */
struct ipe_rpt_event {
	int64_t time;
	unsigned long seq;
	enum ipe_rpt_kind kind;
	struct ipe_rpt_policy pol, old;
	bool has_old, ok, has_errno;
	long err;
	int enforcing, old_enforcing;
};

/**
 * struct ipe_rpt_node - what one machine's records said.
 * @name: node= of its records; NULL for records without one.
 * @seen: a record of it was in the time window.
 * @first: earliest record in the window, ms since the epoch.
 * @last: latest.
 * @active: the policy its last activation made active (NULL: none seen).
 * @policies: every policy it activated.
 * @events: its loads, activations and switches; sorted by time after
 *	ipe_report_finish().
 * @nevents: their number.
 * @cap: allocated.
 * @groups: its groups, after ipe_report_finish(), sorted.
 * @ngroups: their number.
 */
struct ipe_rpt_node {
	char *name;
	bool seen;
	int64_t first, last;
	const struct ipe_rpt_policy *active;
	struct ipe_rpt_policy *policies;
	struct ipe_rpt_event *events;
	size_t nevents, cap;
	struct ipe_rpt_group **groups;
	size_t ngroups;
};

/* The totals of the report (the JSON "totals"). */
struct ipe_rpt_totals {
	unsigned long records, ipe_records, denied, would_deny, allowed;
	unsigned long nodes, files, groups, policy_loads;
	unsigned long policy_load_failures, activations, enforce_changes;
	unsigned long skipped;
};

/**
 * struct ipe_report_opts - what to report.
 * @since: earliest record time taken, ms since the epoch (INT64_MIN: any).
 * @until: latest (INT64_MAX: any).
 * @nodes: node names to take ("" for records without node=); all if none.
 * @nnodes: their number.
 * @allowed: group allowed accesses too (they are always counted).
 */
struct ipe_report_opts {
	int64_t since, until;
	const char *const *nodes;
	size_t nnodes;
	bool allowed;
};

/**
 * struct ipe_report - the report being made.
 * @opts: what to report.
 * @skipped: the counters of the auditlog that feeds it, by reason.
 * @totals: filled in by ipe_report_finish().
 * @buckets: the groups' hash table.
 * @nbuckets: its size, a power of 2.
 * @ngroups: groups in it.
 * @nodes: the nodes, sorted by name (NULL first) after ipe_report_finish().
 * @nnodes: their number.
 * @last_node: the node of the last record, looked up first.
 * @seq: events so far.
 * @err: -ENOMEM once memory ran out (the report is then incomplete).
 * @buf: buffers for decoded strings.
 */
struct ipe_report {
	struct ipe_report_opts opts;
	unsigned long *skipped;
	struct ipe_rpt_totals totals;
	struct ipe_rpt_group **buckets;
	size_t nbuckets, ngroups;
	struct ipe_rpt_node **nodes;
	size_t nnodes;
	struct ipe_rpt_node *last_node;
	unsigned long seq;
	int err;
	struct ipe_rec_buf buf;
};

int ipe_report_init(struct ipe_report *r, const struct ipe_report_opts *o,
		    unsigned long *skipped);
void ipe_report_event(auparse_state_t *au, void *data);
int ipe_report_finish(struct ipe_report *r);
void ipe_report_free(struct ipe_report *r);

#endif /* IPECTL_IPEREPORT_H */
