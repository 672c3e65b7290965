# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/95-stress.sh: policies change every few milliseconds while
# programs are executed and mapped; no decision may be wrong.  Runs last
# but for 99-*: it leaves policies of version 60000 behind.

t_stress_policy_churn() {
	need ipe
	mkdir -p /untrusted/bin && cp /bin/busybox /untrusted/bin/busybox
	# two workers and the writer, for IPET_STRESS_SECONDS (default 60)
	ipestress ${IPET_STRESS_SECONDS:-60} $T /bin/busybox /untrusted/bin/busybox \
		/lib/ipet/stress 2 >/tmp/stress.out 2>&1 || fail "ipestress: $(cat /tmp/stress.out)"
	cat /tmp/stress.out
	report "@@STRESS $IPET_KERNEL $IPET_ENFORCER $(tail -n 1 /tmp/stress.out)"
	grep -q 'exec_untrusted_allowed=0 ' /tmp/stress.out || fail "untrusted allowed"
	n=$(sed 's/.*policy_writes=\([0-9]*\).*/\1/' /tmp/stress.out)
	[ "$n" -gt 1000 ] || fail "only $n policy writes"
	t=$(sed 's/.*exec_trusted_ok=\([0-9]*\).*/\1/' /tmp/stress.out)
	[ "$t" -gt 100 ] || fail "only $t trusted executions"
}
