#!/bin/bash
# SPDX-License-Identifier: MIT
# ipectl report: every field of the report against the audit records
# t_report_workload made on four kernels (tests/cli/data/audit/, RAW), and
# the forms derived from them: newer type names, ENRICHED, two nodes of a
# collector, a log directory, standard input, the journal; time and node
# filters; hostile input; exit statuses.
# Usage: test_report.sh PATH/TO/ipectl
set -u
. "$(dirname "$0")/lib.sh"
IPECTL=${1:?usage: $0 ipectl}
D=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CHECK=$D/report-check.py
JREMOTE=/lib/systemd/systemd-journal-remote

# json_is NAME LOG NODES ALLOWED RECORDS -- ARGS...: `ipectl report --json
# ARGS` exits 0 and report-check.py finds every field as LOG says.
json_is() {
	local name=$1 log=$2 nodes=$3 allowed=$4 records=$5 out rc
	shift 6
	out=$("$IPECTL" report --json "$@" 2>"$T/err") && rc=0 || rc=$?
	printf '%s\n' "$out" >"$T/out.json"
	if [ $rc -ne 0 ]; then
		ko "$name" "exit $rc" "$(cat "$T/err")"
	elif ! python3 "$CHECK" "$T/out.json" "$log" "$nodes" "$allowed" "$records" 2>"$T/py"; then
		ko "$name" "$(tail -c 2000 "$T/py")"
	else
		ok "$name"
	fi
}

# the fields of an ENRICHED line after its 0x1d (auditd log_format=ENRICHED)
ENRICH=$'\x1dAUID="unset" UID="root" GID="root" EUID="root" SUID="root" FSUID="root" EGID="root" SGID="root" FSGID="root" SES="unset"'

for L in bookworm-module backports-module backports-builtin trixie-bpo-builtin; do
	log=$D/data/audit/$L.log
	n=$(wc -l <"$log")
	json_is "$L: RAW" "$log" - 0 "$n" -- "$log"
	json_is "$L: --allowed lists the success_audit records" "$log" - 1 "$n" -- --allowed "$log"
	sed 's/UNKNOWN\[1420\]/IPE_ACCESS/; s/UNKNOWN\[1421\]/IPE_CONFIG_CHANGE/; s/UNKNOWN\[1422\]/IPE_POLICY_LOAD/' \
		"$log" >"$T/named.log"
	json_is "$L: newer auditd's type names" "$log" - 0 "$n" -- "$T/named.log"
	sed "s/\$/$ENRICH/" "$log" >"$T/enriched.log"
	json_is "$L: ENRICHED" "$log" - 0 "$n" -- "$T/enriched.log"
	{ sed 's/^/node=web1 /' "$log"; sed 's/^/node=web2 /' "$log"; } >"$T/nodes.log"
	json_is "$L: two nodes of a collector" "$log" web1,web2 0 "$n" -- "$T/nodes.log"
	json_is "$L: --node web2" "$log" web2 0 $((2 * n)) -- --node web2 "$T/nodes.log"
	mkdir -p "$T/dir.$L"
	head -n 30 "$log" >"$T/dir.$L/audit.log.2"
	sed -n '31,60p' "$log" >"$T/dir.$L/audit.log.1"
	sed -n '61,$p' "$log" >"$T/dir.$L/audit.log"
	echo junk >"$T/dir.$L/other.log"
	json_is "$L: auditd's log directory, oldest first" "$log" - 0 "$n" -- "$T/dir.$L"
	json_is "$L: standard input" "$log" - 0 "$n" -- - <"$log"
	rm -rf "$T/journal"; mkdir "$T/journal"
	python3 "$D/audit-export.py" "$log" "vm-$L" >"$T/export"
	if ! "$JREMOTE" --split-mode=none -o "$T/journal/remote.journal" "$T/export" 2>"$T/err"; then
		ko "$L: the journal" "systemd-journal-remote failed" "$(cat "$T/err")"
	else
		json_is "$L: the journal (--journal-dir), node _HOSTNAME" "$log" "vm-$L" 0 ipe -- --journal-dir "$T/journal"
	fi
