# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/57-counters.sh: per-rule hit counters, ipe_lkm's extension
# (policies/NAME/rule_hits, ipectl status --rules): exact counts of a known
# workload, the reset on activation, fresh counters on update, a reader's
# open file across an update and a delete; the built-in IPE has none.

# hits NAME LINE: the hits of the rule or DEFAULT on LINE of policy NAME.
hits() { awk -v l="$2" '$1 == l { print $2 }' "$T/policies/$1/rule_hits"; }

# cnt_policy BASE VERSION: the policy t_cnt's text and signature.  Every
# rule but the boot_verified one is decided only by this test's workload;
# that one also counts the test shell's own programs (every busybox applet
# not built into the shell is an exec from the initramfs).
cnt_policy() {
	pol_file "$1" "policy_name=t_cnt policy_version=$2" \
		"DEFAULT action=ALLOW" \
		"DEFAULT op=EXECUTE action=DENY" \
		"op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW" \
		"op=EXECUTE boot_verified=TRUE action=ALLOW" \
		"op=KMODULE boot_verified=TRUE action=DENY"
}

# The line numbers of cnt_policy's rules.
L_GLOBAL=2 L_EXEC_DEFAULT=3 L_DMV=4 L_BOOT=5 L_KMOD=6

t_counters_exact() { # smoke
	need module
	is_mounted /mnt/dmv || fail "dm-verity fixture missing"
	mkdir -p /untrusted/bin /untrusted/ko
	cp /usr/bin/ipet /untrusted/bin/
	cp /lib/ipet/fixture.ko /untrusted/ko/
	rmmod "$(cat /lib/ipet/fixture.name)" 2>/dev/null || true
	v=$(ver_next).0
	cnt_policy /tmp/cnt "$v"
	expect_eq "$(ipe_w new_policy /tmp/cnt.p7s)" OK "load"
	# loaded, never active: every counter is 0, every rule listed in order
	awk '{ print $1, $2 }' $T/policies/t_cnt/rule_hits >/tmp/h0
	expect_eq "$(tr '\n' ' ' </tmp/h0)" "2 0 3 0 4 0 5 0 6 0 " "fresh counters"
	expect_eq "$(sed -n 4p $T/policies/t_cnt/rule_hits)" \
		"5 0 op=EXECUTE boot_verified=TRUE action=ALLOW" "a line as audit renders the rule"
	expect_eq "$(sed -n 1p $T/policies/t_cnt/rule_hits)" "2 0 DEFAULT action=ALLOW" "global DEFAULT line"
	expect_eq "$(stat -c %a $T/policies/t_cnt/rule_hits)" 400 "mode"
	expect_eq "$(ipe_activate t_cnt)" OK "activate"

	# An exec of a static binary is decided twice: BPRM_CHECK, then the
	# MMAP of its one executable segment by the ELF loader (no ld.so, no
	# library: ipet is linked statically).  3 execs, 2 mmaps and 1
	# mprotect to PROT_EXEC of a file of the dm-verity volume: 3*2+2+1.
	for i in 1 2 3; do
		expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "dm-verity exec $i"
	done
	for i in 1 2; do
		expect_eq "$(ipet mmap /mnt/dmv/libipetlib.so)" OK "dm-verity mmap $i"
	done
	expect_eq "$(ipet mprotect /mnt/dmv/libipetlib.so)" OK "dm-verity mprotect"
	# The op's DEFAULT: 2 mmaps of the untrusted copy and 1 anonymous
	# executable mapping and 1 mprotect (no file: only a DEFAULT decides)
	# denied; then 2 execs of the copy in permissive mode (2 decisions
	# each): 2+1+1+2*2.
	for i in 1 2; do
		expect_eq "$(ipet mmap /untrusted/bin/ipet)" EACCES "untrusted mmap $i"
	done
	expect_eq "$(ipet anon)" EACCES "anonymous PROT_EXEC"
	expect_eq "$(ipet mprotect)" EACCES "anonymous mprotect"
	expect_eq "$(ipe_ws enforce 0)" OK "permissive"
	for i in 1 2; do
		expect_eq "$(ipet exec /untrusted/bin/ipet hello)" hello "permissive exec $i"
	done
	expect_eq "$(ipe_ws enforce 1)" OK "enforcing"
	# KMODULE: the rule denies the initramfs's copy; the tmpfs copy matches
	# nothing of op=KMODULE and the global DEFAULT allows it.
	expect_eq "$(ipet finit /lib/ipet/fixture.ko)" EACCES "module from the initramfs"
	expect_eq "$(ipet finit /untrusted/ko/fixture.ko)" OK "module from tmpfs"
	rmmod "$(cat /lib/ipet/fixture.name)"

	cat $T/policies/t_cnt/rule_hits
	expect_eq "$(hits t_cnt $L_DMV)" 9 "dm-verity rule"
	expect_eq "$(hits t_cnt $L_EXEC_DEFAULT)" 8 "op=EXECUTE DEFAULT"
	expect_eq "$(hits t_cnt $L_KMOD)" 1 "KMODULE rule"
	expect_eq "$(hits t_cnt $L_GLOBAL)" 1 "global DEFAULT"
	b=$(hits t_cnt $L_BOOT)
	[ "$b" -ge 10 ] || fail "boot_verified rule: $b hits, want at least the workload's 10 ipet execs"

	# ipectl: the same counts, as a table and in JSON
	IPECTL_TREE=$T ipectl status --rules >/tmp/sr || fail "status --rules: $(cat /tmp/sr)"
	expect_line /tmp/sr "$(printf '%10s  %5s  %s' 9 4 "op=EXECUTE dmverity_roothash=\"sha256\":$(echo $DMV_ROOTHASH | tr a-f A-F) action=ALLOW")" "status --rules table"
	IPECTL_TREE=$T ipectl status --rules --json >/tmp/sj || fail "status --rules --json"
	grep -q '{"line":3,"rule":"DEFAULT op=EXECUTE action=DENY","hits":8}' /tmp/sj ||
		fail "json: $(cat /tmp/sj)"
	grep -q '{"line":6,"rule":"op=KMODULE boot_verified=TRUE action=DENY","hits":1}' /tmp/sj ||
		fail "json: $(cat /tmp/sj)"
}

