# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/10-policy.sh: the securityfs policy lifecycle (load, activate,
# update, delete, reads, enforce/success_audit), judged against upstream IPE.

ALLOW="DEFAULT action=ALLOW"

t_policy_load_signed() { # smoke
	need ipe
	v=$(ver_next)
	audit_mark
	expect_eq "$(ipe_load t_load "$v.1" "$ALLOW")" OK "new_policy"
	P=$T/policies/t_load
	expect_eq "$(cat $P/name)" t_load "name"
	expect_eq "$(cat $P/version)" "$v.1" "version"
	expect_eq "$(cat $P/active)" 0 "a loaded policy is not active"
	cmp -s $P/policy /tmp/pol.t_load.txt || fail "policy file differs from the signed text"
	cmp -s $P/pkcs7 /tmp/pol.t_load.p7s || fail "pkcs7 file differs from the blob written"
	audit_expect 1422 "$(load_rec "policy_name=\"t_load\" policy_version=$v.1 policy_digest=sha256:$(sha256_hex /tmp/pol.t_load.p7s) auid=4294967295 ses=4294967295 lsm=ipe res=1")"
}

t_policy_load_unsigned() { # smoke
	need ipe
	printf 'policy_name=t_plain policy_version=0.0.1\nDEFAULT action=ALLOW\n' >/tmp/plain.txt
	audit_mark
	expect_eq "$(ipe_w new_policy /tmp/plain.txt)" EBADMSG "plain-text policy"
	[ ! -e $T/policies/t_plain ] || fail "unsigned policy created a node"
	audit_failed_loads -74
}

t_policy_load_wrong_key() {
	need ipe
	printf 'policy_name=t_other policy_version=%s.1\n%s\n' "$(ver_next)" "$ALLOW" >/tmp/o.txt
	pol_sign /tmp/o.txt /tmp/o.p7s other
	expect_eq "$(ipe_w new_policy /tmp/o.p7s)" ENOKEY "policy signed by an unknown key"
	[ ! -e $T/policies/t_other ] || fail "policy node created"
}

t_policy_load_garbage() {
	need ipe
	head -c 2000 /dev/urandom >/tmp/g.bin
	expect_eq "$(ipe_w new_policy /tmp/g.bin)" EBADMSG "random bytes"
	printf '' >/tmp/empty.bin
	expect_eq "$(ipe_w new_policy /tmp/empty.bin)" EBADMSG "empty write"
}

t_policy_load_truncated() {
	need ipe
	pol_file /tmp/tr "policy_name=t_trunc policy_version=$(ver_next).1" "$ALLOW"
	n=$(stat -c %s /tmp/tr.p7s)
	head -c $((n - 1)) /tmp/tr.p7s >/tmp/tr1.p7s
	head -c $((n / 2)) /tmp/tr.p7s >/tmp/tr2.p7s
	expect_eq "$(ipe_w new_policy /tmp/tr1.p7s)" EBADMSG "blob missing its last byte"
	expect_eq "$(ipe_w new_policy /tmp/tr2.p7s)" EBADMSG "half a blob"
	# A corrupted signature (last byte flipped) is rejected by the crypto.
	head -c $((n - 1)) /tmp/tr.p7s >/tmp/tr3.p7s
	tail -c 1 /tmp/tr.p7s | tr '\000-\377' '\001-\377\000' >>/tmp/tr3.p7s
	# Observed on 6.12: EINVAL (the RSA padding check fails), not EKEYREJECTED.
	expect_eq "$(ipe_w new_policy /tmp/tr3.p7s)" EINVAL "corrupted signature"
	[ ! -e $T/policies/t_trunc ] || fail "policy node created"
}

t_policy_load_duplicate() { # smoke
	need ipe
	v=$(ver_next)
	expect_eq "$(ipe_load t_dup "$v.1" "$ALLOW")" OK "first load"
	expect_eq "$(ipe_load t_dup "$v.2" "$ALLOW")" EEXIST "same name again"
	expect_eq "$(cat $T/policies/t_dup/version)" "$v.1" "the first one stays"
}