done

log=$D/data/audit/bookworm-module.log
expect "text: totals first" 0 "^records: 105, from IPE 31: 1 denied, 9 would be denied \(permissive\), 6 allowed" \
	"$IPECTL" report "$log"
expect "text: a would-deny group, its rule and policy" 0 \
	"would-deny +3  EXECUTE/BPRM_CHECK  /untrusted/bin/ipet \(dev tmpfs, ino 4\)"$'\n'" +rule \"DEFAULT op=EXECUTE action=DENY\", policy t_report 0.2.0" \
	"$IPECTL" report "$log"
expect "text: allowed not listed without --allowed" 0 "^nodes: 1, files: 2, groups: 5" "$IPECTL" report "$log"
expect "text: activations old -> new" 0 "activate t_report 0.2.0 -> t_report2 0.3.0 sha256:65F39FE2" "$IPECTL" report "$log"
out=$("$IPECTL" report "$log" 2>&1)
if grep -q "denied.*"$'\n'".*"$'\n'".*"$'\n'"  would-deny" <<<"$out" &&
	[ "$(grep -n ' denied ' <<<"$out" | head -1 | cut -d: -f1)" -lt "$(grep -n 'would-deny' <<<"$out" | head -1 | cut -d: -f1)" ]; then
	ok "text: denied listed before would-deny"
else
	ko "text: denied listed before would-deny" "$out"
fi

# time window: the denial moved 10 s later; the activation before the window
# still names the policy in force
sed 's/msg=audit(1796249586\.145:22)/msg=audit(1796249596.145:22)/' "$log" >"$T/late.log"
report_q() { "$IPECTL" report --json "$@" | python3 -c "import json,sys; r=json.load(sys.stdin); print($Q)"; }
Q='[(a["decision"], a["count"], a["policy"]["name"]) for n in r["nodes"] for a in n["accesses"]], r["nodes"][0]["policy_events"], r["totals"]["records"]'
want="[('denied', 1, 't_report2')] [] 105"
for since in @1796249590 2026-12-02T22:13:10Z "2026-12-02T22:13:10"; do
	got=$(TZ=UTC report_q --since "$since" "$T/late.log" 2>&1)
	if [ "$got" = "$want" ]; then ok "--since $since: the policy activated before it"; else ko "--since $since" "$got"; fi
done
Q='r["totals"]["would_deny"], r["totals"]["denied"], len(r["nodes"][0]["enforce_events"])'
# the denial is at 22:13:06.145: --until 22:13:05 leaves it out, --until
# 22:13:06 (the whole second, as the log's reader means it) takes it in,
# and so do the minute and the day written alone
for until in "2026-12-02 22:13:05Z=9 0 3" "2026-12-02 22:13:06Z=9 1 7" "@1796249585=9 0 3" \
	"@1796249586=9 1 7" "2026-12-02T22:13Z=9 1 7" "2026-12-02=9 1 7"; do
	got=$(TZ=UTC report_q --since @1796249585 --until "${until%=*}" "$log" 2>&1)
	[ "$got" = "${until#*=}" ] && ok "--until ${until%=*}: up to the end of that unit" ||
		ko "--until ${until%=*}" "$got, expected ${until#*=}"
