# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/75-hardening.sh: what a review found the stock-kernel tiers
# could not see: files that do not pin the module, init steps that unwind
# into freed memory, stale or unverified dm-verity and fs-verity trust,
# silent denials.  Tests that swap in the test build of ipe_lkm
# (/lib/ipet/enforcer-fault.ko: fault.c, a boot policy) load the module
# under test again when they are done.

FAULT_KO=/lib/ipet/enforcer-fault.ko

# The reproduction of the use-after-free: an fd on a tree file (here one
# any user may open) must keep the module loaded.
t_harden_fd_pins_module() { # smoke
	need module
	ipe_use t_uaf "DEFAULT action=ALLOW"
	echo 0 >$T/enforce
	exec 3<$T/policies/t_uaf/name
	set +e; rmmod ipe_lkm 2>/tmp/e; rc=$?; set -e
	[ $rc -ne 0 ] || fail "rmmod succeeded with a tree file open"
	grep -q "Resource temporarily unavailable" /tmp/e || fail "rmmod: $(cat /tmp/e)"
	read -r x <&3 || true
	expect_eq "$x" t_uaf "read through the open fd"
	# the same through a file of the tree root and of the writable kind
	exec 4<$T/enforce
	exec 3<&-
	set +e; rmmod ipe_lkm 2>/tmp/e; rc=$?; set -e
	[ $rc -ne 0 ] || fail "rmmod succeeded with enforce open"
	exec 4<&-
	rmmod ipe_lkm 2>/tmp/e || fail "rmmod after closing every fd: $(cat /tmp/e)"
	loaded && fail "still loaded"
	[ ! -d $T ] || fail "the tree survived the module"
	restore_module || fail "reload"
}

# rmmod -f never removes ipe_lkm: forced removal ignores the references of
# open files and of the pin.  Plain rmmod works when nothing holds it.
t_harden_forced_rmmod_refused() { # smoke
	need module
	ipe_use t_force "DEFAULT action=ALLOW"
	echo 0 >$T/enforce
	set +e; rmmod -f ipe_lkm 2>/tmp/e; rc=$?; set -e
	[ $rc -ne 0 ] || fail "rmmod -f succeeded"
	loaded || fail "rmmod -f removed the module"
	dmesg | grep -q "forced removal of ipe_lkm refused" || fail "no log line"
	rmmod ipe_lkm || fail "plain rmmod in permissive mode"
	restore_module || fail "reload"
}

# Every step of loading fails in turn (the test build's fail_at): the load
# fails with nothing left behind, and no splat (KASAN on the debug kernel).
t_harden_load_faults() {
	need module
	[ -f $FAULT_KO ] || fail "no test build staged"
	[ ! -e /sys/module/ipe_lkm/parameters/fail_at ] ||
		fail "the module under test has failure injection built in"
	echo 0 >$T/enforce
	rmmod ipe_lkm
	dmesg -c >/dev/null
	insmod $FAULT_KO fail_at=? enforce=0 || fail "test build, no failure"
	points=$(dmesg | sed -n 's/.*ipe_lkm: fault point: //p' | sort -u)
	rmmod ipe_lkm
	n=0
	for p in $points; do
		case $p in detach:*) continue ;; esac
		n=$((n + 1))
		dmesg -c >/dev/null
		set +e; insmod $FAULT_KO fail_at=$p enforce=0 2>/tmp/e; rc=$?; set -e
		[ $rc -ne 0 ] || { rmmod ipe_lkm; fail "$p: the load succeeded"; }
		dmesg | grep -q "injected failure at $p" || fail "$p: not reached"
		loaded && fail "$p: module left loaded"
		[ ! -d $T ] || fail "$p: tree left behind"
	done
	echo "failed the load at $n points: $(echo $points)"
	[ $n -ge 15 ] || fail "only $n failure points"
	ipe_lkm_insmod || fail "reload"
}

# A dm-verity device whose table is replaced by one without a verity target
# (error + linear over the data device: the same files, unverified) loses
# its root hash at once.  The built-in IPE keeps it (upstream's gap).
t_harden_dm_table_swap() {
	need ipe
	r=$(dmv_open t_swap 2)
	expect_eq "$r" OK "open"
	mkdir -p /mnt/swap
	mount -t ext4 -o ro $(dmv_dev t_swap) /mnt/swap
	cp /mnt/swap/ipet /tmp/ipet.swap.ref
	set +e
	(
		set -e
		allow_only "op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW"
		expect_eq "$(ipet exec /mnt/swap/ipet hello)" hello "verity table"
		data=$(disk dmvdata2)
		expect_eq "$(ipet dmload t_swap "0 8 error" "8 $((DMV_SECTORS - 8)) linear $data 8")" OK \
			"load error + linear"
		expect_eq "$(ipet dmresume t_swap)" OK "swap it in"
		if [ "$IPET_ENFORCER" = builtin ]; then
			expect_eq "$(ipet exec /mnt/swap/ipet hello)" hello \
				"built-in IPE: stale root hash (upstream)"
			echo "PASS: the built-in IPE keeps the stale root hash, as documented"
			exit 0
		fi
		expect_eq "$(ipet exec /mnt/swap/ipet hello)" EACCES "no verity target any more"
		expect_eq "$(ipet mmap /mnt/swap/libipetlib.so)" EACCES "mmap, no verity target"
		# and back: the verity table again restores the trust
		expect_eq "$(ipet dmload t_swap "0 $DMV_SECTORS verity $(dmv_table 2)")" OK "load verity"
		expect_eq "$(ipet dmresume t_swap)" OK "swap verity back in"
		expect_eq "$(ipet exec /mnt/swap/ipet hello)" hello "verity table again"
	)
	rc=$?
	set -e
	ipe_reset
	umount /mnt/swap
	dmv_close t_swap
	return $rc
}

