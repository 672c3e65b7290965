# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/20-exec.sh: op=EXECUTE through every path that maps code:
# execve, ld.so, mmap(PROT_EXEC), anonymous memory, mprotect, memfd.

untrusted_copy() {
	mkdir -p /untrusted/bin
	cp "$1" /untrusted/bin/
	echo /untrusted/bin/${1##*/}
}

t_exec_execve() { # smoke
	u=$(untrusted_copy /usr/bin/ipet)
	expect_eq "$(ipet exec /usr/bin/ipet hello)" hello "before the policy"
	expect_eq "$(ipet exec $u hello)" hello "untrusted before the policy"
	enforcer_part
	ipe_use t_exec "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" "op=EXECUTE boot_verified=TRUE action=ALLOW"
	expect_eq "$(ipet exec /usr/bin/ipet hello)" hello "trusted binary"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet exec $u hello)" EACCES "untrusted binary"
	audit_expect 1420 "ipe_op=EXECUTE ipe_hook=BPRM_CHECK enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=\"$u\" dev=\"tmpfs\" ino=$(stat -c %i $u) rule=\"DEFAULT op=EXECUTE action=DENY\""
	# The shell sees the same denial (126 = found but not executable).
	set +e; $u hello >/dev/null 2>&1; rc=$?; set -e
	expect_eq $rc 126 "shell exit status"
}

t_exec_permissive() { # smoke
	need ipe
	u=$(untrusted_copy /usr/bin/ipet)
	ipe_use t_perm "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" "op=EXECUTE boot_verified=TRUE action=ALLOW"
	expect_eq "$(ipe_ws enforce 0)" OK "permissive"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet exec $u hello)" hello "untrusted binary runs in permissive mode"
	# Still audited, with enforcing=0: once at exec, then for each mapping.
	audit_recs 1420 >/tmp/r
	expect_line /tmp/r "ipe_op=EXECUTE ipe_hook=BPRM_CHECK enforcing=0 pid=$(cat /tmp/pid) comm=\"ipet\" path=\"$u\" dev=\"tmpfs\" ino=$(stat -c %i $u) rule=\"DEFAULT op=EXECUTE action=DENY\"" "permissive 1420"
	expect_eq "$(ipe_ws enforce 1)" OK "enforcing"
	expect_eq "$(ipet exec $u hello)" EACCES "denied again"
}

t_exec_script() {
	need ipe
	mkdir -p /untrusted/bin
	printf '#!/bin/sh\necho script-ran\n' >/untrusted/bin/s.sh
	chmod +x /untrusted/bin/s.sh
	printf '#!/bin/sh\necho script-ran\n' >/tmp/s.sh
	chmod +x /tmp/s.sh
	ipe_use t_script "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" "op=EXECUTE boot_verified=TRUE action=ALLOW"
	expect_eq "$(ipet exec /tmp/s.sh)" script-ran "script on rootfs"
	expect_eq "$(ipet exec /untrusted/bin/s.sh)" EACCES "script on tmpfs via execve"
	# By design: a script given to the interpreter as an argument is not checked.
	expect_eq "$(sh /untrusted/bin/s.sh)" script-ran "sh script.sh"
}

# An interpreter that runs a script it was given as an argument asks first:
# execveat(AT_EXECVE_CHECK) from 6.14 on, decided by IPE as an exec
# (upstream 6.19's bprm_creds_for_exec hook, BPRM_CREDS_FOR_EXEC in 1420).
t_exec_check() { # smoke
	mkdir -p /untrusted/bin
	printf '#!/bin/sh\necho script-ran\n' >/untrusted/bin/c.sh
	printf '#!/bin/sh\necho script-ran\n' >/tmp/c.sh
	chmod +x /untrusted/bin/c.sh /tmp/c.sh
	r=$(ipet execcheck /untrusted/bin/c.sh || true)
	if [ "$r" = EINVAL ]; then
		if kernel_at_least 6 14; then
			fail "AT_EXECVE_CHECK refused on $(uname -r)"
		fi
		skip "no AT_EXECVE_CHECK before 6.14 (the mmap probe serves: t_exec_script_mmap_probe)"
	fi
	expect_eq "$r" OK "before the policy"
	enforcer_part
	if [ "$IPET_ENFORCER" = builtin ] && ! kernel_at_least 6 19; then
		skip "built-in IPE before 6.19 does not decide AT_EXECVE_CHECK"
	fi
	ipe_use t_chk "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" "op=EXECUTE boot_verified=TRUE action=ALLOW"
	expect_eq "$(ipet execcheck /tmp/c.sh)" OK "trusted script"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet execcheck /untrusted/bin/c.sh)" EACCES "untrusted script"
	audit_expect 1420 "ipe_op=EXECUTE ipe_hook=BPRM_CREDS_FOR_EXEC enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=\"/untrusted/bin/c.sh\" dev=\"tmpfs\" ino=$(stat -c %i /untrusted/bin/c.sh) rule=\"DEFAULT op=EXECUTE action=DENY\""
	expect_eq "$(ipe_ws enforce 0)" OK "permissive"
	expect_eq "$(ipet execcheck /untrusted/bin/c.sh)" OK "permissive: allowed"
	expect_eq "$(ipe_ws enforce 1)" OK "enforcing"
}