t_policy_load_bad_text() {
	need ipe
	v=$(ver_next)
	expect_eq "$(ipe_load t_bad "$v.1" "DEFAULT action=MAYBE")" EBADMSG "bad action"
	expect_eq "$(ipe_load t_bad "$v.1" "op=EXECUTE action=ALLOW")" EBADMSG "no DEFAULT"
	expect_eq "$(ipe_load t_bad "$v.1" "$ALLOW" "op=EXECUTE nosuchprop=TRUE action=ALLOW")" EBADMSG "unknown property"
	pol_file /tmp/nohdr "$ALLOW"
	expect_eq "$(ipe_w new_policy /tmp/nohdr.p7s)" EBADMSG "no header"
	expect_eq "$(ipe_load t_bad "1.2.3.4" "$ALLOW")" EBADMSG "four version fields"
	expect_eq "$(ipe_load t_bad "65536.0.0" "$ALLOW")" ERANGE "version field > 65535"
}

t_policy_load_bad_name() {
	need ipe
	v=$(ver_next)
	expect_eq "$(ipe_load "a/b" "$v.1" "$ALLOW")" EACCES "name with a slash"
	expect_eq "$(ipe_load ".." "$v.1" "$ALLOW")" EACCES "name .."
	long=$(printf '%0300d' 0 | tr 0 n)
	expect_eq "$(ipe_load "$long" "$v.1" "$ALLOW")" ENAMETOOLONG "300-byte name"
}

t_policy_load_too_big() {
	need ipe
	v=$(ver_next)
	: >/tmp/big.txt
	printf 'policy_name=t_big policy_version=%s.1\n%s\n' "$v" "$ALLOW" >/tmp/big.txt
	i=0
	while [ $i -lt 800 ]; do
		printf 'op=EXECUTE fsverity_digest=sha256:%064x action=ALLOW\n' $i
		i=$((i + 1))
	done >>/tmp/big.txt
	pol_sign /tmp/big.txt /tmp/big.p7s
	[ "$(stat -c %s /tmp/big.p7s)" -gt 65535 ] || fail "fixture not big enough"
	expect_eq "$(ipe_w new_policy /tmp/big.p7s)" EMSGSIZE "DER over 64 KiB"
}

t_policy_activate_order() { # smoke
	need ipe
	v=$(ver_next)
	audit_mark
	expect_eq "$(ipe_load t_a "$v.2" "$ALLOW")" OK "load a"
	expect_eq "$(ipe_load t_b "$v.1" "$ALLOW")" OK "load b (older)"
	expect_eq "$(ipe_load t_c "$v.2" "$ALLOW")" OK "load c (same version)"
	expect_eq "$(ipe_activate t_a)" OK "activate a"
	expect_eq "$(cat $T/policies/t_a/active)" 1 "a active"
	expect_eq "$(ipe_activate t_b)" EINVAL "activate an older version"
	expect_eq "$(cat $T/policies/t_b/active)" 0 "b inactive"
	expect_eq "$(ipe_activate t_a)" OK "re-activate the active one"
	expect_eq "$(ipe_activate t_c)" OK "equal version"
	expect_eq "$(cat $T/policies/t_a/active)$(cat $T/policies/t_c/active)" 01 "c replaced a"
	expect_eq "$(ipe_ws policies/t_c/active 0)" EINVAL "deactivate"
	expect_eq "$(audit_recs 1421 | wc -l)" 2 "1421 records (a, then c; none for the no-op)"
}

t_policy_activate_bool() {
	need ipe
	v=$(ver_next)
	expect_eq "$(ipe_load t_bool "$v.1" "$ALLOW")" OK "load"
	for s in x 2 o ""; do
		expect_eq "$(ipe_ws policies/t_bool/active "$s")" EINVAL "active <- '$s'"
	done
	expect_eq "$(cat $T/policies/t_bool/active)" 0 "still inactive"
	expect_eq "$(ipe_ws policies/t_bool/active Y)" OK "active <- Y"
}