done
got=$(TZ=Asia/Tokyo report_q --until "2026-12-03 07:13:05" "$log" 2>&1)
[ "$got" = "9 0 3" ] && ok "--until in local time" || ko "--until in local time" "$got"
expect "--until a day before --since: exit 1" 1 "after --until" "$IPECTL" report --since "2026-12-02 00:00Z" --until 2026-12-01 "$log"
Q='len(r["nodes"]), r["totals"]["records"], r["totals"]["ipe_records"]'
got=$(report_q --since @1896249585 "$log" 2>&1)
[ "$got" = "0 105 0" ] && ok "nothing in the window: no node" || ko "nothing in the window" "$got"
Q='[n["node"] for n in r["nodes"]], r["totals"]["denied"]'
{ cat "$log"; sed 's/^/node=web1 /' "$log"; } >"$T/mixed.log"
got=$(report_q --node "" "$T/mixed.log" 2>&1)
[ "$got" = "[None] 1" ] && ok "--node \"\": the records without node=" || ko "--node \"\"" "$got"
got=$(report_q "$T/mixed.log" 2>&1)
[ "$got" = "[None, 'web1'] 2" ] && ok "nodes by name, null first" || ko "nodes by name" "$got"
got=$(report_q --node web1 --node nope "$T/mixed.log" 2>&1)
[ "$got" = "['web1'] 1" ] && ok "--node repeated" || ko "--node repeated" "$got"

for bad in yesterday 2026-13-01 "2026-12-02 25:00" 2026-12-02T10 @-5 @12x "2026-12-02 10:00:00 junk"; do
	expect "--since '$bad': exit 1" 1 "--since '$bad': not YYYY-MM-DD" "$IPECTL" report --since "$bad" "$log"
done
expect "--since after --until: exit 1" 1 "after --until" "$IPECTL" report --since @20 --until @10 "$log"
expect "missing SOURCE: exit 1" 1 "$T/none.log: cannot read: No such file" "$IPECTL" report "$T/none.log"
mkdir "$T/empty"
expect "directory without audit.log: exit 1" 1 "no audit.log in it" "$IPECTL" report "$T/empty"
expect "--journal and --journal-dir: exit 1" 1 "one or the other" "$IPECTL" report --journal --journal-dir "$T/empty"
expect "--journal-dir that cannot be opened: exit 2" 2 "cannot read the journal in $T/none" "$IPECTL" report --journal-dir "$T/none"
expect "unknown option: usage, exit 1" 1 "Usage: ipectl report" "$IPECTL" report --bogus "$log"
expect "--help" 0 "schema ipectl-report/1" "$IPECTL" report --help