# Activation zeroes the activated policy's counters; a policy no longer
# active keeps its own; an update starts from zero; audit is unchanged.
t_counters_reset() {
	need module
	is_mounted /mnt/dmv || fail "dm-verity fixture missing"
	v=$(ver_next)
	cnt_policy /tmp/cnt "$v.0"
	expect_eq "$(ipe_w new_policy /tmp/cnt.p7s)" OK "load t_cnt"
	# the same version: activation may go back and forth between them
	expect_eq "$(ipe_load t_cnt2 "$v.0" "DEFAULT action=ALLOW")" OK "load t_cnt2"
	expect_eq "$(ipe_activate t_cnt)" OK "activate t_cnt"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "exec"
	expect_eq "$(hits t_cnt $L_DMV)" 2 "counted"
	expect_eq "$(ipe_activate t_cnt)" OK "activate t_cnt again"
	expect_eq "$(hits t_cnt $L_DMV)" 2 "activating the active policy is no activation: kept"
	expect_eq "$(ipe_activate t_cnt2)" OK "activate t_cnt2"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "exec under t_cnt2"
	expect_eq "$(hits t_cnt $L_DMV)" 2 "inactive: kept, not counted"
	expect_eq "$(ipe_activate t_cnt)" OK "activate t_cnt once more"
	expect_eq "$(hits t_cnt $L_DMV)" 0 "re-activated: from zero"
	expect_eq "$(hits t_cnt $L_KMOD)" 0 "re-activated: KMODULE rule"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "exec"
	expect_eq "$(hits t_cnt $L_DMV)" 2 "counting again"
	# success_audit does not change the counting, nor counting the audit
	expect_eq "$(ipe_ws success_audit 1)" OK "success_audit on"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet exec /mnt/dmv/ipet hello)" hello "exec audited"
	audit_recs 1420 >/tmp/r
	expect_eq "$(grep -c "pid=$(cat /tmp/pid) .*path=\"/mnt/dmv/ipet\"" /tmp/r)" 2 "2 records: BPRM_CHECK and MMAP"
	expect_eq "$(ipe_ws success_audit 0)" OK "success_audit off"
	expect_eq "$(hits t_cnt $L_DMV)" 4 "counted with success_audit"
	# update in place: the new policy, its fresh counters
	cnt_policy /tmp/cnt2 "$v.1"
	expect_eq "$(ipe_w policies/t_cnt/update /tmp/cnt2.p7s)" OK "update"
	expect_eq "$(hits t_cnt $L_DMV)" 0 "updated: fresh counters"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "exec"
	expect_eq "$(hits t_cnt $L_DMV)" 2 "the update counts"
}