t_policy_update() { # smoke
	need ipe
	v=$(ver_next)
	expect_eq "$(ipe_load t_up "$v.2" "$ALLOW")" OK "load"
	pol_file /tmp/u_lower "policy_name=t_up policy_version=$v.1" "$ALLOW"
	pol_file /tmp/u_equal "policy_name=t_up policy_version=$v.2" "$ALLOW"
	pol_file /tmp/u_other "policy_name=t_other policy_version=$v.3" "$ALLOW"
	pol_file /tmp/u_new "policy_name=t_up policy_version=$v.3" "$ALLOW" "DEFAULT op=KMODULE action=ALLOW"
	expect_eq "$(ipe_w policies/t_up/update /tmp/u_lower.p7s)" ESTALE "rollback"
	expect_eq "$(ipe_w policies/t_up/update /tmp/u_equal.p7s)" ESTALE "equal version"
	expect_eq "$(ipe_w policies/t_up/update /tmp/u_other.p7s)" EINVAL "name mismatch"
	printf 'policy_name=t_up policy_version=%s.4\n%s\n' "$v" "$ALLOW" >/tmp/u_plain.txt
	expect_eq "$(ipe_w policies/t_up/update /tmp/u_plain.txt)" EBADMSG "unsigned update"
	expect_eq "$(cat $T/policies/t_up/version)" "$v.2" "unchanged after the failures"
	audit_mark
	expect_eq "$(ipe_w policies/t_up/update /tmp/u_new.p7s)" OK "update"
	expect_eq "$(cat $T/policies/t_up/version)" "$v.3" "new version"
	cmp -s $T/policies/t_up/policy /tmp/u_new.txt || fail "policy text not replaced"
	expect_eq "$(cat $T/policies/t_up/active)" 0 "an update does not activate"
	audit_expect 1422 "$(load_rec "policy_name=\"t_up\" policy_version=$v.3 policy_digest=sha256:$(sha256_hex /tmp/u_new.p7s) auid=4294967295 ses=4294967295 lsm=ipe res=1")"
	audit_none 1421
}

t_policy_update_active() {
	need ipe
	v=$(ver_next)
	expect_eq "$(ipe_load t_ua "$v.1" "$ALLOW")" OK "load"
	expect_eq "$(ipe_activate t_ua)" OK "activate"
	pol_file /tmp/ua2 "policy_name=t_ua policy_version=$v.2" "$ALLOW"
	audit_mark
	expect_eq "$(ipe_w policies/t_ua/update /tmp/ua2.p7s)" OK "update the active policy"
	expect_eq "$(cat $T/policies/t_ua/active)" 1 "still active"
	audit_expect 1422 "$(load_rec "policy_name=\"t_ua\" policy_version=$v.2 policy_digest=sha256:$(sha256_hex /tmp/ua2.p7s) auid=4294967295 ses=4294967295 lsm=ipe res=1")"
	audit_expect 1421 "old_active_pol_name=\"t_ua\" old_active_pol_version=$v.1 old_policy_digest=sha256:$(sha256_hex /tmp/pol.t_ua.p7s) new_active_pol_name=\"t_ua\" new_active_pol_version=$v.2 new_policy_digest=sha256:$(sha256_hex /tmp/ua2.p7s) auid=4294967295 ses=4294967295 lsm=ipe res=1"
}

t_policy_delete() { # smoke
	need ipe
	v=$(ver_next)
	expect_eq "$(ipe_load t_del "$v.1" "$ALLOW")" OK "load"
	expect_eq "$(ipe_load t_act "$v.1" "$ALLOW")" OK "load"
	expect_eq "$(ipe_activate t_act)" OK "activate"
	expect_eq "$(ipe_delete t_act)" EPERM "delete the active policy"
	expect_eq "$(ipe_ws policies/t_del/delete 0)" EINVAL "delete <- 0"
	expect_eq "$(ipe_ws policies/t_del/delete maybe)" EINVAL "delete <- maybe"
	audit_mark
	expect_eq "$(ipe_delete t_del)" OK "delete"
	[ ! -e $T/policies/t_del ] || fail "directory still there"
	audit_none 1422
	audit_none 1421
	# The name is free again, with any version.
	expect_eq "$(ipe_load t_del "0.0.1" "$ALLOW")" OK "reload with a low version"
}

