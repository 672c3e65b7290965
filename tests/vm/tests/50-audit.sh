# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/50-audit.sh: the exact text of 1421 and 1422 across a policy
# switch, and what is not audited.

t_audit_1421_switch() { # smoke
	need ipe
	base=$(cat /run/ipet.base)
	bver=$(cat $T/policies/$base/version)
	cat $T/policies/$base/pkcs7 >/tmp/base.p7s
	v=$(ver_next)
	audit_mark
	expect_eq "$(ipe_load t_sw "$v.1" "DEFAULT action=ALLOW")" OK "load"
	audit_none 1421
	expect_eq "$(ipe_activate t_sw)" OK "activate"
	audit_expect 1421 "old_active_pol_name=\"$base\" old_active_pol_version=$bver old_policy_digest=sha256:$(sha256_hex /tmp/base.p7s) new_active_pol_name=\"t_sw\" new_active_pol_version=$v.1 new_policy_digest=sha256:$(sha256_hex /tmp/pol.t_sw.p7s) auid=4294967295 ses=4294967295 lsm=ipe res=1"
	audit_expect 1422 "$(load_rec "policy_name=\"t_sw\" policy_version=$v.1 policy_digest=sha256:$(sha256_hex /tmp/pol.t_sw.p7s) auid=4294967295 ses=4294967295 lsm=ipe res=1")"
}

t_audit_failed_loads() {
	need ipe
	# Upstream 6.16 audits failed loads and updates, with their errno; 6.12's
	# built-in IPE audits neither (audit_failed_loads).
	v=$(ver_next)
	expect_eq "$(ipe_load t_fs "$v.2" "DEFAULT action=ALLOW")" OK "load"
	pol_file /tmp/fs_old "policy_name=t_fs policy_version=$v.1" "DEFAULT action=ALLOW"
	audit_mark
	expect_eq "$(ipe_w policies/t_fs/update /tmp/fs_old.p7s)" ESTALE "rollback"
	expect_eq "$(ipe_w new_policy /tmp/fs_old.p7s)" EEXIST "duplicate"
	printf 'junk' >/tmp/junk
	expect_eq "$(ipe_w new_policy /tmp/junk)" EBADMSG "junk"
	expect_eq "$(ipe_delete t_fs)" OK "delete"
	audit_failed_loads -116 -17 -74
	audit_none 1421
	audit_none 1404
}

t_audit_no_record_without_policy() {
	need ipe
	# enforce and success_audit toggles are not 1420s; a deny-nothing policy
	# with success_audit off produces no 1420 at all.
	audit_mark
	expect_eq "$(ipe_ws success_audit 1)" OK "success_audit on"
	expect_eq "$(ipe_ws success_audit 0)" OK "success_audit off"
	audit_none 1404
	audit_mark
	expect_eq "$(ipet anon)" OK "anonymous exec memory under allow-all"
	audit_none 1420
}
