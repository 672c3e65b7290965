# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/60-ipectl.sh: every ipectl command against the enforcer
# (ipe_lkm or the kernel's own IPE), through the tree it finds by itself.

# ic ARGS...: run ipectl, print its output, then "rc=N" on a line.
ic() {
	set +e
	IPECTL_TREE=$T ipectl "$@" 2>&1
	echo "rc=$?"
	set -e
}
K=/lib/ipet/keys

t_ipectl_status() { # smoke
	need ipe
	unset IPECTL_TREE
	ipectl status >/tmp/st 2>&1 || fail "status: $(cat /tmp/st)"
	expect_line /tmp/st "tree:           $T" "status finds the tree by itself"
	if [ "$IPET_ENFORCER" = module ]; then
		grep -q "^enforcer:       ipe_lkm (module)" /tmp/st || fail "enforcer: $(cat /tmp/st)"
	else
		grep -q "^enforcer:       built-in IPE (kernel)" /tmp/st || fail "enforcer: $(cat /tmp/st)"
	fi
	grep -q '^enforce:        on$' /tmp/st || fail "enforce: $(cat /tmp/st)"
	ipectl status --json >/tmp/sj
	grep -q "\"tree\":\"$T\"" /tmp/sj || fail "json: $(cat /tmp/sj)"
	grep -q '"enforce":true' /tmp/sj || fail "json: $(cat /tmp/sj)"
}

t_ipectl_deploy_activate_update() {
	need ipe
	v=$(ver_next)
	printf 'policy_name=t_ic policy_version=%s.1\nDEFAULT action=ALLOW\n' $v >/tmp/ic1.pol
	printf 'policy_name=t_ic policy_version=%s.2\nDEFAULT action=ALLOW\nop=KMODULE boot_verified=TRUE action=ALLOW\n' $v >/tmp/ic2.pol
	expect_match "$(ic sign -k $K/ca.key -c $K/ca.crt /tmp/ic1.pol)" "rc=0" "sign"
	[ -s /tmp/ic1.p7s ] || fail "no /tmp/ic1.p7s"
	expect_match "$(ic verify -c $K/ca.crt /tmp/ic1.p7s)" "OK: signed by" "verify"
	expect_match "$(ic deploy --activate /tmp/ic1.p7s)" "is the active policy" "deploy --activate"
	expect_eq "$(ipe_r policies/t_ic/active)" 1 "active in the tree"
	out=$(ic list)
	echo "$out" | grep -Eq "^t_ic +$v\.1 +yes +[0-9a-f]{64}$" || fail "list: $out"
	expect_eq "$(sha256sum /tmp/ic1.p7s | cut -c1-64)" \
		"$(echo "$out" | awk '$1 == "t_ic" { print $4 }')" "list digest = sha256 of the signed policy"
	ipectl show t_ic >/tmp/shown
	cmp /tmp/shown /tmp/ic1.pol || fail "show differs from the deployed text"
	# the same version again: refused before the kernel, exit 1
	out=$(ic deploy /tmp/ic1.p7s)
	expect_match "$out" "rollback" "redeploy same version"
	expect_match "$out" "rc=1" "redeploy exit status"
	# a plain policy signed on the fly, a higher version: an update
	expect_match "$(ic deploy -k $K/ca.key -c $K/ca.crt /tmp/ic2.pol)" "rc=0" "update from plain text"
	expect_eq "$(ipe_r policies/t_ic/version)" "$v.2" "updated version"
	expect_eq "$(ipe_r policies/t_ic/active)" 1 "still active after update"
	# unsigned without a key: refused with advice
	expect_match "$(ic deploy /tmp/ic2.pol)" "is not signed" "plain policy without a key"
}

t_ipectl_activate_delete() {
	need ipe
	v=$(ver_next)
	printf 'policy_name=t_ica policy_version=%s.5\nDEFAULT action=ALLOW\n' $v >/tmp/ica.pol
	printf 'policy_name=t_icb policy_version=%s.1\nDEFAULT action=ALLOW\n' $v >/tmp/icb.pol
	ic sign -k $K/ca.key -c $K/ca.crt /tmp/ica.pol >/dev/null
	ic sign -k $K/ca.key -c $K/ca.crt /tmp/icb.pol >/dev/null
	expect_match "$(ic deploy --activate /tmp/ica.p7s)" "rc=0" "deploy a"
	expect_match "$(ic deploy /tmp/icb.p7s)" "rc=0" "deploy b"
	out=$(ic activate t_icb)
	expect_match "$out" "higher version" "older policy refused"
	expect_match "$out" "rc=1" "exit status of a refused activation"
	out=$(ic delete t_ica)
	expect_match "$out" "is the active policy" "delete the active policy"
	expect_match "$out" "rc=2" "exit status: the kernel refused"
	expect_match "$(ic delete t_icb)" "rc=0" "delete an inactive policy"
	[ ! -e $T/policies/t_icb ] || fail "t_icb still there"
	expect_match "$(ic delete t_icb)" "no policy 't_icb'" "delete a missing policy"
	expect_match "$(ic activate nosuch)" "rc=1" "activate a missing policy"
}

