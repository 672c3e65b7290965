// SPDX-License-Identifier: MIT
/*
 * ipereport.c - read IPE's audit records out of the events libauparse puts
 * together, and group them: accesses per node, file, op, hook, decision,
 * rule and policy in force (a hash table: memory grows with the groups, not
 * the records), policy loads, activations and enforce switches per node.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ipereport.h"

/**
 * ipe_report_init() - an empty report.
 * @r: filled in.
 * @o: what to report (copied; the node names are not).
 * @skipped: the feeding auditlog's counters, which the report adds to.
 *
 * Return: 0, -ENOMEM.
 */
int ipe_report_init(struct ipe_report *r, const struct ipe_report_opts *o,
		    unsigned long *skipped)
{
	memset(r, 0, sizeof(*r));
	r->opts = *o;
	r->skipped = skipped;
	r->nbuckets = 1024;
	r->buckets = calloc(r->nbuckets, sizeof(*r->buckets));
	return r->buckets ? 0 : -ENOMEM;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n--)
		h = (h ^ *s++) * 0x100000001b3ull;
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "\xff", 1);
}

/* strcmp() with NULL ("?") before any string. */
static int nullcmp(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static bool streq(const char *a, const char *b)
{
	return !nullcmp(a, b);
}

/* A copy of @s (NULL stays NULL); sets r->err when memory runs out. */
static char *dup_or_null(struct ipe_report *r, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		r->err = -ENOMEM;
	return d;
}

static bool node_selected(const struct ipe_report *r, const char *host)
{
	size_t i;

	if (!r->opts.nnodes)
		return true;
	for (i = 0; i < r->opts.nnodes; i++) {
		if (!strcmp(r->opts.nodes[i], host ? host : ""))
			return true;
	}
	return false;
}

static struct ipe_rpt_node *add_node(struct ipe_report *r, const char *host)
{
	struct ipe_rpt_node *n, **v;

	if (!(r->nnodes & (r->nnodes + 1)) || !r->nnodes) {
		v = realloc(r->nodes, (2 * r->nnodes + 1) * sizeof(*v));
		if (!v)
			return NULL;
		r->nodes = v;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->name = dup_or_null(r, host);
	if (host && !n->name) {
		free(n);
		return NULL;
	}
	r->nodes[r->nnodes++] = n;
	return n;
}

/* The node of @host (NULL: no node=), made on first sight. */
static struct ipe_rpt_node *get_node(struct ipe_report *r, const char *host)
{
	struct ipe_rpt_node *n = r->last_node;
	size_t i;

	if (n && streq(n->name, host))
		return n;
	for (i = 0, n = NULL; i < r->nnodes && !n; i++) {
		if (streq(r->nodes[i]->name, host))
			n = r->nodes[i];
	}
	if (!n)
		n = add_node(r, host);
	if (!n)
		r->err = -ENOMEM;
	r->last_node = n;
	return n;
}

static bool in_window(const struct ipe_report *r, int64_t t)
{
	return t >= r->opts.since && t <= r->opts.until;
}

/* A record of @n in the window: the node is reported, its span grows. */
static void node_saw(struct ipe_rpt_node *n, int64_t t)
{
	if (!n->seen || t < n->first)
		n->first = t;
	if (!n->seen || t > n->last)
		n->last = t;
	n->seen = true;
}

static void skip(struct ipe_report *r, enum ipe_skip why)
{
	r->skipped[why]++;
}

static uint64_t access_hash(const struct ipe_rpt_node *n,
			    const struct ipe_rpt_policy *p,
			    const struct ipe_access *a)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv(h, &n, sizeof(n));
	h = fnv(h, &p, sizeof(p));
	h = fnv_str(h, a->path);
	h = fnv_str(h, a->dev);
	h = fnv(h, &a->ino, sizeof(a->ino));
	h = fnv_str(h, a->op);
	h = fnv_str(h, a->hook);
	h = fnv_str(h, a->rule);
	return fnv(h, &a->decision, sizeof(a->decision));
}

static bool group_is(const struct ipe_rpt_group *g, uint64_t h,
		     const struct ipe_rpt_node *n,
		     const struct ipe_rpt_policy *p, const struct ipe_access *a)
{
	return g->hash == h && g->node == n && g->policy == p &&
	       g->decision == a->decision && g->has_ino == a->has_ino &&
	       g->ino == a->ino && streq(g->path, a->path) &&
	       streq(g->dev, a->dev) && !strcmp(g->op, a->op) &&
	       !strcmp(g->hook, a->hook) && !strcmp(g->rule, a->rule);
}

/* Twice the buckets when the chains grow past two on average. */
static void grow_table(struct ipe_report *r)
{
	size_t n = r->nbuckets * 2, i;
	struct ipe_rpt_group **b, *g, *next;

	b = calloc(n, sizeof(*b));
	if (!b)
		return;		/* longer chains, still correct */
	for (i = 0; i < r->nbuckets; i++) {
		for (g = r->buckets[i]; g; g = next) {
			next = g->hnext;
			g->hnext = b[g->hash & (n - 1)];
			b[g->hash & (n - 1)] = g;
		}
	}
	free(r->buckets);
	r->buckets = b;
	r->nbuckets = n;
}

static void free_group(struct ipe_rpt_group *g)
{
	size_t i;

	for (i = 0; i < g->ncomms; i++)
		free(g->comms[i]);
	free(g->comms);
	free(g->path);
	free(g->dev);
	free(g->op);
	free(g->hook);
	free(g->rule);
	free(g);
}

static struct ipe_rpt_group *new_group(struct ipe_report *r, uint64_t h,
				       struct ipe_rpt_node *n,
				       const struct ipe_access *a)
{
	struct ipe_rpt_group *g = calloc(1, sizeof(*g));

	if (!g) {
		r->err = -ENOMEM;
		return NULL;
	}
	g->hash = h;
	g->node = n;
	g->policy = n->active;
	g->path = dup_or_null(r, a->path);
	g->dev = dup_or_null(r, a->dev);
	g->has_ino = a->has_ino;
	g->ino = a->ino;
	g->op = dup_or_null(r, a->op);
	g->hook = dup_or_null(r, a->hook);
	g->rule = dup_or_null(r, a->rule);
	g->decision = a->decision;
	if (r->err) {
		free_group(g);
		return NULL;
	}
	return g;
}

/* The group of an access, made on first sight. */
static struct ipe_rpt_group *get_group(struct ipe_report *r,
				       struct ipe_rpt_node *n,
				       const struct ipe_access *a)
{
	uint64_t h = access_hash(n, n->active, a);
	struct ipe_rpt_group *g, **b = &r->buckets[h & (r->nbuckets - 1)];

	for (g = *b; g; g = g->hnext) {
		if (group_is(g, h, n, n->active, a))
			return g;
	}
	g = new_group(r, h, n, a);
	if (!g)
		return NULL;
	g->hnext = *b;
	*b = g;
	if (++r->ngroups > 2 * r->nbuckets)
		grow_table(r);
	return g;
}

/* Add a comm to the group's distinct ones, up to IPE_RPT_COMMS_TRACKED. */
static void add_comm(struct ipe_report *r, struct ipe_rpt_group *g,
		     const char *comm)
{
	char **v;
	size_t i;

	if (!comm)
		return;
	for (i = 0; i < g->ncomms; i++) {
		if (!strcmp(g->comms[i], comm))
			return;
	}
	if (g->ncomms == IPE_RPT_COMMS_TRACKED)
		return;
	v = realloc(g->comms, (g->ncomms + 1) * sizeof(*v));
	if (!v) {
		r->err = -ENOMEM;
		return;
	}
	g->comms = v;
	v[g->ncomms] = dup_or_null(r, comm);
	if (v[g->ncomms])
		g->ncomms++;
}

static void take_access(struct ipe_report *r, auparse_state_t *au,
			const char *host, int64_t t)
{
	struct ipe_rpt_group *g;
	struct ipe_rpt_node *n;
	struct ipe_access a = { 0 };
	int e;

	e = ipe_rec_access(au, &r->buf, &a);
	if (r->buf.err)
		r->err = r->buf.err;
	if (e) {
		skip(r, (enum ipe_skip)(e - 1));
		return;
	}
	if (!in_window(r, t) || !(n = get_node(r, host)))
		return;
	node_saw(n, t);
	r->totals.ipe_records++;
	if (a.decision == IPE_DECISION_DENIED)
		r->totals.denied++;
	else if (a.decision == IPE_DECISION_WOULD_DENY)
		r->totals.would_deny++;
	else
		r->totals.allowed++;
	if (a.decision == IPE_DECISION_ALLOWED && !r->opts.allowed)
		return;
	g = get_group(r, n, &a);
	if (!g)
		return;
	if (!g->count || t < g->first)
		g->first = t;
	if (!g->count || t > g->last)
		g->last = t;
	g->count++;
	add_comm(r, g, a.comm);
}

/* A policy name, version or digest: "name" unquoted, ? is NULL. */
static int pol_value(struct ipe_report *r, const char *v, char **out)
{
	size_t n;

	*out = NULL;
	if (!v || !strcmp(v, "?"))
		return 0;
	n = strlen(v);
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		*out = strndup(v + 1, n - 2);
	else
		*out = strdup(v);
	if (!*out)
		r->err = -ENOMEM;
	return *out ? 0 : -ENOMEM;
}

/* Name, version and digest from three field values. */
static int pol_from(struct ipe_report *r, const char **v,
		    struct ipe_rpt_policy *p)
{
	if (pol_value(r, v[0], &p->name) || pol_value(r, v[1], &p->version) ||
	    pol_value(r, v[2], &p->digest))
		return -ENOMEM;
	return 0;
}

static void pol_free(struct ipe_rpt_policy *p)
{
	free(p->name);
	free(p->version);
	free(p->digest);
}

/* The node's copy of @p, made on first sight: pointers compare policies. */
static const struct ipe_rpt_policy *
intern_policy(struct ipe_report *r, struct ipe_rpt_node *n,
	      const struct ipe_rpt_policy *p)
{
	struct ipe_rpt_policy *q;

	for (q = n->policies; q; q = q->next) {
		if (streq(q->name, p->name) && streq(q->version, p->version) &&
		    streq(q->digest, p->digest))
			return q;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		r->err = -ENOMEM;
		return NULL;
	}
	q->name = dup_or_null(r, p->name);
	q->version = dup_or_null(r, p->version);
	q->digest = dup_or_null(r, p->digest);
	q->next = n->policies;
	n->policies = q;
	return q;
}

/* A new event of @n, zeroed but for its time and place in the order. */
static struct ipe_rpt_event *add_event(struct ipe_report *r,
				       struct ipe_rpt_node *n, int64_t t,
				       enum ipe_rpt_kind kind)
{
	struct ipe_rpt_event *v, *e;

	if (n->nevents == n->cap) {
		v = realloc(n->events, (n->cap ? 2 * n->cap : 8) * sizeof(*v));
		if (!v) {
			r->err = -ENOMEM;
			return NULL;
		}
		n->events = v;
		n->cap = n->cap ? 2 * n->cap : 8;
	}
	e = &n->events[n->nevents++];
	memset(e, 0, sizeof(*e));
	e->time = t;
	e->seq = r->seq++;
	e->kind = kind;
	node_saw(n, t);
	r->totals.ipe_records++;
	return e;
}

/* 1421: old_active_pol_* (may be ?) and new_active_pol_*. */
static void take_activation(struct ipe_report *r, auparse_state_t *au,
			    const char *host, int64_t t)
{
	static const char *const names[] = {
		"old_active_pol_name", "old_active_pol_version",
		"old_policy_digest", "new_active_pol_name",
		"new_active_pol_version", "new_policy_digest", "res",
	};
	struct ipe_rpt_policy old = { 0 }, new = { 0 };
	struct ipe_rpt_event *e;
	struct ipe_rpt_node *n;
	const char *v[7];
	int err;

	err = ipe_rec_fields(au, names, 7, v, NULL);
	if (!err && !ipe_rec_all(v + 3, 3))
		err = IPE_SKIP_MISSING + 1;
	if (err) {
		skip(r, (enum ipe_skip)(err - 1));
		return;
	}
	if (pol_from(r, v, &old) || pol_from(r, v + 3, &new) ||
	    !(n = get_node(r, host)))
		goto out_free;
	n->active = intern_policy(r, n, &new);
	if (!in_window(r, t) || !(e = add_event(r, n, t, IPE_RPT_ACTIVATE)))
		goto out_free;
	r->totals.activations++;
	e->pol = new;
	e->old = old;
	e->has_old = old.name || old.version || old.digest;
	e->ok = !v[6] || strcmp(v[6], "0");
	return;
out_free:
	pol_free(&old);
	pol_free(&new);
}

/* An integer field, optional: errno= of a load. */
static bool parse_long(const char *v, long *out)
{
	char *end;

	if (!v || (!isdigit((unsigned char)*v) && *v != '-'))
		return false;
	errno = 0;
	*out = strtol(v, &end, 10);
	return !errno && !*end;
}

/* 1422: policy_name= policy_version= policy_digest= ... res= [errno=]. */
static void take_load(struct ipe_report *r, auparse_state_t *au,
		      const char *host, int64_t t)
{
	static const char *const names[] = {
		"policy_name", "policy_version", "policy_digest", "res",
		"errno",
	};
	struct ipe_rpt_policy p = { 0 };
	struct ipe_rpt_event *e;
	struct ipe_rpt_node *n;
	const char *v[5];
	long err = 0;
	int why;

	why = ipe_rec_fields(au, names, 5, v, NULL);
	if (!why && !ipe_rec_all(v, 4))
		why = IPE_SKIP_MISSING + 1;
	if (!why && ((strcmp(v[3], "0") && strcmp(v[3], "1")) ||
		     (v[4] && !parse_long(v[4], &err))))
		why = IPE_SKIP_BAD_VALUE + 1;
	if (why) {
		skip(r, (enum ipe_skip)(why - 1));
		return;
	}
	if (!in_window(r, t) || pol_from(r, v, &p) || !(n = get_node(r, host)) ||
	    !(e = add_event(r, n, t, IPE_RPT_LOAD))) {
		pol_free(&p);
		return;
	}
	e->pol = p;
	e->ok = v[3][0] == '1';
	e->has_errno = v[4];
	e->err = err;
	r->totals.policy_loads++;
	if (!e->ok)
		r->totals.policy_load_failures++;
}

/* 1404 with lsm=ipe; the empty 1404 after it and other LSMs' are not ours. */
static void take_enforce(struct ipe_report *r, auparse_state_t *au,
			 const char *host, int64_t t)
{
	static const char *const names[] = {
		"enforcing", "old_enforcing", "lsm",
	};
	struct ipe_rpt_event *e;
	struct ipe_rpt_node *n;
	const char *v[3];
	int why;

	why = ipe_rec_fields(au, names, 3, v, NULL);
	if (!why && (!v[2] || strcmp(v[2], "ipe")))
		return;
	if (!why && !ipe_rec_all(v, 2))
		why = IPE_SKIP_MISSING + 1;
	if (!why && ((strcmp(v[0], "0") && strcmp(v[0], "1")) ||
		     (strcmp(v[1], "0") && strcmp(v[1], "1"))))
		why = IPE_SKIP_BAD_VALUE + 1;
	if (why) {
		skip(r, (enum ipe_skip)(why - 1));
		return;
	}
	if (!in_window(r, t) || !(n = get_node(r, host)) ||
	    !(e = add_event(r, n, t, IPE_RPT_ENFORCE)))
		return;
	e->enforcing = v[0][0] - '0';
	e->old_enforcing = v[1][0] - '0';
	r->totals.enforce_changes++;
}

/**
 * ipe_report_event() - take the IPE records of an event (ipe_auditlog_fn).
 * @au: libauparse, on the event.
 * @data: the struct ipe_report.
 *
 * Records are taken in the order libauparse hands their events over; an
 * access is counted under the policy the node's last activation before it
 * made active.  Running out of memory sets the report's err.
 */
void ipe_report_event(auparse_state_t *au, void *data)
{
	struct ipe_report *r = data;
	const au_event_t *ev = auparse_get_timestamp(au);
	const char *host;
	bool bad_time;
	int64_t t;
	int type;

	if (!ev || auparse_first_record(au) <= 0)
		return;
	host = ev->host;
	/* up to 9999-12-31: a time gmtime() can print */
	bad_time = ev->sec < 0 || ev->sec > 253402300799 || ev->milli > 999;
	t = bad_time ? 0 : (int64_t)ev->sec * 1000 + ev->milli;
	do {
		r->totals.records++;
		if (!node_selected(r, host))
			continue;
		type = ipe_rec_type(au);
		if (bad_time && (type == IPE_AUDIT_MAC_STATUS ||
				 (type >= IPE_AUDIT_ACCESS &&
				  type <= IPE_AUDIT_POLICY_LOAD))) {
			skip(r, IPE_SKIP_BAD_VALUE);
			continue;
		}
		switch (type) {
		case IPE_AUDIT_ACCESS:
			take_access(r, au, host, t);
			break;
		case IPE_AUDIT_CONFIG_CHANGE:
			take_activation(r, au, host, t);
			break;
		case IPE_AUDIT_POLICY_LOAD:
			take_load(r, au, host, t);
			break;
		case IPE_AUDIT_MAC_STATUS:
			take_enforce(r, au, host, t);
			break;
		}
	} while (auparse_next_record(au) > 0);
}

static int by_time(const void *a, const void *b)
{
	const struct ipe_rpt_event *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_name(const void *a, const void *b)
{
	return nullcmp((*(struct ipe_rpt_node *const *)a)->name,
		       (*(struct ipe_rpt_node *const *)b)->name);
}

/* The file of a group: path, dev, ino. */
static int file_cmp(const struct ipe_rpt_group *x,
		    const struct ipe_rpt_group *y)
{
	int c = nullcmp(x->path, y->path);

	if (!c)
		c = nullcmp(x->dev, y->dev);
	if (!c && x->has_ino != y->has_ino)
		c = x->has_ino ? 1 : -1;
	if (!c && x->ino != y->ino)
		c = x->ino < y->ino ? -1 : 1;
	return c;
}

static int policy_cmp(const struct ipe_rpt_policy *x,
		      const struct ipe_rpt_policy *y)
{
	int c;

	if (!x || !y)
		return (x != NULL) - (y != NULL);
	c = nullcmp(x->name, y->name);
	if (!c)
		c = nullcmp(x->version, y->version);
	return c ? c : nullcmp(x->digest, y->digest);
}

/* The report's order: path, op, hook, decision, rule, then the rest. */
static int by_access(const void *a, const void *b)
{
	const struct ipe_rpt_group *x = *(struct ipe_rpt_group *const *)a;
	const struct ipe_rpt_group *y = *(struct ipe_rpt_group *const *)b;
	int c = nullcmp(x->path, y->path);

	if (!c)
		c = strcmp(x->op, y->op);
	if (!c)
		c = strcmp(x->hook, y->hook);
	if (!c && x->decision != y->decision)
		c = x->decision < y->decision ? -1 : 1;
	if (!c)
		c = strcmp(x->rule, y->rule);
	if (!c)
		c = file_cmp(x, y);
	return c ? c : policy_cmp(x->policy, y->policy);
}

static int by_file(const void *a, const void *b)
{
	return file_cmp(*(struct ipe_rpt_group *const *)a,
			*(struct ipe_rpt_group *const *)b);
}

/* Distinct files of a node's groups (sorts a copy by file). */
static int count_files(const struct ipe_rpt_node *n, unsigned long *files)
{
	struct ipe_rpt_group **v;
	size_t i;

	if (!n->ngroups)
		return 0;
	v = malloc(n->ngroups * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, n->groups, n->ngroups * sizeof(*v));
	qsort(v, n->ngroups, sizeof(*v), by_file);
	for (i = 0; i < n->ngroups; i++) {
		if (!i || file_cmp(v[i - 1], v[i]))
			(*files)++;
	}
	free(v);
	return 0;
}

/* Hand each node its groups. */
static int spread_groups(struct ipe_report *r)
{
	struct ipe_rpt_group *g;
	size_t i;

	for (i = 0; i < r->nbuckets; i++) {
		for (g = r->buckets[i]; g; g = g->hnext)
			g->node->ngroups++;
	}
	for (i = 0; i < r->nnodes; i++) {
		r->nodes[i]->groups = calloc(r->nodes[i]->ngroups + 1,
					     sizeof(*r->nodes[i]->groups));
		if (!r->nodes[i]->groups)
			return -ENOMEM;
		r->nodes[i]->ngroups = 0;
	}
	for (i = 0; i < r->nbuckets; i++) {
		for (g = r->buckets[i]; g; g = g->hnext)
			g->node->groups[g->node->ngroups++] = g;
	}
	return 0;
}

/**
 * ipe_report_finish() - sort what was read, count the totals.
 * @r: the report, after its last event.
 *
 * Return: 0, or -ENOMEM (now or while reading: the report is incomplete).
 */
int ipe_report_finish(struct ipe_report *r)
{
	struct ipe_rpt_node *n;
	size_t i, k;

	if (r->err || spread_groups(r))
		return -ENOMEM;
	if (r->nnodes)
		qsort(r->nodes, r->nnodes, sizeof(*r->nodes), by_name);
	for (i = 0; i < r->nnodes; i++) {
		n = r->nodes[i];
		if (n->nevents)
			qsort(n->events, n->nevents, sizeof(*n->events),
			      by_time);
		if (n->ngroups)
			qsort(n->groups, n->ngroups, sizeof(*n->groups),
			      by_access);
		if (count_files(n, &r->totals.files))
			return -ENOMEM;
		r->totals.nodes += n->seen;
		r->totals.groups += n->ngroups;
	}
	for (k = 0; k < __IPE_SKIP_MAX; k++)
		r->totals.skipped += r->skipped[k];
	return 0;
}

static void free_node(struct ipe_rpt_node *n)
{
	struct ipe_rpt_policy *p, *next;
	size_t i;

	for (p = n->policies; p; p = next) {
		next = p->next;
		pol_free(p);
		free(p);
	}
	for (i = 0; i < n->nevents; i++) {
		pol_free(&n->events[i].pol);
		pol_free(&n->events[i].old);
	}
	free(n->events);
	free(n->groups);
	free(n->name);
	free(n);
}

/**
 * ipe_report_free() - free everything the report holds.
 * @r: initialized by ipe_report_init().
 */
void ipe_report_free(struct ipe_report *r)
{
	struct ipe_rpt_group *g, *next;
	size_t i;

	for (i = 0; i < r->nbuckets; i++) {
		for (g = r->buckets[i]; g; g = next) {
			next = g->hnext;
			free_group(g);
		}
	}
	free(r->buckets);
	for (i = 0; i < r->nnodes; i++)
		free_node(r->nodes[i]);
	free(r->nodes);
	for (i = 0; i < 4; i++)
		free(r->buf.p[i]);
	memset(r, 0, sizeof(*r));
}