t_policy_deleted_fd() {
	need ipe
	v=$(ver_next)
	expect_eq "$(ipe_load t_fd "$v.1" "$ALLOW")" OK "load"
	expect_eq "$(ipet holdread $T/policies/t_fd/name "ipet writes $T/policies/t_fd/delete 1 >/dev/null")" ENOENT \
		"read through an fd held across the delete"
}

t_policy_reads() { # smoke
	need ipe
	v=$(ver_next)
	expect_eq "$(ipe_load t_rd 00$v.007 "$ALLOW")" OK "load"
	P=$T/policies/t_rd
	expect_eq "$(cat $P/version)" "$v.7" "version is normalised"
	# No trailing newline on any file.
	for f in name version active; do
		[ "$(tail -c 1 $P/$f | od -An -c | tr -d ' ')" != '\n' ] || fail "$f ends with a newline"
	done
	for f in enforce success_audit; do
		expect_match "$(od -An -c $T/$f | tr -d ' ')" '^[01]$' "$f content"
	done
	# Files without the operation: EINVAL (root passes DAC).
	expect_eq "$(ipet read $T/new_policy)" EINVAL "read new_policy"
	expect_eq "$(ipet read $P/update)" EINVAL "read update"
	expect_eq "$(ipet read $P/delete)" EINVAL "read delete"
	expect_eq "$(ipe_ws policies/t_rd/name x)" EINVAL "write name"
	expect_eq "$(ipe_ws policies/t_rd/version 1)" EINVAL "write version"
	expect_eq "$(ipe_ws policies/t_rd/pkcs7 1)" EINVAL "write pkcs7"
	expect_eq "$(ipe_ws policies/t_rd/policy 1)" EINVAL "write policy"
	# Modes.
	expect_eq "$(stat -c %a $T/enforce $T/success_audit $T/new_policy | tr '\n' ' ')" "600 600 200 " "top modes"
	expect_eq "$(cd $P && stat -c %a pkcs7 policy name version active update delete | tr '\n' ' ')" \
		"444 444 444 444 600 200 200 " "policy modes"
	expect_eq "$(ls $T | tr '\n' ' ')" "enforce new_policy policies success_audit " "top-level files"
	if [ "$IPET_ENFORCER" = module ]; then
		# ipe_lkm's one extension (docs/module.md, 57-counters.sh)
		expect_eq "$(ls $P | tr '\n' ' ')" "active delete name pkcs7 policy rule_hits update version " "policy files"
		expect_eq "$(ipe_ws policies/t_rd/rule_hits 1)" EINVAL "write rule_hits"
	else
		expect_eq "$(ls $P | tr '\n' ' ')" "active delete name pkcs7 policy update version " "policy files"
	fi
}

t_policy_cap_mac_admin() {
	need ipe
	v=$(ver_next)
	pol_file /tmp/cap "policy_name=t_cap policy_version=$v.1" "$ALLOW"
	nc() { ipet nocap 33 /usr/bin/ipet "$@"; }
	audit_mark
	expect_eq "$(nc write $T/new_policy /tmp/cap.p7s)" EPERM "new_policy without CAP_MAC_ADMIN"
	audit_failed_loads -1
	expect_eq "$(ipe_w new_policy /tmp/cap.p7s)" OK "with it"
	expect_eq "$(nc writes $T/policies/t_cap/active 1)" EPERM "active"
	expect_eq "$(nc writes $T/policies/t_cap/delete 1)" EPERM "delete"
	audit_mark
	expect_eq "$(nc write $T/policies/t_cap/update /tmp/cap.p7s)" EPERM "update"
	audit_failed_loads -1
	expect_eq "$(nc writes $T/enforce 1)" EPERM "enforce"
	expect_eq "$(nc writes $T/success_audit 1)" EPERM "success_audit"
	expect_eq "$(nc read $T/policies/t_cap/policy)" OK "reads need no capability"
}

