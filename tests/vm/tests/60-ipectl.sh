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
