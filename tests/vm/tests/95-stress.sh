# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/95-stress.sh: races, with helpers/ipestress.c and
# helpers/iperace.c.
#
# t_stress_policy_churn: workers execute and map trusted and untrusted files
# while policies, enforce, the dm-verity fixture's table and fresh fs-verity
# files change under them; no decision may be wrong, no write may give
# another result than the expected one.  Any enforcer; on the built-in IPE
# (backports) it is the oracle.
# t_stress_enforce_rmmod (ipe_lkm only): writes to enforce against removal
# and re-insertion of the module; it must never go while it enforces a policy.
#
# Durations: IPET_STRESS_SECONDS (tests/vm/run --stress-seconds; 60 by
# default) for the first.  The second runs half of it (at least 30 s), then
# on until its minimum counts are reached (one cycle of insmod, policy and
# removal takes 15 s and more on 6.12 under TCG), at most 6 times as long.
# The guest's CPUs: tests/vm/run --smp N (IPET_SMP).  With one CPU the tests
# still run and judge every decision, but the processes only interleave
# where the scheduler preempts them, so races are hunted far less well: the
# summary lines say cpus=N, and with 1 CPU the log says so.  A guest with
# fewer CPUs than --smp asked for fails.

stress_cpus() {
	n=$(grep -c '^processor' /proc/cpuinfo)
	[ "$n" -ge "${IPET_SMP:-1}" ] || fail "the guest has $n CPUs, --smp asked for $IPET_SMP"
	[ "$n" -ge 2 ] ||
		report "@@SAY       NOTE: 1 CPU: the race tests interleave by preemption only (tests/vm/run --smp 2)"
}

# stress_report NAME OUT: the summary line of an ipestress/iperace run, to
# the host.
stress_report() {
	line=$(grep "^$1 " "$2" | tail -n 1)
	[ -n "$line" ] || line="$1 (no summary: $(tail -n 1 "$2"))"
	report "@@STRESS $IPET_KERNEL $IPET_ENFORCER $line${3:+ $3}"
}

# stress_dmv_table: the table dmv_open loaded for the fixture volume
# (ipet_dmv, pair 1), as "START LEN verity PARAMS".
stress_dmv_table() {
	data=$(disk dmvdata1) && hash=$(disk dmvhash1) ||
		{ echo "FAIL: dm-verity fixture disks missing" >&2; return 1; }
	echo "0 $DMV_SECTORS verity 1 $data $hash 4096 4096 $DMV_BLOCKS 0 sha256 $DMV_ROOTHASH $DMV_SALT"
}

# audit_drop_since_mark WHY: remove the records since audit_mark from the
# guest's audit log (a passing 10-minute run leaves ~25 MB, which the runner
# would then copy over the serial line for minutes), leaving one line that
# says how many and why.
audit_drop_since_mark() {
	m=$(cat /run/ipet.amark)
	n=$(($(wc -l <$AUDIT_LOG) - m))
	head -n $m $AUDIT_LOG >/tmp/audit.keep
	cat /tmp/audit.keep >$AUDIT_LOG
	echo "0 0 ipet: $n audit records dropped: $1" >>$AUDIT_LOG
	rm -f /tmp/audit.keep
}

