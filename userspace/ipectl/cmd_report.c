// SPDX-License-Identifier: MIT
/*
 * cmd_report.c - `ipectl report`: what IPE denied, or would have denied in
 * permissive mode, from the audit records a machine or a fleet collected
 * (auditd's logs, a collector's node= records, the journal).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipectl.h"
#include "ipereport.h"

#define DEFAULT_DIR "/var/log/audit"

/* The command line. */
struct report_args {
	struct ipe_report_opts opts;
	bool json, journal;
	const char *journal_dir;
	const char **nodes;
	char **sources;
	int nsources;
};

/* What was read, for "sources". */
struct read_list {
	char **v;
	size_t n;
};

static int add_read(struct read_list *rl, const char *what)
{
	char **v = realloc(rl->v, (rl->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	rl->v = v;
	v[rl->n] = strdup(what);
	if (!v[rl->n])
		return -ENOMEM;
	rl->n++;
	return 0;
}

/*
 * "YYYY-MM-DD[( |T)HH:MM[:SS]][Z]" (local time, Z: UTC) or "@EPOCH", in
 * milliseconds.  With @end (--until) the time is the last millisecond of
 * the unit written: "12:00:05" takes in 12:00:05.999, "12:00" 12:00:59.999,
 * a date the whole day, as a reader of the log means it.
 */
static int parse_time(const char *s, bool end, int64_t *ms)
{
	struct tm tm = { 0 };
	char sep = ' ', z[3] = "";
	long long epoch;
	int n = 0, k;
	time_t t;

	if (s[0] == '@') {
		if (sscanf(s + 1, "%lld%n", &epoch, &n) != 1 || s[1 + n] ||
		    s[1] == '+' || s[1] == ' ' || epoch < 0 ||
		    epoch > 253402300799)
			return -EINVAL;
		*ms = (int64_t)epoch * 1000 + (end ? 999 : 0);
		return 0;
	}
	k = sscanf(s, "%4d-%2d-%2d%n%c%2d:%2d%n:%2d%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &n, &sep, &tm.tm_hour, &tm.tm_min, &n,
		   &tm.tm_sec, &n);
	if (k != 3 && k != 6 && k != 7)
		return -EINVAL;
	if (k > 3 && sep != ' ' && sep != 'T')
		return -EINVAL;
	if (s[n] == 'Z')
		z[0] = s[n++];
	if (s[n] || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60 || tm.tm_year < 1970)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	/* the first instant after the unit, less one millisecond */
	if (end && k == 3)
		tm.tm_mday++;
	else if (end && k == 6)
		tm.tm_min++;
	else if (end)
		tm.tm_sec++;
	t = z[0] ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ms = (int64_t)t * 1000 - (end ? 1 : 0);
	return 0;
}

static int parse_args(const struct ipectl_cmd *cmd, int argc, char *argv[],
		      struct report_args *a)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "node", required_argument, NULL, 'n' },
		{ "allowed", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "journal", no_argument, NULL, 'J' },
		{ "journal-dir", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	a->opts.since = INT64_MIN;
	a->opts.until = INT64_MAX;
	a->nodes = calloc((size_t)argc + 1, sizeof(*a->nodes));
	if (!a->nodes)
		return -IPECTL_EXIT_SYSTEM;
	a->opts.nodes = a->nodes;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
		case 'U':
			if (parse_time(optarg, c == 'U',
				       c == 'S' ? &a->opts.since :
						  &a->opts.until)) {
				ipectl_error("--%s '%s': not YYYY-MM-DD[ HH:MM[:SS]], YYYY-MM-DDTHH:MM[:SS][Z] or @EPOCH",
					     c == 'S' ? "since" : "until", optarg);
				return -IPECTL_EXIT_INPUT;
			}
			break;
		case 'n':
			a->nodes[a->opts.nnodes++] = optarg;
			break;
		case 'a':
			a->opts.allowed = true;
			break;
		case 'j':
			a->json = true;
			break;
		case 'J':
			a->journal = true;
			break;
		case 'D':
			a->journal_dir = optarg;
			break;
		default:
			ipectl_usage(cmd, stderr);
			return -IPECTL_EXIT_INPUT;
		}
	}
	if (a->journal && a->journal_dir) {
		ipectl_error("--journal and --journal-dir: one or the other");
		return -IPECTL_EXIT_INPUT;
	}
	if (a->opts.since > a->opts.until) {
		ipectl_error("--since is after --until");
		return -IPECTL_EXIT_INPUT;
	}
	a->sources = argv + optind;
	a->nsources = argc - optind;
	return 0;
}