t_ipectl_enforce_success_audit() {
	need ipe
	expect_match "$(ic enforce off)" "rc=0" "enforce off"
	expect_eq "$(ipe_r enforce)" 0 "enforce file"
	expect_match "$(ic enforce on)" "rc=0" "enforce on"
	expect_eq "$(ipe_r enforce)" 1 "enforce file"
	expect_match "$(ic success-audit on)" "rc=0" "success-audit on"
	expect_eq "$(ipe_r success_audit)" 1 "success_audit file"
	expect_match "$(ic success-audit off)" "rc=0" "success-audit off"
	expect_match "$(ic enforce maybe)" "rc=1" "bad value"
}

t_ipectl_explain() { # smoke
	need ipe
	is_mounted /mnt/dmv || fail "dm-verity fixture missing"
	v=$(ver_next)
	printf 'policy_name=t_ice policy_version=%s.1\nDEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\nop=EXECUTE dmverity_roothash=sha256:%s action=ALLOW\nop=EXECUTE boot_verified=TRUE action=ALLOW\n' $v "$DMV_ROOTHASH" >/tmp/ice.pol
	out=$(ic explain --policy /tmp/ice.pol /mnt/dmv/ipet)
	expect_match "$out" "decision:    ALLOW" "dm-verity file"
	expect_match "$out" "decided by:  line 4: op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW" "deciding rule"
	out=$(ic explain --policy /tmp/ice.pol /usr/bin/ipet)
	expect_match "$out" "boot_verified=TRUE" "rootfs property"
	expect_match "$out" "decided by:  line 5" "rootfs rule"
	mkdir -p /untrusted/bin && cp /usr/bin/ipet /untrusted/bin/ice
	out=$(ic explain --policy /tmp/ice.pol /untrusted/bin/ice)
	expect_match "$out" "decision:    DENY" "untrusted copy"
	expect_match "$out" "DEFAULT op=EXECUTE action=DENY \\(no rule matched\\)" "op default"
	# the active policy, and the kernel agrees with the explanation
	ic sign -k $K/ca.key -c $K/ca.crt /tmp/ice.pol >/dev/null
	expect_match "$(ic deploy --activate /tmp/ice.p7s)" "rc=0" "deploy"
	expect_match "$(ic explain /untrusted/bin/ice)" "decision:    DENY" "active policy"
	expect_eq "$(ipet exec /untrusted/bin/ice hello)" EACCES "the kernel denies it too"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "and allows the dm-verity copy"
	expect_match "$(ic explain --op KMODULE /untrusted/bin/ice)" "decision:    ALLOW" "--op"
	ic explain --json --policy /tmp/ice.pol /mnt/dmv/ipet >/tmp/ej
	grep -q '"action":"ALLOW"' /tmp/ej && grep -q "\"dmverity_roothash\":\"sha256:$DMV_ROOTHASH\"" /tmp/ej ||
		fail "explain --json: $(cat /tmp/ej)"
}

t_ipectl_errors() {
	need ipe
	printf 'garbage' >/tmp/garbage.p7s
	out=$(ic deploy /tmp/garbage.p7s)
	expect_match "$out" "rc=1" "garbage"
	head -c 200 /tmp/ic1.p7s >/tmp/trunc.p7s 2>/dev/null || true
	expect_match "$(ic verify /tmp/trunc.p7s)" "rc=1" "truncated"
	v=$(ver_next)
	printf 'policy_name=t_icw policy_version=%s.1\nDEFAULT action=ALLOW\n' $v >/tmp/icw.pol
	ic sign -k $K/other.key -c $K/other.crt /tmp/icw.pol >/dev/null
	out=$(ic deploy /tmp/icw.p7s)
	expect_match "$out" "does not trust the signing certificate" "unknown signer"
	expect_match "$out" "(ENOKEY)" "errno named"
	expect_match "$out" "rc=2" "the kernel refused"
}

