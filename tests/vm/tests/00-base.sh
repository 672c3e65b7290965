# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/00-base.sh: the guest and its fixtures work (no enforcer needed).

t_base_boot() { # smoke
	expect_eq "$(uname -r)" "$(cat /lib/ipet/kver)" "running kernel"
	expect_eq "$(ipet hello)" hello "static helper"
	is_mounted /mnt/fsv || fail "fs-verity fixture not mounted"
	is_mounted /mnt/dmv || fail "dm-verity fixture not mounted"
}

t_base_securityfs() { # smoke
	if [ "$IPET_ENFORCER" = none ]; then
		[ ! -e /sys/kernel/security/ipe ] || fail "an ipe tree exists without an enforcer"
		skip "no enforcer: the tree is absent, as expected"
	fi
	need ipe
	for f in enforce success_audit new_policy policies; do
		[ -e "$T/$f" ] || fail "$T/$f missing"
	done
}