/* One file, or "-": standard input. */
static int read_file(struct ipe_auditlog *l, struct read_list *rl,
		     const char *path)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	int rc;

	if (fd < 0) {
		ipectl_error("%s: cannot read: %s", path, strerror(errno));
		return IPECTL_EXIT_INPUT;
	}
	rc = ipe_auditlog_feed_fd(l, fd);
	if (fd)
		close(fd);
	if (rc == -ENOMEM)
		return IPECTL_EXIT_SYSTEM;
	if (rc) {
		ipectl_error("%s: cannot read: %s", path, strerror(-rc));
		return IPECTL_EXIT_INPUT;
	}
	return add_read(rl, path) ? IPECTL_EXIT_SYSTEM : 0;
}

/* auditd's log directory: its rotated logs, oldest first. */
static int read_dir(struct ipe_auditlog *l, struct read_list *rl,
		    const char *dir)
{
	char **files;
	size_t n, i;
	int rc = 0;

	rc = ipe_auditlog_dir(dir, &files, &n);
	if (rc) {
		ipectl_error("%s: cannot read: %s", dir, strerror(-rc));
		return rc == -ENOMEM ? IPECTL_EXIT_SYSTEM : IPECTL_EXIT_INPUT;
	}
	if (!n)
		ipectl_error("%s: no audit.log in it", dir);
	for (i = 0; i < n; i++) {
		if (!rc)
			rc = read_file(l, rl, files[i]);
		free(files[i]);
	}
	free(files);
	return n ? rc : IPECTL_EXIT_INPUT;
}

static int read_journal(struct ipe_auditlog *l, struct read_list *rl,
			const char *dir)
{
	char what[PATH_MAX + 16];
	int rc = ipe_auditlog_feed_journal(l, dir);

	if (rc) {
		ipectl_error("cannot read the journal%s%s: %s", dir ? " in " : "",
			     dir ? dir : "", strerror(-rc));
		return IPECTL_EXIT_SYSTEM;
	}
	snprintf(what, sizeof(what), "journal%s%s", dir ? ":" : "",
		 dir ? dir : "");
	return add_read(rl, what) ? IPECTL_EXIT_SYSTEM : 0;
}

/* A SOURCE operand: a directory, a file, or "-". */
static int read_source(struct ipe_auditlog *l, struct read_list *rl,
		       const char *src)
{
	int fd;

	if (strcmp(src, "-")) {
		fd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			return read_dir(l, rl, src);
		}
	}
	return read_file(l, rl, src);
}

/* No SOURCE: auditd's logs when there are some to read, else the journal. */
static int read_default(struct ipe_auditlog *l, struct read_list *rl)
{
	if (!access(DEFAULT_DIR "/audit.log", R_OK)) {
		fprintf(stderr, "ipectl: reading %s\n", DEFAULT_DIR);
		return read_dir(l, rl, DEFAULT_DIR);
	}
	fprintf(stderr, "ipectl: reading the journal (%s/audit.log: %s)\n",
		DEFAULT_DIR, strerror(errno));
	return read_journal(l, rl, NULL);
}

static int read_all(const struct report_args *a, struct ipe_auditlog *l,
		    struct read_list *rl)
{
	int i, rc = 0;

	for (i = 0; i < a->nsources && !rc; i++)
		rc = read_source(l, rl, a->sources[i]);
	if (!rc && (a->journal || a->journal_dir))
		rc = read_journal(l, rl, a->journal_dir);
	if (!rc && !a->nsources && !a->journal && !a->journal_dir)
		rc = read_default(l, rl);
	return rc;
}