# ipectl generate on the fs-verity fixture: files without fs-verity listed
# with the command that makes them trustable (exit 3), --enable refusing a
# file open for writing (ETXTBSY), then turning fs-verity on: one rule per
# digest, the kernel's digest (ipet vmeasure); the policy signed, deployed
# and enforced runs the trusted copy and denies untrusted ones.  Then
# --dmverity against the dm-verity fixture.
t_ipectl_generate() { # smoke
	need ipe
	is_mounted /mnt/fsv || fail "fs-verity fixture missing"
	G=/mnt/fsv/gen
	rm -rf $G /mnt/fsv/gen-busy
	mkdir -p $G/bin $G/lib /mnt/fsv/gen-busy
	cp /usr/bin/ipet $G/bin/ipet
	cp /usr/bin/ipet $G/bin/ipet-same
	cp /lib/ipet/libipetlib.so $G/lib/libipetlib.so
	echo "not code" >$G/lib/data.txt
	printf '#!/bin/sh\necho script\n' >$G/bin/s.sh
	chmod 755 $G/bin/s.sh
	sync
	# fs-verity off: listed with the command, exit 3, no rule
	out=$(ic generate --fsverity $G)
	expect_match "$out" "rc=3" "without --enable: incomplete"
	expect_match "$out" "no rule for $G/bin/ipet: fs-verity is off; to trust it, run: fsverity enable $G/bin/ipet \\(or generate again with --enable\\)" "the command that makes it trustable"
	expect_match "$out" "no rule for $G/lib/libipetlib.so: fs-verity is off" "the library listed"
	echo "$out" | grep -q "data.txt\|s.sh" && fail "a non-executable listed: $out"
	# --enable refuses a file open for writing, names it, goes on
	cp /usr/bin/ipet /mnt/fsv/gen-busy/ipet
	exec 3>>/mnt/fsv/gen-busy/ipet
	out=$(ic generate --fsverity /mnt/fsv/gen-busy --enable)
	exec 3>&-
	expect_match "$out" "no rule for /mnt/fsv/gen-busy/ipet: fs-verity could not be turned on: the file is open for writing.*\\(ETXTBSY\\)" "ETXTBSY named"
	expect_match "$out" "rc=3" "ETXTBSY: incomplete"
	# --enable: every executable measured
	v=$(ver_next)
	IPECTL_TREE=$T ipectl generate --fsverity $G --enable --boot-verified \
		--name t_gen --version $v.1 -o /tmp/gen.pol 2>/tmp/gen.err ||
		fail "generate --enable: rc $? $(cat /tmp/gen.err)"
	cat /tmp/gen.pol
	d=$(ipet vmeasure $G/bin/ipet)
	l=$(ipet vmeasure $G/lib/libipetlib.so)
	expect_match "$d" "^sha256:[0-9a-f]{64}$" "fs-verity on for ipet"
	expect_eq "$(ipet vmeasure $G/bin/ipet-same)" "$d" "the copy has the same digest"
	expect_line /tmp/gen.pol "op=EXECUTE fsverity_digest=$d action=ALLOW" "ipet's rule"
	expect_line /tmp/gen.pol "op=EXECUTE fsverity_digest=$l action=ALLOW" "the library's rule"
	expect_line /tmp/gen.pol "# $G/bin/ipet, $G/bin/ipet-same" "one rule for both paths"
	expect_eq "$(grep -c "fsverity_digest=$d" /tmp/gen.pol)" 1 "deduplicated by digest"
	expect_eq "$(grep -c '^op=' /tmp/gen.pol)" 3 "boot_verified and two digests"
	expect_eq "$(ipet vmeasure $G/bin/s.sh)" ENODATA "a script without --scripts is left alone"
	out=$(ic check /tmp/gen.pol)
	expect_match "$out" "OK: policy 't_gen'" "ipectl check"
	echo "$out" | grep -qi warning && fail "ipectl check warns: $out"
	# the same inputs, the same bytes
	IPECTL_TREE=$T ipectl generate --fsverity $G --enable --boot-verified \
		--name t_gen --version $v.1 >/tmp/gen2.pol 2>/dev/null
	cmp /tmp/gen.pol /tmp/gen2.pol || fail "generate is not stable"
	# enforce it: the measured copy runs, untrusted copies do not
	mkdir -p /untrusted /mnt/fsv/gen-untrusted
	cp /usr/bin/ipet /untrusted/gen-ipet
	cp /usr/bin/ipet /mnt/fsv/gen-untrusted/ipet
	pol_sign /tmp/gen.pol /tmp/gen.p7s
	expect_eq "$(ipe_w new_policy /tmp/gen.p7s)" OK "load the generated policy"
	expect_eq "$(ipe_activate t_gen)" OK "activate it"
	expect_eq "$(ipet exec $G/bin/ipet hello)" hello "the generated-trusted copy runs"
	expect_eq "$(ipet exec $G/bin/ipet-same hello)" hello "its same-digest copy runs"
	expect_eq "$(ipet mmap $G/lib/libipetlib.so)" OK "the trusted library maps executable"
	expect_eq "$(ipet exec /untrusted/gen-ipet hello)" EACCES "an untrusted copy (tmpfs) is denied"
	expect_eq "$(ipet exec /mnt/fsv/gen-untrusted/ipet hello)" EACCES "an untrusted copy (ext4, no fs-verity) is denied"
	ipe_reset
	# --dmverity: the fixture volume's root hash
	is_mounted /mnt/dmv || fail "dm-verity fixture missing"
	v=$(ver_next)
	IPECTL_TREE=$T ipectl generate --dmverity --boot-verified --name t_gendm \
		--version $v.1 -o /tmp/gendm.pol 2>/tmp/gendm.err ||
		fail "generate --dmverity: rc $? $(cat /tmp/gendm.err)"
	cat /tmp/gendm.pol
	expect_line /tmp/gendm.pol "# dm-verity device ipet_dmv" "the device named"
	expect_line /tmp/gendm.pol "op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW" "its root hash"
	grep -q dmverity_signature /tmp/gendm.pol && fail "dmverity_signature for an unsigned volume"
	pol_sign /tmp/gendm.pol /tmp/gendm.p7s
	expect_eq "$(ipe_w new_policy /tmp/gendm.p7s)" OK "load the dm-verity policy"
	expect_eq "$(ipe_activate t_gendm)" OK "activate it"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "the dm-verity copy runs"
	expect_eq "$(ipet exec /untrusted/gen-ipet hello)" EACCES "the untrusted copy is denied"
}

