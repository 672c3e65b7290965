# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/72-trust.sh: which signers ipe_lkm trusts (the trust
# parameter, module/keys.c).  The harness embeds the test CA in
# /lib/ipet/enforcer.ko; /lib/ipet/enforcer-noembed.ko embeds nothing, so a
# CA-signed policy can only verify there through a keyring: .platform (the
# CA is in the UEFI db of the OVMF boot) or, under Secure Boot, .machine
# (the CA is a MOK), which the secondary keyring links.

t_trust_default() { # smoke
	need module
	expect_eq "$(cat /sys/module/ipe_lkm/parameters/trust)" embedded,builtin "the default trust"
	dmesg | grep -q "ipe_lkm: policy signers trusted: embedded,builtin" ||
		fail "the trust is not logged at load"
	ipe_use t_trust "DEFAULT action=ALLOW"
	pol_file /tmp/tro "policy_name=t_tro policy_version=0.0.1" "DEFAULT action=ALLOW"
	pol_sign /tmp/tro.txt /tmp/tro.other.p7s other
	expect_eq "$(ipe_w new_policy /tmp/tro.other.p7s)" ENOKEY "a signer in no trusted place"
	expect_match "$(ipectl status)" "signers: +embedded,builtin$" "ipectl status"
	expect_match "$(ipectl status --json)" '"trust":"embedded,builtin"' "ipectl status --json"
}

# The keyring that holds the CA is trusted only when the parameter says so;
# upstream's choice (secondary,platform) is one setting away.
t_trust_keyrings() {
	need module
	if sb_on; then
		ring=secondary
	elif [ "$IPET_OVMF" = 1 ]; then
		ring=platform
	else
		skip "the test CA is in no keyring (boot without OVMF)"
	fi
	pol_file /tmp/trk "policy_name=t_trk policy_version=0.0.1" "DEFAULT action=ALLOW"
	set +e
	(
		set -e
		try() {
			swap_module "$@"
			ipe_w new_policy /tmp/trk.p7s
		}
		expect_eq "$(try $NOEMBED_KO)" ENOKEY "the CA only in .$ring, default trust"
		expect_eq "$(try $NOEMBED_KO trust=builtin)" ENOKEY "trust=builtin"
		expect_eq "$(try $NOEMBED_KO trust=$ring)" OK "trust=$ring"
		expect_match "$(ipectl status)" "signers: +$ring \(Machine Owner Keys are trusted" "status names the risk"
		expect_eq "$(try $NOEMBED_KO trust=secondary,platform)" OK "upstream's trust"
		expect_eq "$(try trust=builtin)" ENOKEY "the CA embedded, trust=builtin"
		expect_eq "$(try trust=embedded)" OK "the CA embedded, trust=embedded"
	)
	rc=$?
	set -e
	restore_module || fail "reload"
	return $rc
}

# A trust setting that is wrong refuses the load, with the reason.
t_trust_bad_values() {
	need module
	echo 0 >$T/enforce
	rmmod ipe_lkm
	set +e
	for v in bogus "" "embedded,bogus" ","; do
		insmod $IPET_MODULE trust="$v" 2>/dev/null
		rc=$?
		if [ $rc -eq 0 ]; then
			rmmod ipe_lkm
			ipe_lkm_insmod
			fail "trust='$v' loaded"
		fi
	done
	set -e
	[ ! -d /sys/module/ipe_lkm ] || fail "a refused load left the module behind"
	dmesg | grep -q "ipe_lkm: trust=bogus: unknown signer source 'bogus'" || fail "no reason for 'bogus'"
	dmesg | grep -q "ipe_lkm: trust=embedded,bogus: unknown signer source 'bogus'" || fail "no reason for 'embedded,bogus'"
	dmesg | grep -q "ipe_lkm: trust is empty" || fail "no reason for an empty trust"
	ipe_lkm_insmod || fail "reload"
}