# What each file is, for every policy of lib/fixtures.sh stress_policies
# (all of them decide EXECUTE alike):
#   trusted   rootfs (boot_verified), /mnt/dmv (dmverity_roothash),
#             /mnt/fsv/signed/* (fsverity_signature), libipetlib.so under
#             fs-verity (/mnt/fsv/unsigned, fresh copies: fsverity_digest),
#             fresh copies of ipet enabled with the signature
#   untrusted /untrusted (tmpfs), /mnt/fsv/plain (ext4), ipet under
#             fs-verity without a signature (/mnt/fsv/unsigned, fresh
#             copies: its digest is in no policy), fresh copies before
#             verity is enabled
# Expected errnos of the writes: see helpers/ipestress.c (s_c: EEXIST,
# ESTALE, EINVAL, ENOENT; everything else must succeed).
# The built-in IPE (6.12) gets one part wrong: a file on the dm-verity
# volume can be denied while the volume's table is reloaded (seen once in
# 1796 reloads, 10 minutes: "trusted exec /mnt/dmv/ipet denied").  At each
# resume, ipe_bdev_setintegrity() (security/ipe/hooks.c) kfree()s the
# previous root hash record and stores the new one with no RCU and no lock,
# while evaluate_dmv_roothash() reads it unlocked: an evaluation at that
# moment compares against freed memory (use-after-free; slab reuse makes
# the comparison fail).  So for the built-in IPE only, a denial of a
# dm-verity file that overlaps a reload is counted apart
# (trusted_denied_known_dm_reload, ipestress -K dmverity) and does not
# fail; everything else is judged, the reloads still run.  From the same
# code: a reload with a table that is not verity (not done here) would keep
# the old root hash, and its trust.
# A passing run drops its own audit records (tens of MB in 10 minutes).
t_stress_policy_churn() {
	need ipe
	stress_cpus
	is_mounted /mnt/dmv || fail "dm-verity fixture missing"
	fsv_prepare
	pol=/lib/ipet/stress/$DMV_ROOTHASH
	[ -f $pol/a_1.p7s ] || fail "no stress policies for the root hash $DMV_ROOTHASH"
	# s_a and s_b are at 0.60000.N: the runner's next base policy (ver_next)
	# must be above them, or it could not be activated after this test.
	v=$(cat /run/ipet.ver 2>/dev/null || echo 0)
	[ "$v" -lt 60000 ] || fail "the version counter is already at $v"
	echo 60000 >/run/ipet.ver
	mkdir -p /untrusted/s /mnt/fsv/scratch/stress
	cp /usr/bin/ipet /lib/ipet/libipetlib.so /untrusted/s/
	rm -f /mnt/fsv/scratch/stress/*
	table=$(stress_dmv_table)
	known=""
	[ "$IPET_ENFORCER" != builtin ] || known="-K dmverity"
	audit_mark
	rc=0
	ipestress -s ${IPET_STRESS_SECONDS:-60} -t $T -p $pol -w 4 \
		-d ipet_dmv -D "$table" $known \
		-f /mnt/fsv/scratch/stress -e /mnt/fsv/plain/ipet -E /mnt/fsv/sig/ipet.sig \
		-l /mnt/fsv/plain/libipetlib.so -L /mnt/fsv/sig/libipetlib.so.sig \
		x:T:rootfs:/usr/bin/ipet m:T:rootfs:/lib/ipet/libipetlib.so \
		x:T:dmverity:/mnt/dmv/ipet m:T:dmverity:/mnt/dmv/libipetlib.so \
		x:T:fsv_signed:/mnt/fsv/signed/ipet m:T:fsv_signed:/mnt/fsv/signed/libipetlib.so \
		m:T:fsv_digest:/mnt/fsv/unsigned/libipetlib.so \
		x:U:tmpfs:/untrusted/s/ipet m:U:tmpfs:/untrusted/s/libipetlib.so \
		x:U:ext4:/mnt/fsv/plain/ipet m:U:ext4:/mnt/fsv/plain/libipetlib.so \
		x:U:fsv_unsigned:/mnt/fsv/unsigned/ipet m:U:fsv_unsigned:/mnt/fsv/unsigned/ipet \
		>/tmp/stress.out 2>&1 || rc=$?
	set +x	# a failure shows the last 40 lines: keep them for the counts
	cat /tmp/stress.out
	stress_report race /tmp/stress.out "audit_1420=$(audit_since | grep -c '^1420 ' || true)"
	rm -f /mnt/fsv/scratch/stress/*
	[ $rc = 0 ] || fail "ipestress (exit $rc): $(grep '^FAIL' /tmp/stress.out | cut -c7- | tr '\n' ';')"
	audit_drop_since_mark "t_stress_policy_churn passed"
}

# iperace: two togglers write 0 and 1 to enforce (each its own
# open/write/close), a remover calls delete_module(O_NONBLOCK), and half of
# the times enforce is known to be 1 with O_TRUNC (rmmod -f: must be
# refused), a re-inserter loads the module again whenever it is gone, with
# a policy (DEFAULT action=ALLOW) activated.  Togglers and remover wait
# while a re-insertion is under way; each cycle begins with removals tried
# only while enforce is known to be 1 (they must be refused).  Violation: a
# removal that succeeds when the last completed write to enforce was 1 with
# a policy active, or although such a write of 1 completed while it was
# under way (the marks "may be 0" / "is 1" in shared memory:
# helpers/iperace.c).  Expected errnos there too.  Fails too below 3
# removals, 5 plain and 5 forced removals refused while enforce was 1, 10
# writes of each value.  Each successful removal is listed with the number
# of enforce writes that completed during it.
t_stress_enforce_rmmod() {
	need module
	stress_cpus
	fsv_prepare
	secs=$((${IPET_STRESS_SECONDS:-60} / 2))
	[ $secs -ge 30 ] || secs=30
	rc=0
	iperace -s $secs -S $((secs * 6)) -t $T -k $IPET_MODULE -p /lib/ipet/stress/rm.p7s -T 2 \
		>/tmp/rmrace.out 2>&1 || rc=$?
	set +x	# a failure shows the last 40 lines: keep them for the counts
	cat /tmp/rmrace.out
	stress_report rmrace /tmp/rmrace.out
	# the verdict first (the runner shows the first FAIL line), then the
	# state the next tests expect, whatever the verdict
	bad=0
	[ $rc = 0 ] || {
		bad=1
		echo "FAIL: iperace (exit $rc): $(grep '^FAIL' /tmp/rmrace.out | cut -c7- | tr '\n' ';')"
	}
	# iperace leaves a fresh module (no policy, enforce 1), as the
	# harness's insmod does.  It has not seen the fixtures appear: a
	# dm-verity table is learnt when it is loaded or resumed, a fs-verity
	# signature when the inode's verity info is set up: load the volume's
	# table again (as ipectl load does), and mount the other volume again.
	lsmod | grep -q '^ipe_lkm ' || { insmod $IPET_MODULE; fail "ipe_lkm not loaded after iperace (exit $rc)"; }
	[ -d $T ] || fail "$T missing after iperace"
	expect_eq "$(ipet dmload ipet_dmv "$(stress_dmv_table)")" OK "loading the dm-verity fixture's table again"
	expect_eq "$(ipet dmresume ipet_dmv)" OK "resuming it"
	umount /mnt/fsv && mount -t ext4 $(disk fsv) /mnt/fsv || fail "mounting /mnt/fsv again"
	ipe_reset
	ipe_use t_rmrace_after "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
		"op=EXECUTE boot_verified=TRUE action=ALLOW" \
		"op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW" \
		"op=EXECUTE fsverity_signature=TRUE action=ALLOW"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "the dm-verity fixture after the reloads"
	expect_eq "$(ipet exec /mnt/fsv/signed/ipet hello)" hello "a signed fs-verity file after the reloads"
	expect_eq "$(ipet exec /mnt/fsv/plain/ipet hello)" EACCES "plain ext4 after the reloads"
	[ $bad = 0 ]
}
