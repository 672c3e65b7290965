# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/99-module.sh: unloading and loading ipe_lkm.  Last: after a
# reload the module has not seen the dm-verity fixture's resume (6.12).

# The load self-test diverts its own calls of four hooked functions to a
# stub (see hooks.c); a hook it could not prove would have failed the load
# or, for the exec test that could not run, left a warning.  Load it again
# here to see its log, and check that it left nothing behind.
t_module_selftest() { # smoke
	need module
	echo 0 >$T/enforce
	rmmod ipe_lkm 2>/tmp/e || fail "cannot unload ipe_lkm to reload it: $(cat /tmp/e)"
	dmesg -c >/dev/null
	audit_mark
	insmod "$IPET_MODULE" 2>/tmp/e || fail "reload: $(cat /tmp/e)"
	log=$(dmesg | grep 'ipe_lkm' || true)
	printf '%s\n' "$log" | grep -q 'self-test' && fail "self-test: $log"
	printf '%s\n' "$log" | grep -qi 'could not exec' && fail "exec not tested: $log"
	lsmod | grep -q '^ipe_lkm ' || fail "not loaded"
	# no file, mapping or audit record came out of the test
	if grep -q 'ipe_lkm-selftest' /proc/[0-9]*/maps 2>/dev/null; then
		fail "a self-test mapping survived"
	fi
	a=$(audit_since | grep '^1420 ' || true)
	[ -z "$a" ] || fail "the self-test was audited: $a"
	return 0
}

t_module_ipectl_load_unload() {
	need module
	ic() { set +e; IPECTL_TREE= ipectl "$@" 2>&1; echo "rc=$?"; set -e; }
	expect_match "$(ic enforce off)" "rc=0" "enforce off"
	expect_match "$(ic unload)" "ipe_lkm removed" "unload"
	[ ! -d $T ] || fail "the tree is still there"
	lsmod | grep -q '^ipe_lkm ' && fail "still loaded"
	expect_match "$(ic unload)" "not loaded" "unload again"
	if grep -q ipe /sys/kernel/security/lsm; then
		expect_match "$(ic status)" "built-in IPE" "status finds the built-in IPE"
	else
		expect_match "$(ic status)" "rc=2" "status without an enforcer"
	fi
	expect_match "$(ic load --permissive --success-audit)" "loaded \\(enforce=off, success_audit=on\\)" "load"
	expect_eq "$(cat $T/enforce)" 0 "permissive"
	expect_eq "$(cat $T/success_audit)" 1 "success_audit"
	expect_eq "$(cat /sys/module/ipe_lkm/parameters/enforce)" N "module parameter"
	expect_match "$(ic load)" "already loaded" "load again"
	expect_match "$(ic unload)" "rc=0" "unload"
	out=$(ic load)
	expect_match "$out" "loaded \\(enforce=on" "load enforcing"
	expect_eq "$(cat $T/enforce)" 1 "enforcing"
	# The dm-verity fixture was activated long before this load: ipectl load
	# makes dm-verity announce it again (needed where the root hash reaches
	# the module only at resume, 6.12).
	is_mounted /mnt/dmv || fail "dm-verity fixture missing"
	expect_match "$out" "dm-verity devices re-announced to ipe_lkm: [1-9]" "rescan"
	ipe_use t_rescan "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
		"op=EXECUTE boot_verified=TRUE action=ALLOW" \
		"op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "a volume activated before the load"
}

# The rescan has no fixed limit: with 550 more device-mapper devices with
# long names (a list longer than the 64 KiB buffer it once had) it still
# finds the verity volume, and leaves no device suspended.
# expect_rescanned OUTPUT WHAT: an ipectl run (its output ending in rc=N)
# re-announced at least one dm-verity device, succeeded, and left no dm
# device suspended.
expect_rescanned() {
	expect_match "$1" "dm-verity devices re-announced to ipe_lkm: [1-9]" "$2"
	expect_match "$1" "rc=0" "$2: exit status"
	for s in /sys/block/dm-*/dm/suspended; do
		[ "$(cat $s)" = 0 ] || fail "$2: $s left suspended"
	done
}

t_module_rescan_many() {
	need module
	ic() { set +e; IPECTL_TREE= ipectl "$@" 2>&1; echo "rc=$?"; set -e; }
	pfx=ipet_rescan_many_$(printf '%080d' 0)_
	i=0
	while [ $i -lt 550 ]; do
		ipet dmcreate $pfx$i 8 error "" >/dev/null || fail "dmcreate $i"
		i=$((i + 1))
	done
	expect_match "$(ic enforce off)" "rc=0" "enforce off"
	expect_match "$(ic unload)" "rc=0" "unload"
	out=$(ic load)
	i=0
	while [ $i -lt 550 ]; do
		ipet dmremove $pfx$i >/dev/null || fail "dmremove $i"
		i=$((i + 1))
	done
	echo "$out"
	expect_rescanned "$out" "ipectl load, past 550 long-named devices"
	ipe_use t_rescan_many "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
		"op=EXECUTE boot_verified=TRUE action=ALLOW" \
		"op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "the volume, found among 550 others"
}

