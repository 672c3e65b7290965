# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/70-module.sh: what only ipe_lkm has to show: it cannot be
# removed or switched off while it enforces a policy.

t_module_rmmod_refused() { # smoke
	need module
	ipe_use t_rmmod "DEFAULT action=ALLOW"
	set +e
	rmmod ipe_lkm 2>/tmp/e1; r1=$?
	rmmod -f ipe_lkm 2>/tmp/e2; r2=$?
	set -e
	[ $r1 -ne 0 ] || fail "rmmod succeeded while enforcing"
	[ $r2 -ne 0 ] || fail "rmmod -f succeeded while enforcing"
	grep -q "Resource temporarily unavailable" /tmp/e1 || fail "rmmod: $(cat /tmp/e1)"
	grep -q "Resource temporarily unavailable" /tmp/e2 || fail "rmmod -f: $(cat /tmp/e2)"
	[ -d $T ] || fail "the tree is gone"
	lsmod | grep -q '^ipe_lkm ' || fail "the module is gone"
	set +e; out=$(IPECTL_TREE=$T ipectl unload 2>&1); rc=$?; set -e
	expect_eq $rc 2 "ipectl unload exit status"
	expect_match "$out" "enforce off' first" "ipectl unload advice"
}

t_module_ftrace_enabled() { # smoke
	need module
	mkdir -p /untrusted/bin && cp /usr/bin/ipet /untrusted/bin/
	ipe_use t_ftr "DEFAULT action=ALLOW" "op=EXECUTE boot_verified=FALSE action=DENY"
	set +e; echo 0 >/proc/sys/kernel/ftrace_enabled 2>/tmp/e; r=$?; set -e
	[ $r -ne 0 ] || fail "kernel.ftrace_enabled could be turned off"
	expect_eq "$(cat /proc/sys/kernel/ftrace_enabled)" 1 "ftrace_enabled"
	expect_eq "$(ipet exec /untrusted/bin/ipet hello)" EACCES "still enforcing"
}
