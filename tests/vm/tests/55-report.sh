# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/55-report.sh: an evaluation's workload.  Its audit records
# (out/<kernel>/audit.raw.log, auditd's RAW format) are the recordings
# `ipectl report` is tested on: tests/cli/data/audit/, made by
# tests/cli/data/record-audit.  Each step's count is what test_report.sh
# expects; the checks here make sure the records are the ones described.
#
#   policy t_report (boot_verified only), enforce off:
#     exec /untrusted/bin/ipet       3 x BPRM_CHECK enforcing=0  (would deny)
#     uselib with /untrusted/lib     2 runs: MMAP enforcing=0      (would deny)
#     mprotect(+X) of the library    1 x MPROTECT enforcing=0     (would deny)
#     /usr/bin/ipet (initramfs)      allowed, no record
#   policy t_report2 (one more rule: the library's fs-verity digest) loaded
#   and activated, enforce on:
#     exec /untrusted/bin/ipet       1 x BPRM_CHECK enforcing=1  (denied)
#   success_audit on: /usr/bin/ipet  1 x BPRM_CHECK allowed by the rule

t_report_workload() {
	need ipe
	mkdir -p /untrusted/bin /untrusted/lib
	cp /usr/bin/ipet /untrusted/bin/ipet
	cp /lib/ipet/libipetlib.so /untrusted/lib/
	u=/untrusted/bin/ipet
	l=/untrusted/lib/libipetlib.so
	ipe_use t_report "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
		"op=EXECUTE boot_verified=TRUE action=ALLOW"
	audit_mark
	expect_eq "$(ipe_ws enforce 0)" OK "permissive"
	for i in 1 2 3; do
		expect_eq "$(ipet exec $u hello)" hello "untrusted exec $i (permissive)"
	done
	for i in 1 2; do
		expect_eq "$(LD_LIBRARY_PATH=/untrusted/lib uselib)" "answer=42" "untrusted library $i (permissive)"
	done
	expect_eq "$(ipet mprotect $l)" OK "mprotect +X (permissive)"
	expect_eq "$(ipet exec /usr/bin/ipet hello)" hello "trusted exec"
	audit_recs 1420 >/tmp/r
	expect_eq "$(grep -c 'ipe_hook=BPRM_CHECK enforcing=0 .*path="/untrusted/bin/ipet"' /tmp/r)" 3 "would-be exec denials"
	expect_eq "$(grep -c 'ipe_hook=MPROTECT enforcing=0 .*path="/untrusted/lib/libipetlib.so"' /tmp/r)" 1 "would-be mprotect denials"
	grep -q 'ipe_hook=MMAP enforcing=0 pid=[0-9]* comm="uselib" path="/untrusted/lib/libipetlib.so"' /tmp/r ||
		fail "no would-be MMAP denial for the library"
	grep -q 'path="/usr/bin/ipet"' /tmp/r && fail "a record for the trusted binary"

	ipe_use t_report2 "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
		"op=EXECUTE boot_verified=TRUE action=ALLOW" \
		"op=EXECUTE fsverity_digest=sha256:$(sha256_hex $l | tr A-F a-f) action=ALLOW"
	expect_eq "$(ipe_ws enforce 1)" OK "enforcing"
	expect_eq "$(ipet exec $u hello)" EACCES "untrusted exec (enforcing)"
	expect_eq "$(ipe_ws success_audit 1)" OK "success_audit on"
	expect_eq "$(ipet exec /usr/bin/ipet hello)" hello "trusted exec (audited)"
	expect_eq "$(ipe_ws success_audit 0)" OK "success_audit off"
	audit_recs 1420 >/tmp/r
	expect_eq "$(grep -c 'enforcing=1 .*path="/untrusted/bin/ipet"' /tmp/r)" 1 "denied exec"
	grep -q 'path="/usr/bin/ipet" dev="rootfs" ino=[0-9]* rule="op=EXECUTE boot_verified=TRUE action=ALLOW"' /tmp/r ||
		fail "no success record for the trusted binary"
	expect_eq "$(audit_recs 1421 | grep -c 'new_active_pol_name="t_report2"')" 1 "activation record"
}