# Loaded by anything but ipectl (modprobe, modules-load.d), the module does
# not know the volumes opened before it: a DENY rule on their root hash
# does not match until `ipectl rescan` (what the packages' udev rule runs).
t_module_rescan_after_modprobe() {
	need module
	ic() { set +e; IPECTL_TREE= ipectl "$@" 2>&1; echo "rc=$?"; set -e; }
	is_mounted /mnt/dmv || fail "dm-verity fixture missing"
	expect_match "$(ic enforce off)" "rc=0" "enforce off"
	expect_match "$(ic unload)" "rc=0" "unload"
	out=$(ic rescan)
	expect_match "$out" "ipe_lkm is not loaded" "rescan without the module"
	expect_match "$out" "^rc=0$" "rescan without the module: status"
	# as modules-load.d or modprobe would: no rescan of its own
	insmod "$IPET_MODULE" || fail "insmod $IPET_MODULE"
	ipe_use t_rescan_deny_before "DEFAULT action=ALLOW" \
		"op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=DENY"
	# Where nothing may be called by name (x86 IBT: amd64 6.12 and later)
	# the module learns a table's content only when it is loaded
	# (props_dm_follow.c); elsewhere (amd64 6.1, arm64) it reads the live
	# table at each decision (props_dm_live.c, Kbuild chooses)
	if grep -q '^CONFIG_X86_KERNEL_IBT=y' /lib/ipet/config; then
		expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello \
			"before the rescan the volume is unknown (the gap the rescan closes)"
	else
		expect_eq "$(ipet exec /mnt/dmv/ipet hello)" EACCES \
			"no IBT: the live table is read at each decision, no rescan needed"
	fi
	out=$(ic rescan)
	echo "$out"
	expect_rescanned "$out" "ipectl rescan"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" EACCES \
		"after the rescan the DENY rule on the volume's root hash matches"
	ipe_use t_rescan_deny_done "DEFAULT action=ALLOW"
}

t_module_load_cycles() {
	need module
	pol_file /tmp/cyc "policy_name=cyc policy_version=1.0.0" "DEFAULT action=ALLOW"
	echo 0 >$T/enforce
	rmmod ipe_lkm
	cycle() {
		insmod $IPET_MODULE enforce=0
		ipet write $T/new_policy /tmp/cyc.p7s >/dev/null
		ipet writes $T/policies/cyc/active 1 >/dev/null
		rmmod ipe_lkm
	}
	# Under TCG a cycle takes 4-7 s (ftrace text patching, RCU-tasks
	# grace periods): 40 cycles, enough to see a leak of 13 kB each.
	for i in $(seq 1 5); do cycle; done
	sync; echo 3 >/proc/sys/vm/drop_caches; sleep 1
	s0=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)
	m0=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	for i in $(seq 1 40); do cycle; done
	sync; echo 3 >/proc/sys/vm/drop_caches; sleep 1
	s1=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)
	m1=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	report "@@CYCLES $IPET_KERNEL slab_kb=$s0->$s1 memavailable_kb=$m0->$m1"
	echo "Slab $s0 -> $s1 kB, MemAvailable $m0 -> $m1 kB after 40 cycles"
	insmod $IPET_MODULE
	[ $((s1 - s0)) -lt 512 ] || fail "slab grew by $((s1 - s0)) kB over 40 load/unload cycles"
	[ $((m0 - m1)) -lt 2048 ] || fail "MemAvailable fell by $((m0 - m1)) kB over 40 cycles"
}

t_module_ipmodify_busy() {
	need module
	echo 0 >$T/enforce
	rmmod ipe_lkm
	insmod /lib/ipet/holder.ko
	set +e; insmod $IPET_MODULE 2>/tmp/e; rc=$?; set -e
	rmmod ipmodify_holder
	[ $rc -ne 0 ] || { rmmod ipe_lkm; fail "ipe_lkm loaded although security_file_mprotect was held"; }
	dmesg | grep -q "cannot hook security_file_mprotect: another ftrace user .*(-EBUSY)" ||
		fail "no clear message: $(dmesg | tail -n 5)"
	[ ! -d /sys/module/ipe_lkm ] || fail "half-loaded module left behind"
	insmod $IPET_MODULE
	[ -d $T ] || fail "reload after the holder left"
}

# Last of all: forced removal of other modules is untouched; then ftrace
# refuses to let ipe_lkm go (simulated by the test build): the removal never
# completes and the module stays in memory, its callbacks callable, rather
# than being freed under them.  Nothing can run after this test.
t_module_zz_detach_refused() {
	need module
	echo 0 >$T/enforce
	rmmod ipe_lkm
	insmod /lib/ipet/holder.ko
	rmmod -f ipmodify_holder 2>/tmp/e || fail "rmmod -f of another module: $(cat /tmp/e)"
	insmod /lib/ipet/enforcer-fault.ko enforce=0 fail_at=detach:security_mmap_file ||
		fail "test build"
	ipe_use t_leak "DEFAULT action=ALLOW"
	dmesg -c >/dev/null
	(rmmod ipe_lkm >/tmp/rm.out 2>&1; echo "rc=$?" >/tmp/rm.done) &
	sleep 5
	[ ! -f /tmp/rm.done ] || fail "rmmod returned: $(cat /tmp/rm.done /tmp/rm.out)"
	dmesg | grep -q "cannot detach from security_mmap_file (-19)" ||
		fail "no log line: $(dmesg | tail -n 5)"
	grep -q '^ipe_lkm .*Unloading' /proc/modules || fail "$(grep ipe_lkm /proc/modules)"
	# the hooks detached before it are gone, the one left still runs
	expect_eq "$(ipet mmap /mnt/dmv/libipetlib.so)" OK "mmap through the kept callback"
	expect_eq "$(ipet exec /usr/bin/ipet hello)" hello "exec"
	sleep 1
	[ ! -f /tmp/rm.done ] || fail "rmmod returned later"
	return 0
}