/* UTC, ISO 8601, milliseconds. */
static const char *iso(int64_t ms, char buf[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm))
		return "?";
	snprintf(buf + strlen(buf), 32 - strlen(buf), ".%03dZ",
		 (int)(ms % 1000));
	return buf;
}

static void json_s(const char *s)
{
	if (s)
		ipectl_json_str(stdout, s, strlen(s));
	else
		fputs("null", stdout);
}

static void json_policy(const struct ipe_rpt_policy *p)
{
	if (!p) {
		fputs("null", stdout);
		return;
	}
	fputs("{\"name\":", stdout);
	json_s(p->name);
	fputs(",\"version\":", stdout);
	json_s(p->version);
	fputs(",\"digest\":", stdout);
	json_s(p->digest);
	putchar('}');
}

static void json_group(const struct ipe_rpt_group *g)
{
	char t[32];
	size_t i, shown = g->ncomms < IPE_RPT_COMMS_SHOWN ? g->ncomms :
							   IPE_RPT_COMMS_SHOWN;

	fputs("{\"path\":", stdout);
	json_s(g->path);
	fputs(",\"dev\":", stdout);
	json_s(g->dev);
	if (g->has_ino)
		printf(",\"ino\":%llu", g->ino);
	else
		fputs(",\"ino\":null", stdout);
	fputs(",\"op\":", stdout);
	json_s(g->op);
	fputs(",\"hook\":", stdout);
	json_s(g->hook);
	printf(",\"decision\":\"%s\",\"rule\":", ipe_decision_name(g->decision));
	json_s(g->rule);
	fputs(",\"policy\":", stdout);
	json_policy(g->policy);
	printf(",\"count\":%lu,\"first\":\"%s\"", g->count, iso(g->first, t));
	printf(",\"last\":\"%s\",\"comms\":[", iso(g->last, t));
	for (i = 0; i < shown; i++) {
		if (i)
			putchar(',');
		json_s(g->comms[i]);
	}
	printf("],\"more_comms\":%zu}", g->ncomms - shown);
}

static void json_event(const struct ipe_rpt_event *e)
{
	char t[32];

	printf("{\"time\":\"%s\",\"kind\":\"%s\",\"name\":", iso(e->time, t),
	       e->kind == IPE_RPT_LOAD ? "load" : "activate");
	json_s(e->pol.name);
	fputs(",\"version\":", stdout);
	json_s(e->pol.version);
	fputs(",\"digest\":", stdout);
	json_s(e->pol.digest);
	fputs(",\"old\":", stdout);
	json_policy(e->kind == IPE_RPT_ACTIVATE && e->has_old ? &e->old : NULL);
	printf(",\"result\":\"%s\",\"errno\":", e->ok ? "ok" : "failed");
	if (e->has_errno || e->ok)
		printf("%ld}", e->err);
	else
		fputs("null}", stdout);
}

static void json_node(const struct ipe_rpt_node *n)
{
	const char *sep = "";
	char t[32];
	size_t i;

	fputs("{\"node\":", stdout);
	json_s(n->name);
	printf(",\"first\":\"%s\"", iso(n->first, t));
	printf(",\"last\":\"%s\",\"accesses\":[", iso(n->last, t));
	for (i = 0; i < n->ngroups; i++) {
		fputs(i ? "," : "", stdout);
		json_group(n->groups[i]);
	}
	fputs("],\"policy_events\":[", stdout);
	for (i = 0; i < n->nevents; i++) {
		if (n->events[i].kind == IPE_RPT_ENFORCE)
			continue;
		fputs(sep, stdout);
		sep = ",";
		json_event(&n->events[i]);
	}
	fputs("],\"enforce_events\":[", stdout);
	for (i = 0, sep = ""; i < n->nevents; i++) {
		if (n->events[i].kind != IPE_RPT_ENFORCE)
			continue;
		printf("%s{\"time\":\"%s\",\"enforcing\":%d,\"old_enforcing\":%d}",
		       sep, iso(n->events[i].time, t), n->events[i].enforcing,
		       n->events[i].old_enforcing);
		sep = ",";
	}
	fputs("]}", stdout);
}

