# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/45-secureboot.sh: the guest booted by `run --secureboot`
# (OVMF Secure Boot → shim → signed grub → signed kernel) with the test CA
# enrolled as a MOK: Secure Boot and lockdown are on, the CA reached
# .machine (and only it: not db/.platform), IPE policies signed by it are
# accepted through .secondary_trusted_keys, and lockdown refuses an unsigned
# or foreign-signed build of ipe_lkm while the CA-signed one loads (what a
# DKMS user with an enrolled MOK gets). Every test skips without --secureboot.
# dmverity_signature=TRUE under Secure Boot is in 40-props.sh.

# keyring_has KEYRING TEXT: a key whose description contains TEXT is in
# KEYRING (a %:.name system keyring).
keyring_has() {
	for id in $(keyctl rdescribe "%:$1" >/dev/null 2>&1 && keyctl rlist "%:$1"); do
		keyctl rdescribe $id 2>/dev/null | grep -q -- "$2" && return 0
	done
	return 1
}

t_sb_boot() {
	need secureboot
	expect_eq "$(cat /sys/kernel/security/lockdown)" "none [integrity] confidentiality" "lockdown"
	# The kernel read the firmware's SecureBoot variable itself (efivarfs
	# is a module, not in the test initramfs).
	dmesg | grep -q 'secureboot: Secure boot enabled' || fail "the kernel did not report Secure Boot"
	dmesg | grep -q 'Kernel is locked down from EFI Secure Boot' || fail "no lockdown from Secure Boot"
	# shim handed the MOK list over (MokListRT, the MOKvar table) and the
	# kernel put the CA into .machine, as trusted (MokListTrustedRT).
	dmesg | grep -A1 'Loading X.509 certificate: UEFI:MokListRT' |
		grep -q "integrity: Loaded X.509 cert '[^']*ipe-test-ca" ||
		fail "the test CA was not loaded from the MOK list"
	keyctl rlist %:.machine >/dev/null 2>&1 || fail ".machine keyring missing"
	keyring_has .machine ipe-test-ca || fail "ipe-test-ca is not in .machine"
	# Only there: the db holds Microsoft's keys, not ours.
	keyring_has .platform ipe-test-ca && fail "ipe-test-ca is in .platform (db): the run would not show .machine at work"
	keyring_has .platform Microsoft || fail ".platform does not hold the Microsoft db keys"
	keyring_has .machine ipe-test-other && fail "ipe-test-other must not be trusted"
	true
}

t_sb_policy_machine() {
	need secureboot
	need ipe
	# The CA is not in db: without it embedded, a CA-signed policy can only
	# verify through .machine (linked into .secondary_trusted_keys).
	keyring_has .platform ipe-test-ca && fail "ipe-test-ca in .platform"
	set +e
	(
		set -e
		if [ "$IPET_ENFORCER" = module ]; then
			# enforcer.ko embeds the CA: the build without it, whose
			# default trust leaves MOKs out, and upstream's trust
			pol_file /tmp/sbd "policy_name=t_sbd policy_version=0.0.1" "DEFAULT action=ALLOW"
			swap_module $NOEMBED_KO
			expect_eq "$(ipe_w new_policy /tmp/sbd.p7s)" ENOKEY "a MOK-signed policy, default trust"
			swap_module $NOEMBED_KO trust=secondary,platform
		fi
		mkdir -p /untrusted/bin && cp /usr/bin/ipet /untrusted/bin/
		ipe_use t_sbm "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
			"op=EXECUTE boot_verified=TRUE action=ALLOW"
		expect_eq "$(ipet exec /untrusted/bin/ipet hello)" EACCES "the policy is in force"
		pol_file /tmp/sbo "policy_name=t_sbo policy_version=0.0.1" "DEFAULT action=ALLOW"
		pol_sign /tmp/sbo.txt /tmp/sbo.other.p7s other
		expect_eq "$(ipe_w new_policy /tmp/sbo.other.p7s)" ENOKEY "policy signed by a key that is no MOK"
	)
	rc=$?
	set -e
	if [ "$IPET_ENFORCER" = module ]; then
		echo 0 >$T/enforce
		restore_module || fail "reload"
	fi
	return $rc
}