t_policy_enforce_toggle() { # smoke
	need ipe
	audit_mark
	expect_eq "$(ipe_ws enforce 0)" OK "enforce <- 0"
	expect_eq "$(cat $T/enforce)" 0 "enforce reads 0"
	expect_eq "$(ipe_ws enforce 0)" OK "enforce <- 0 again"
	expect_eq "$(ipe_ws enforce 1)" OK "enforce <- 1"
	audit_recs 1404 >/tmp/1404
	expect_line /tmp/1404 "enforcing=0 old_enforcing=1 auid=4294967295 ses=4294967295 enabled=1 old-enabled=1 lsm=ipe res=1" "1404 off"
	expect_line /tmp/1404 "enforcing=1 old_enforcing=0 auid=4294967295 ses=4294967295 enabled=1 old-enabled=1 lsm=ipe res=1" "1404 on"
	# Upstream's ipe_audit_enforce() nests audit_log() inside an
	# audit_log_start()/audit_log_end() pair: each change also emits an
	# empty 1404 record.
	expect_eq "$(grep -c '^$' /tmp/1404)" 2 "empty 1404 records"
	expect_eq "$(grep -c '' /tmp/1404)" 4 "1404 records in all (no record for the repeated 0)"
}

t_policy_bool_parsing() {
	need ipe
	# kstrtobool also takes t/T/f/F (so "true" and "false") on 6.12.
	for s in 1 y Y on ON On 1x yes t true T; do
		expect_eq "$(ipe_ws success_audit 0)" OK "reset"
		expect_eq "$(ipe_ws success_audit "$s")" OK "success_audit <- '$s'"
		expect_eq "$(cat $T/success_audit)" 1 "'$s' is true"
	done
	for s in 0 n N off OFF no f false F; do
		expect_eq "$(ipe_ws success_audit 1)" OK "reset"
		expect_eq "$(ipe_ws success_audit "$s")" OK "success_audit <- '$s'"
		expect_eq "$(cat $T/success_audit)" 0 "'$s' is false"
	done
	for s in "" x 2 o ox -1; do
		expect_eq "$(ipe_ws success_audit "$s")" EINVAL "success_audit <- '$s'"
	done
}

t_policy_success_audit() {
	need ipe
	ipe_use t_sa "$ALLOW"
	audit_mark
	expect_eq "$(ipe_ws success_audit 1)" OK "success_audit <- 1"
	audit_none 1404
	ipet hello >/dev/null
	audit_recs 1420 >/tmp/r
	# The global default matched: rule="DEFAULT action=ALLOW"; rootfs is dev "rootfs".
	grep -Eq "^ipe_op=EXECUTE ipe_hook=BPRM_CHECK enforcing=1 pid=[0-9]+ comm=\"[^\"]+\" path=\"/usr/bin/ipet\" dev=\"rootfs\" ino=$(stat -c %i /usr/bin/ipet) rule=\"DEFAULT action=ALLOW\"$" /tmp/r ||
		{ cat /tmp/r; fail "no ALLOW 1420 for the exec with success_audit"; }
	grep -Eq "^ipe_op=EXECUTE ipe_hook=MMAP enforcing=1 pid=[0-9]+ comm=\"ipet\" path=\"/usr/bin/ipet\" dev=\"rootfs\" ino=[0-9]+ rule=\"DEFAULT action=ALLOW\"$" /tmp/r ||
		{ cat /tmp/r; fail "no ALLOW 1420 for the ELF mapping"; }
	expect_eq "$(ipe_ws success_audit 0)" OK "success_audit <- 0"
	audit_mark
	ipet hello >/dev/null
	audit_none 1420
}