# The portable probe of the IPE documentation, on every kernel: an
# interpreter maps the script PROT_EXEC and obeys the error.
t_exec_script_mmap_probe() { # smoke
	mkdir -p /untrusted/bin
	printf '#!/bin/sh\necho script-ran\n' >/untrusted/bin/m.sh
	printf '#!/bin/sh\necho script-ran\n' >/tmp/m.sh
	expect_eq "$(ipet mmap /untrusted/bin/m.sh)" OK "before the policy"
	enforcer_part
	ipe_use t_probe "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" "op=EXECUTE boot_verified=TRUE action=ALLOW"
	expect_eq "$(ipet mmap /tmp/m.sh)" OK "trusted script"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet mmap /untrusted/bin/m.sh)" EACCES "untrusted script"
	audit_expect 1420 "ipe_op=EXECUTE ipe_hook=MMAP enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=\"/untrusted/bin/m.sh\" dev=\"tmpfs\" ino=$(stat -c %i /untrusted/bin/m.sh) rule=\"DEFAULT op=EXECUTE action=DENY\""
}

t_exec_ldso_library() { # smoke
	mkdir -p /untrusted/lib
	cp /lib/ipet/libipetlib.so /untrusted/lib/
	expect_eq "$(LD_LIBRARY_PATH=/untrusted/lib uselib)" "answer=42" "before the policy"
	enforcer_part
	ipe_use t_lib "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" "op=EXECUTE boot_verified=TRUE action=ALLOW"
	expect_eq "$(LD_LIBRARY_PATH=/lib/ipet uselib)" "answer=42" "trusted library"
	audit_mark
	set +e
	out=$(LD_LIBRARY_PATH=/untrusted/lib uselib 2>&1)
	rc=$?
	set -e
	expect_ne $rc 0 "uselib with an untrusted library"
	expect_match "$out" "libipetlib.so.*(failed to map segment|Permission denied|cannot open)" "ld.so error"
	audit_recs 1420 >/tmp/r
	grep -q "^ipe_op=EXECUTE ipe_hook=MMAP enforcing=1 pid=[0-9]* comm=\"uselib\" path=\"/untrusted/lib/libipetlib.so\" dev=\"tmpfs\" ino=$(stat -c %i /untrusted/lib/libipetlib.so) rule=\"DEFAULT op=EXECUTE action=DENY\"$" /tmp/r ||
		{ cat /tmp/r; fail "no MMAP 1420 for the library"; }
}

t_exec_dlopen() {
	need ipe
	mkdir -p /untrusted/lib
	cp /lib/ipet/libipetlib.so /untrusted/lib/
	ipe_use t_dl "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" "op=EXECUTE boot_verified=TRUE action=ALLOW"
	expect_eq "$(LD_LIBRARY_PATH=/lib/ipet uselib dlopen /lib/ipet/libipetlib.so)" OK "dlopen trusted"
	set +e
	out=$(LD_LIBRARY_PATH=/lib/ipet uselib dlopen /untrusted/lib/libipetlib.so)
	set -e
	expect_match "$out" "failed to map segment|Permission denied" "dlopen untrusted"
}