static void print_json(const struct ipe_report *r, const struct read_list *rl)
{
	const struct ipe_rpt_totals *t = &r->totals;
	const char *sep = "";
	size_t i;

	fputs("{\"schema\":\"ipectl-report/1\",\"sources\":[", stdout);
	for (i = 0; i < rl->n; i++) {
		fputs(i ? "," : "", stdout);
		json_s(rl->v[i]);
	}
	printf("],\"totals\":{\"records\":%lu,\"ipe_records\":%lu,\"denied\":%lu,\"would_deny\":%lu,\"allowed\":%lu,",
	       t->records, t->ipe_records, t->denied, t->would_deny, t->allowed);
	printf("\"nodes\":%lu,\"files\":%lu,\"groups\":%lu,\"policy_loads\":%lu,\"policy_load_failures\":%lu,",
	       t->nodes, t->files, t->groups, t->policy_loads,
	       t->policy_load_failures);
	printf("\"activations\":%lu,\"enforce_changes\":%lu,\"skipped\":%lu},\"skipped\":{",
	       t->activations, t->enforce_changes, t->skipped);
	for (i = 0; i < __IPE_SKIP_MAX; i++) {
		if (!r->skipped[i])
			continue;
		printf("%s\"%s\":%lu", sep, ipe_skip_name((enum ipe_skip)i),
		       r->skipped[i]);
		sep = ",";
	}
	fputs("},\"nodes\":[", stdout);
	for (i = 0, sep = ""; i < r->nnodes; i++) {
		if (!r->nodes[i]->seen)
			continue;
		fputs(sep, stdout);
		sep = ",";
		json_node(r->nodes[i]);
	}
	puts("]}");
}

/* A string from the records, escaped for a terminal; "?" for none. */
static void text_s(const char *s)
{
	if (s)
		ipectl_print_escaped(stdout, s, strlen(s));
	else
		putchar('?');
}

static void text_policy(const struct ipe_rpt_policy *p)
{
	if (!p) {
		fputs("(none seen)", stdout);
		return;
	}
	text_s(p->name);
	putchar(' ');
	text_s(p->version);
}

static void text_group(const struct ipe_rpt_group *g)
{
	char t1[32], t2[32];
	size_t i, shown = g->ncomms < IPE_RPT_COMMS_SHOWN ? g->ncomms :
							   IPE_RPT_COMMS_SHOWN;

	printf("  %-10s %6lu  %s/%s  ", ipe_decision_name(g->decision),
	       g->count, g->op, g->hook);
	text_s(g->path);
	fputs(" (dev ", stdout);
	text_s(g->dev);
	if (g->has_ino)
		printf(", ino %llu)\n", g->ino);
	else
		fputs(", ino ?)\n", stdout);
	fputs("        rule \"", stdout);
	text_s(g->rule);
	fputs("\", policy ", stdout);
	text_policy(g->policy);
	printf("\n        %s .. %s, comms: ", iso(g->first, t1),
	       iso(g->last, t2));
	for (i = 0; i < shown; i++) {
		fputs(i ? ", " : "", stdout);
		text_s(g->comms[i]);
	}
	if (g->ncomms > shown)
		printf(" and %zu more", g->ncomms - shown);
	putchar('\n');
}

static void text_event(const struct ipe_rpt_event *e)
{
	char t[32];

	printf("  %s  ", iso(e->time, t));
	if (e->kind == IPE_RPT_ENFORCE) {
		printf("enforce %s (was %s)\n", e->enforcing ? "on" : "off",
		       e->old_enforcing ? "on" : "off");
		return;
	}
	fputs(e->kind == IPE_RPT_LOAD ? "load     " : "activate ", stdout);
	if (e->kind == IPE_RPT_ACTIVATE) {
		text_policy(e->has_old ? &e->old : NULL);
		fputs(" -> ", stdout);
	}
	text_policy(&e->pol);
	if (e->pol.digest) {
		putchar(' ');
		text_s(e->pol.digest);
	}
	if (!e->ok)
		printf(" FAILED (errno %ld)", e->err);
	putchar('\n');
}