# Verity targets that serve blocks they did not (re)check have no root hash
# for ipe_lkm (LoadPin refuses them too); the built-in IPE trusts them.  A
# verifying option (restart_on_corruption) changes nothing.
t_harden_dm_nonverifying() {
	need ipe
	mkdir -p /mnt/nv
	for opt in restart_on_corruption ignore_corruption ignore_zero_blocks check_at_most_once; do
		expect_eq "$(dmv_open_opts t_nv 2 "1 $opt")" OK "open with $opt"
		mount -t ext4 -o ro $(dmv_dev t_nv) /mnt/nv
		want=EACCES
		[ $opt = restart_on_corruption ] && want=hello
		[ "$IPET_ENFORCER" = builtin ] && want=hello	# upstream trusts it
		set +e
		(
			set -e
			allow_only "op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW"
			expect_eq "$(ipet exec /mnt/nv/ipet hello)" $want "exec, $opt"
			expect_eq "$(ipet mmap /mnt/nv/libipetlib.so)" \
				$([ $want = hello ] && echo OK || echo EACCES) "mmap, $opt"
		)
		rc=$?
		set -e
		ipe_reset
		umount /mnt/nv
		dmv_close t_nv
		[ $rc -eq 0 ] || return $rc
	done
	# a signed root hash with a non-verifying option: no signature either
	grep -q '^CONFIG_DM_VERITY_VERIFY_ROOTHASH_SIG_PLATFORM_KEYRING=y' /lib/ipet/config &&
		[ "$IPET_OVMF" = 1 ] || { echo "PASS: (no signed root hash here)"; return 0; }
	keyctl padd user ipet:t_nvs @u </lib/ipet/keys/roothash.ca.p7s >/dev/null
	expect_eq "$(dmv_open_opts t_nvs 2 "3 ignore_corruption root_hash_sig_key_desc ipet:t_nvs")" OK \
		"signed, ignore_corruption"
	mount -t ext4 -o ro $(dmv_dev t_nvs) /mnt/nv
	set +e
	(
		set -e
		allow_only "op=EXECUTE dmverity_signature=TRUE action=ALLOW"
		want=EACCES
		[ "$IPET_ENFORCER" = builtin ] && want=hello
		expect_eq "$(ipet exec /mnt/nv/ipet hello)" $want "signed, ignore_corruption"
	)
	rc=$?
	set -e
	ipe_reset
	umount /mnt/nv
	dmv_close t_nvs
	return $rc
}

# An fs-verity enable that fails after its signature verified (ENOSPC
# writing the descriptor), then an unsigned enable of other content: the
# file has no fsverity_signature.  (The built-in IPE of 6.12 keeps it, that
# of 7.2 and 7.3 does not; ipe_lkm never did since this test exists.)
t_harden_fsverity_failed_enable() {
	need ipe
	fsv_prepare
	mkdir -p /mnt/fsvs
	mount -t ext4 $(disk fsvsmall) /mnt/fsvs
	set +e
	(
		set -e
		f=/mnt/fsvs/ipet-test.bin
		# fill the volume: the next block allocated fails
		dd if=/dev/zero of=/mnt/fsvs/fill bs=4096 2>/dev/null || true
		sync
		r=$(ipet venable $f /mnt/fsvs/ipet-test.bin.sig || true)
		# 5.10's ext4 finds room for this file's Merkle tree even so
		[ "$r" = OK ] && ! kernel_at_least 5 11 &&
			{ echo "SKIP: the signed enable succeeds on a full volume here"; exit 77; }
		expect_eq "$r" ENOSPC "signed enable on a full volume"
		[ "$(ipet vmeasure $f)" = ENODATA ] || fail "verity got enabled"
		rm -f /mnt/fsvs/fill
		sync
		printf 'other content' >>$f
		expect_eq "$(ipet venable $f)" OK "unsigned enable of other content"
		allow_only "op=EXECUTE fsverity_signature=TRUE action=ALLOW"
		expect_eq "$(ipet mmap /mnt/fsv/signed/ipet-test.bin)" OK "a signed file (control)"
		if [ "$IPET_ENFORCER" = builtin ] && ! kernel_at_least 7 0; then
			expect_eq "$(ipet mmap $f)" OK "built-in IPE: the stale signature (upstream)"
			echo "PASS: the built-in IPE keeps the stale signature, as documented"
			exit 0
		fi
		expect_eq "$(ipet mmap $f)" EACCES "no signature after the failed signed enable"
	)
	rc=$?
	set -e
	ipe_reset
	umount /mnt/fsvs
	return $rc
}