t_exec_mmap_file() { # smoke
	u=$(untrusted_copy /lib/ipet/libipetlib.so)
	expect_eq "$(ipet mmap $u)" OK "before the policy"
	enforcer_part
	ipe_use t_mmap "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" "op=EXECUTE boot_verified=TRUE action=ALLOW"
	expect_eq "$(ipet mmap /lib/ipet/libipetlib.so)" OK "trusted file"
	expect_eq "$(ipet mmap $u noexec)" OK "PROT_READ only is not checked"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet mmap $u)" EACCES "untrusted PROT_EXEC"
	audit_expect 1420 "ipe_op=EXECUTE ipe_hook=MMAP enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=\"$u\" dev=\"tmpfs\" ino=$(stat -c %i $u) rule=\"DEFAULT op=EXECUTE action=DENY\""
}

t_exec_anon() { # smoke
	expect_eq "$(ipet anon)" OK "before the policy"
	enforcer_part
	ipe_use t_anon "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" "op=EXECUTE boot_verified=TRUE action=ALLOW"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet anon)" EACCES "anonymous PROT_EXEC"
	audit_expect 1420 "ipe_op=EXECUTE ipe_hook=MMAP enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=? dev=? ino=? rule=\"DEFAULT op=EXECUTE action=DENY\""
}

t_exec_anon_false_props() {
	need ipe
	# boot_verified=FALSE, dmverity_signature=FALSE and fsverity_signature=FALSE
	# all hold for memory that has no file.
	for p in boot_verified=FALSE dmverity_signature=FALSE fsverity_signature=FALSE; do
		ipe_use t_anonf "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
			"op=EXECUTE boot_verified=TRUE action=ALLOW" "op=EXECUTE $p action=ALLOW"
		expect_eq "$(ipet anon)" OK "anonymous memory matches $p"
		ipe_reset
	done
	for p in dmverity_signature=TRUE fsverity_signature=TRUE \
		"dmverity_roothash=sha256:$DMV_ROOTHASH"; do
		ipe_use t_anont "DEFAULT action=ALLOW" "op=EXECUTE $p action=DENY"
		expect_eq "$(ipet anon)" OK "anonymous memory does not match $p"
		ipe_reset
	done
}

t_exec_mprotect() { # smoke
	u=$(untrusted_copy /lib/ipet/libipetlib.so)
	expect_eq "$(ipet mprotect)" OK "anonymous, before the policy"
	enforcer_part
	ipe_use t_mprot "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" "op=EXECUTE boot_verified=TRUE action=ALLOW"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet mprotect)" EACCES "anonymous RW -> RX"
	audit_expect 1420 "ipe_op=EXECUTE ipe_hook=MPROTECT enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=? dev=? ino=? rule=\"DEFAULT op=EXECUTE action=DENY\""
	expect_eq "$(ipet mprotect /lib/ipet/libipetlib.so)" OK "trusted file R -> RX"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet mprotect $u)" EACCES "untrusted file R -> RX"
	audit_expect 1420 "ipe_op=EXECUTE ipe_hook=MPROTECT enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=\"$u\" dev=\"tmpfs\" ino=$(stat -c %i $u) rule=\"DEFAULT op=EXECUTE action=DENY\""
}

t_exec_memfd() { # smoke
	out=$(ipet memfd /usr/bin/ipet ipet hello) || true
	# arm64 5.10.223 itself answers execveat(memfd, "", AT_EMPTY_PATH)
	# with ENOENT, with no module loaded (amd64 5.10.262 runs it); an
	# enforcer refuses with EACCES, never ENOENT
	[ "$out" = ENOENT ] && skip "this kernel cannot execveat() a memfd (ENOENT before any policy)"
	expect_eq "$out" hello "before the policy"
	enforcer_part
	ipe_use t_memfd "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" "op=EXECUTE boot_verified=TRUE action=ALLOW"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet memfd /usr/bin/ipet ipet hello)" EACCES "fexecve of a memfd"
	audit_recs 1420 >/tmp/r
	# d_path gives "/memfd:ipet (deleted)"; the space makes audit print it as hex.
	hex=$(printf '/memfd:ipet (deleted)' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
	expect_match "$(head -1 /tmp/r)" "^ipe_op=EXECUTE ipe_hook=BPRM_CHECK enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=$hex dev=\"tmpfs\" ino=[0-9]+ rule=\"DEFAULT op=EXECUTE action=DENY\"$" "memfd 1420"
}

t_exec_no_policy_no_audit() {
	need ipe
	# With only an allow-all policy active nothing is denied or audited.
	u=$(untrusted_copy /usr/bin/ipet)
	audit_mark
	expect_eq "$(ipet exec $u hello)" hello "allow-all"
	expect_eq "$(ipet anon)" OK "allow-all anon"
	audit_none 1420
}