# An open rule_hits keeps the module loaded and answers as the other files:
# ENOENT once its policy is deleted, ESTALE for the rest of a read begun
# before an update.
t_counters_open_file() {
	need module
	expect_eq "$(ipe_load t_cnto "$(ver_next).0" "DEFAULT action=ALLOW" \
		"op=EXECUTE boot_verified=TRUE action=ALLOW")" OK "load"
	exec 5<$T/policies/t_cnto/rule_hits
	expect_eq "$(ipe_delete t_cnto)" OK "delete while open"
	set +e
	cat <&5 >/tmp/o 2>/tmp/e
	rc=$?
	set -e
	expect_eq "$rc" 1 "read after delete fails"
	grep -q "No such file or directory" /tmp/e || fail "not ENOENT: $(cat /tmp/e)"
	exec 5<&-
	v=$(ver_next)
	expect_eq "$(ipe_load t_cntu "$v.0" "DEFAULT action=ALLOW" \
		"op=EXECUTE boot_verified=TRUE action=ALLOW")" OK "load"
	exec 5<$T/policies/t_cntu/rule_hits
	expect_eq "$(dd bs=4 count=1 <&5 2>/dev/null)" "2 0 " "first bytes"
	pol_file /tmp/cntu "policy_name=t_cntu policy_version=$v.1" "DEFAULT action=ALLOW"
	expect_eq "$(ipe_w policies/t_cntu/update /tmp/cntu.p7s)" OK "update while open"
	set +e
	cat <&5 >/tmp/o 2>/tmp/e
	rc=$?
	set -e
	expect_eq "$rc" 1 "the rest of the read after an update fails"
	grep -q "Stale file handle" /tmp/e || fail "not ESTALE: $(cat /tmp/e)"
	exec 5<&-
	expect_eq "$(cat $T/policies/t_cntu/rule_hits)" "2 0 DEFAULT action=ALLOW" "a new read shows the update"
}

# The kernel's own IPE has no counters: ipectl says so, exit 2.
t_counters_builtin() {
	need builtin
	set +e
	IPECTL_TREE= ipectl status --rules >/tmp/o 2>&1
	rc=$?
	set -e
	expect_eq "$rc" 2 "exit status"
	grep -q "per-rule counters are an ipe_lkm extension: not available with the kernel's built-in IPE" /tmp/o ||
		fail "message: $(cat /tmp/o)"
	set +e
	IPECTL_TREE= ipectl status --rules --json >/tmp/o 2>/dev/null
	rc=$?
	set -e
	expect_eq "$rc" 2 "json exit status"
	grep -q '"rules":null' /tmp/o || fail "json: $(cat /tmp/o)"
	grep -q '"rules_unavailable":"per-rule counters are an ipe_lkm extension' /tmp/o ||
		fail "json: $(cat /tmp/o)"
}