# ipectl verify --keyrings (the kernel-upgrade check's signer warning): a
# policy signed by the CA, a MOK, is found in .machine; one signed by the
# other key is in no kernel keyring (exit 3).
t_sb_ipectl_keyrings() {
	need secureboot
	pol_file /tmp/sbk "policy_name=t_sbk policy_version=0.0.1" "DEFAULT action=ALLOW"
	out=$(ipectl verify --keyrings /tmp/sbk.p7s 2>&1) || fail "verify --keyrings, MOK signer: $out"
	case $out in
	*"in the kernel's .machine keyring"*) ;;
	*) fail "the MOK signer not found in .machine: $out" ;;
	esac
	pol_sign /tmp/sbk.txt /tmp/sbk.other.p7s other
	rc=0
	out=$(ipectl verify --keyrings /tmp/sbk.other.p7s 2>&1) || rc=$?
	expect_eq "$rc" 3 "verify --keyrings, a signer in no keyring: $out"
}

t_sb_module_signature() {
	need secureboot
	need module
	mod=/lib/modules/$(uname -r)/updates/dkms/ipe_lkm.ko
	# At setup, the CA-signed build was loaded: no "unsigned" (E) taint.
	[ -d /sys/module/ipe_lkm ] || fail "ipe_lkm not loaded"
	expect_eq "$(cat /sys/module/ipe_lkm/taint)" O "ipe_lkm taint flags"
	dmesg | grep -q 'ipe_lkm: module verification failed' && fail "the kernel found ipe_lkm's signature bad"
	cmp -s /lib/ipet/enforcer.ko $mod || fail "$mod is not the signed build"
	tail -c 28 /lib/ipet/enforcer-unsigned.ko | grep -q 'Module signature appended' &&
		fail "the unsigned build carries a signature"
	# Unload, then try the three builds.
	ic() { set +e; IPECTL_TREE= ipectl "$@" 2>&1; echo "rc=$?"; set -e; }
	expect_match "$(ic enforce off)" "rc=0" "enforce off"
	expect_match "$(ic unload)" "ipe_lkm removed" "unload"
	set +e
	(
		set -e
		[ ! -d /sys/module/ipe_lkm ] || fail "still loaded"
		# Debian's kernels enforce module signatures under Secure Boot
		# (is_module_sig_enforced()): module_sig_check() refuses with
		# EKEYREJECTED and says why.
		n=$(dmesg | wc -l)
		expect_eq "$(ipet finit /lib/ipet/enforcer-unsigned.ko)" EKEYREJECTED "unsigned build"
		dmesg | tail -n +$((n + 1)) | grep -q 'Loading of unsigned module is rejected' ||
			fail "no 'unsigned module' message"
		n=$(dmesg | wc -l)
		expect_eq "$(ipet finit /lib/ipet/enforcer-other.ko)" EKEYREJECTED "build signed by a key that is no MOK"
		dmesg | tail -n +$((n + 1)) | grep -q 'Loading of module with unavailable key is rejected' ||
			fail "no 'unavailable key' message"
		[ ! -d /sys/module/ipe_lkm ] || fail "a refused build is loaded"
		# The CA-signed build, where DKMS installs it, through libkmod.
		expect_match "$(ic load)" "loaded \\(enforce=on" "load the signed build"
	)
	rc=$?
	set -e
	# Whatever happened, leave the signed module loaded for the next tests.
	[ -d /sys/module/ipe_lkm ] || ic load
	[ $rc = 0 ] || exit $rc
	expect_eq "$(cat /sys/module/ipe_lkm/taint)" O "taint flags after the reload"
	ipe_reset
	mkdir -p /untrusted/bin && cp /usr/bin/ipet /untrusted/bin/
	ipe_use t_sbl "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
		"op=EXECUTE boot_verified=TRUE action=ALLOW"
	expect_eq "$(ipet exec /untrusted/bin/ipet hello)" EACCES "the reloaded module enforces"
}