# hostile input: each bad line or record skipped and counted by reason, the
# rest reported; ASan/UBSan (tests/run-all cli) watch for the crash
A='type=UNKNOWN[1420] msg=audit(1796249590.000:900): ipe_op=EXECUTE ipe_hook=BPRM_CHECK enforcing=1 pid=9'
{
	cat "$log"
	echo "hello, not an audit record"
	printf 'type=UNKNOWN[1420] \0 msg=audit(1796249590.000:901): x\n'
	printf 'type=UNKNOWN[1420] msg=audit(1796249590.000:902): '; head -c $((5 << 20)) /dev/zero | tr '\0' A; echo
	echo "${A:0:60}"
	echo "$A"' comm="x" path="/a" dev="d" ino=1 rule="DEFAULT op=EXEC'
	echo "$A"' comm="x" path="/a" path="/b" dev="d" ino=1 rule="DEFAULT action=DENY"'
	echo "$A"' comm="x" path="/a" ino=1 rule="DEFAULT action=DENY"'
	echo "$A"' comm="x" path=4G41 dev="d" ino=1 rule="DEFAULT action=DENY"'
	echo "$A"' comm="x" path=414 dev="d" ino=1 rule="DEFAULT action=DENY"'
	echo "${A/enforcing=1/enforcing=2}"' comm="x" path="/a" dev="d" ino=1 rule="DEFAULT action=DENY"'
	echo "$A"' comm="x" path="/a" dev="d" ino=12z rule="DEFAULT action=DENY"'
	echo "$A"' comm="x" path="/a" dev="d" ino=1 rule="DEFAULT action=MAYBE"'
	echo 'type=UNKNOWN[1420] msg=audit(99999999999999999999.000:903): ipe_op=EXECUTE ipe_hook=MMAP enforcing=1 pid=1 comm="x" path="/a" dev="d" ino=1 rule="DEFAULT action=DENY"'
	echo 'type=UNKNOWN[1420] msg=audit(999999999999.000:903): ipe_op=EXECUTE ipe_hook=MMAP enforcing=1 pid=1 comm="x" path="/a" dev="d" ino=1 rule="DEFAULT action=DENY"'
	echo 'type=UNKNOWN[1422] msg=audit(1796249590.000:904): policy_name=? policy_version=? policy_digest=? auid=0 ses=1 lsm=ipe res=0 errno=-74'
	echo 'type=UNKNOWN[1422] msg=audit(1796249590.000:905): policy_name="p" policy_version=1.0.0 policy_digest=sha256:00 auid=0 ses=1 lsm=ipe res=1 errno=zero'
	echo 'type=MAC_STATUS msg=audit(1796249590.000:906): enforcing=1 old_enforcing=0 auid=0 ses=1 enabled=1 old-enabled=1 lsm=selinux res=1'
	echo 'type=MAC_STATUS msg=audit(1796249590.000:907): enforcing=1 auid=0 ses=1 enabled=1 old-enabled=1 lsm=ipe res=1'
	echo "$A"' comm=69706574207832 path=2F746D702F6120622F78 dev="d" ino=? newfield=1 rule="op=EXECUTE dmverity_roothash="sha256":ABCD action=ALLOW"'
	echo "$A"' comm="x" path=? dev=? ino=? rule="DEFAULT action=DENY"'
	printf '%s' "$A"' comm="y" path=? dev=? ino=? rule="DEFAULT action=DENY"'
} >"$T/hostile.log"
Q='r["skipped"], r["totals"]["skipped"], r["totals"]["denied"], r["totals"]["policy_load_failures"], r["totals"]["enforce_changes"]'
got=$(report_q "$T/hostile.log" 2>&1)
want="{'not-audit': 3, 'line-too-long': 1, 'missing-field': 3, 'duplicate-field': 1, 'bad-value': 5, 'bad-hex': 2, 'truncated': 1} 16 3 1 7"
[ "$got" = "$want" ] && ok "hostile lines and records: skipped, counted by reason" || ko "hostile lines and records" "got  $got" "want $want"
Q='[(a["path"], a["dev"], a["ino"], a["comms"], a["rule"]) for a in r["nodes"][0]["accesses"] if a["path"] in (None, "/tmp/a b/x")], [e for e in r["nodes"][0]["policy_events"] if e["result"] == "failed"]'
got=$(report_q --allowed "$T/hostile.log" 2>&1)
want="[(None, None, None, ['x', 'y'], 'DEFAULT action=DENY'), ('/tmp/a b/x', 'd', None, ['ipet x2'], 'op=EXECUTE dmverity_roothash=\"sha256\":ABCD action=ALLOW')] [{'time': '2026-12-02T22:13:10.000Z', 'kind': 'load', 'name': None, 'version': None, 'digest': None, 'old': None, 'result': 'failed', 'errno': -74}]"
[ "$got" = "$want" ] && ok "hex strings decoded, no file, quotes in the rule, a failed load" || ko "hex, no file, rule, failed load" "got  $got" "want $want"
expect "text: one line on stderr says what was skipped" 0 \
	"warning: skipped 16 lines or records: not-audit 3, line-too-long 1, missing-field 3, duplicate-field 1, bad-value 5, bad-hex 2, truncated 1" \
	"$IPECTL" report "$T/hostile.log"
head -c $((1 << 20)) /dev/urandom >"$T/random"
expect "random bytes: a report, exit 0" 0 '"ipe_records":0' "$IPECTL" report --json "$T/random"
head -c 3000 "$log" >"$T/cut.log"
expect "a log cut in the middle of a record" 0 '"records":1[0-9],' "$IPECTL" report --json "$T/cut.log"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