# ipectl generate at scale (IPET_GEN_FILES small ELF files, 2000 by
# default: the fixture is 64 MB): every one gets its own rule; the times
# of --enable (turning fs-verity on and measuring) and of a second run
# (measuring only) go to the run's output (GENERATE line, TCG guest clock).
t_ipectl_generate_scale() {
	is_mounted /mnt/fsv || fail "fs-verity fixture missing"
	n=${IPET_GEN_FILES:-2000}
	G=/mnt/fsv/genscale
	rm -rf $G
	mkdir -p $G
	head -c 64 /usr/bin/ipet >/tmp/elfhdr
	i=0
	while [ $i -lt $n ]; do
		d=$G/d$((i / 500))
		[ -d $d ] || mkdir $d
		{ cat /tmp/elfhdr; echo "$i"; } >$d/f$i
		i=$((i + 1))
	done
	sync
	t0=$(now_cs)
	ipectl generate --fsverity $G --enable >/tmp/gs1.pol 2>/tmp/gs1.err ||
		fail "generate --enable: $(tail -n 3 /tmp/gs1.err)"
	t1=$(now_cs)
	ipectl generate --fsverity $G >/tmp/gs2.pol 2>/tmp/gs2.err ||
		fail "generate: $(tail -n 3 /tmp/gs2.err)"
	t2=$(now_cs)
	expect_eq "$(grep -c '^op=EXECUTE fsverity_digest=sha256:' /tmp/gs1.pol)" $n "one rule per file"
	cmp /tmp/gs1.pol /tmp/gs2.pol || fail "the second run differs"
	expect_eq "$(ipet vmeasure $G/d0/f7)" \
		"$(grep -A1 "^# $G/d0/f7\$" /tmp/gs1.pol | sed -n 's/^op=EXECUTE fsverity_digest=\([^ ]*\) .*/\1/p')" "a digest"
	ipectl check /tmp/gs1.pol >/tmp/gs.chk 2>&1 || fail "check: $(cat /tmp/gs.chk)"
	report "@@SAY       GENERATE $IPET_KERNEL: $n files: --enable $((t1 - t0))0 ms, measure only $((t2 - t1))0 ms, $(stat -c %s /tmp/gs1.pol) bytes (TCG guest clock)"
	rm -rf $G
}