static void text_node(const struct ipe_rpt_node *n, bool allowed)
{
	char t1[32], t2[32];
	int d;
	size_t i;

	fputs("\nnode ", stdout);
	if (n->name)
		text_s(n->name);
	else
		fputs("(records without node=)", stdout);
	printf(", %s .. %s\n", iso(n->first, t1), iso(n->last, t2));
	for (d = 0; d < __IPE_DECISION_MAX; d++) {
		if (d == IPE_DECISION_ALLOWED && !allowed)
			break;
		for (i = 0; i < n->ngroups; i++) {
			if ((int)n->groups[i]->decision == d)
				text_group(n->groups[i]);
		}
	}
	if (!n->ngroups)
		puts("  no access records");
	for (i = 0; i < n->nevents; i++)
		text_event(&n->events[i]);
}

static void print_text(const struct ipe_report *r, const struct read_list *rl,
		       bool allowed)
{
	const struct ipe_rpt_totals *t = &r->totals;
	size_t i;

	fputs("sources:", stdout);
	for (i = 0; i < rl->n; i++) {
		putchar(' ');
		text_s(rl->v[i]);
	}
	printf("\nrecords: %lu, from IPE %lu: %lu denied, %lu would be denied (permissive), %lu allowed\n",
	       t->records, t->ipe_records, t->denied, t->would_deny,
	       t->allowed);
	printf("nodes: %lu, files: %lu, groups: %lu; policy loads %lu (%lu failed), activations %lu, enforce switches %lu\n",
	       t->nodes, t->files, t->groups, t->policy_loads,
	       t->policy_load_failures, t->activations, t->enforce_changes);
	for (i = 0; i < r->nnodes; i++) {
		if (r->nodes[i]->seen)
			text_node(r->nodes[i], allowed);
	}
}

/* One line on stderr: what was skipped, by reason. */
static void warn_skipped(const struct ipe_report *r)
{
	char buf[512];
	size_t i, n = 0;

	if (!r->totals.skipped)
		return;
	for (i = 0; i < __IPE_SKIP_MAX && n < sizeof(buf); i++) {
		if (r->skipped[i])
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s %lu",
					      n ? ", " : "",
					      ipe_skip_name((enum ipe_skip)i),
					      r->skipped[i]);
	}
	ipectl_warn("skipped %lu lines or records: %s", r->totals.skipped, buf);
}

int cmd_report(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct report_args a = { 0 };
	struct read_list rl = { 0 };
	struct ipe_auditlog log;
	struct ipe_report r;
	int rc;
	size_t i;

	rc = parse_args(cmd, argc, argv, &a);
	if (rc) {
		free(a.nodes);
		return -rc;
	}
	if (ipe_auditlog_init(&log, ipe_report_event, &r)) {
		free(a.nodes);
		return IPECTL_EXIT_SYSTEM;
	}
	rc = ipe_report_init(&r, &a.opts, log.skipped) ? IPECTL_EXIT_SYSTEM : 0;
	if (!rc)
		rc = read_all(&a, &log, &rl);
	if (!rc) {
		ipe_auditlog_finish(&log);
		if (ipe_report_finish(&r)) {
			ipectl_error("out of memory");
			rc = IPECTL_EXIT_SYSTEM;
		}
	}
	if (!rc && a.json)
		print_json(&r, &rl);
	else if (!rc)
		print_text(&r, &rl, a.opts.allowed);
	if (!rc && !a.json)
		warn_skipped(&r);
	ipe_report_free(&r);
	ipe_auditlog_free(&log);
	for (i = 0; i < rl.n; i++)
		free(rl.v[i]);
	free(rl.v);
	free(a.nodes);
	return rc;
}