# The set of signed fs-verity infos stays bounded: 10 000 signed enables of
# files that are then deleted (their inodes evicted), 1000 alive at a time so
# that a record never dropped shows as growth, leave it as it was.  (2000
# on the debug kernels, where KASAN makes 10 000 take most of an hour.)
t_harden_fsverity_signed_bounded() {
	need module
	fsv_prepare
	n=${IPET_FSV_CYCLES:-10000}
	swap_module $FAULT_KO enforce=0
	rec() { sed 's/.*fsverity_signed=\([0-9]*\).*/\1/' /sys/module/ipe_lkm/parameters/records; }
	mkdir -p /mnt/fsv/scratch/cycle
	sync; echo 2 >/proc/sys/vm/drop_caches
	r0=$(rec)
	out=$(ipet vcycle /mnt/fsv/scratch/cycle /mnt/fsv/plain/ipet-test.bin /mnt/fsv/sig/ipet-test.bin.sig $n 1000)
	sync; echo 2 >/proc/sys/vm/drop_caches
	r1=$(rec)
	report "@@OUT t_harden_fsverity_signed_bounded | $IPET_KERNEL: $n signed enable+evict cycles: fsverity_signed $r0 -> $r1 ($(cat /sys/module/ipe_lkm/parameters/records))"
	echo "records: $r0 -> $r1 after $out"
	expect_eq "$out" "OK $n" "cycles"
	restore_module || fail "reload"
	[ $r1 -le $((r0 + 8)) ] || fail "the signed set grew from $r0 to $r1"
}

# When the set is full, the oldest entries go, and count as unsigned.
t_harden_fsverity_signed_cap() {
	need module
	fsv_prepare
	swap_module $FAULT_KO enforce=0 signed_max=4
	set +e
	(
		set -e
		d=/mnt/fsv/scratch/cap
		rm -rf $d && mkdir -p $d
		for i in 1 2 3 4 5 6; do
			cp /mnt/fsv/plain/ipet-test.bin $d/f$i
			expect_eq "$(ipet venable $d/f$i /mnt/fsv/sig/ipet-test.bin.sig)" OK "enable f$i"
		done
		expect_match "$(cat /sys/module/ipe_lkm/parameters/records)" \
			"fsverity_signed=4 fsverity_evicted=2" "records"
		ipe_use t_cap "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
			"op=EXECUTE boot_verified=TRUE action=ALLOW" \
			"op=EXECUTE fsverity_signature=TRUE action=ALLOW"
		echo 1 >$T/enforce
		expect_eq "$(ipet mmap $d/f1)" EACCES "evicted: unsigned"
		expect_eq "$(ipet mmap $d/f2)" EACCES "evicted: unsigned"
		expect_eq "$(ipet mmap $d/f6)" OK "newest: signed"
		echo 0 >$T/enforce
	)
	rc=$?
	set -e
	restore_module || fail "reload"
	return $rc
}

# A property that cannot be read denies in enforce mode, allows in
# permissive mode, and is audited either way (the test build fails the
# read on demand).
t_harden_property_unavailable_audited() {
	need module
	swap_module $FAULT_KO enforce=0 fail_at=read:dmverity_roothash
	set +e
	(
		set -e
		ipe_use t_unav "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
			"op=EXECUTE boot_verified=TRUE action=ALLOW" \
			"op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW"
		d=$(dmv_dev ipet_dmv)
		for e in 0 1; do
			echo $e >$T/enforce
			audit_mark
			want=hello
			[ $e = 1 ] && want=EACCES
			expect_eq "$(IPET_PID_FILE=/tmp/pid ipet exec /mnt/dmv/ipet hello)" $want "enforce=$e"
			audit_recs 1420 >/tmp/r
			expect_line /tmp/r "ipe_op=EXECUTE ipe_hook=BPRM_CHECK enforcing=$e pid=$(cat /tmp/pid) comm=\"ipet\" path=\"/mnt/dmv/ipet\" dev=\"${d#/dev/}\" ino=$(stat -c %i /mnt/dmv/ipet) rule=\"property unavailable: dmverity_roothash\"" "1420, enforce=$e"
		done
		# rootfs needs no dm-verity property: not affected
		expect_eq "$(ipet exec /usr/bin/ipet hello)" hello "initramfs"
		echo 0 >$T/enforce
	)
	rc=$?
	set -e
	restore_module || fail "reload"
	return $rc
}
