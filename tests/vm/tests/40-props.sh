# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/40-props.sh: every property, positive and negative:
# boot_verified, dmverity_roothash, dmverity_signature, fsverity_digest,
# fsverity_signature; and the rule text of digest rules in 1420 records.

# allow_only RULE...: executing is denied except from rootfs and RULE...
allow_only() {
	n=t_prop_$(ver_next | tr . _)
	set -- "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
		"op=EXECUTE boot_verified=TRUE action=ALLOW" "$@"
	expect_eq "$(ipe_load $n "$(ver_next).0" "$@")" OK "load $n"
	expect_eq "$(ipe_activate $n)" OK "activate $n"
}
upper() { echo "$1" | tr a-f A-F; }

t_prop_boot_verified_false() {
	need ipe
	mkdir -p /untrusted/bin && cp /usr/bin/ipet /untrusted/bin/
	ipe_use t_bvf "DEFAULT action=ALLOW" "op=EXECUTE boot_verified=FALSE action=DENY"
	expect_eq "$(ipet exec /usr/bin/ipet hello)" hello "rootfs"
	expect_eq "$(ipet exec /untrusted/bin/ipet hello)" EACCES "tmpfs"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" EACCES "dm-verity"
	expect_eq "$(ipet anon)" EACCES "anonymous memory"
}

t_prop_dmverity_roothash() { # smoke
	is_mounted /mnt/dmv || fail "dm-verity fixture missing"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "before the policy"
	enforcer_part
	allow_only "op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "matching root hash"
	expect_eq "$(ipet mmap /mnt/dmv/libipetlib.so)" OK "mmap from the volume"
	expect_eq "$(ipet exec /mnt/fsv/plain/ipet hello)" EACCES "plain ext4"
	ipe_reset
	other=$(echo "$DMV_ROOTHASH" | sed 's/^./0/;t' | sed 's/^0\(.*\)$/0\1/')
	[ "$other" != "$DMV_ROOTHASH" ] || other=1${DMV_ROOTHASH#?}
	allow_only "op=EXECUTE dmverity_roothash=sha256:$other action=ALLOW"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" EACCES "another root hash"
	ipe_reset
	# Algorithm names compare case-sensitively; hex digits do not.
	allow_only "op=EXECUTE dmverity_roothash=SHA256:$DMV_ROOTHASH action=ALLOW"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" EACCES "SHA256 (upper case) never matches"
	ipe_reset
	allow_only "op=EXECUTE dmverity_roothash=sha256:$(upper $DMV_ROOTHASH) action=ALLOW"
	expect_eq "$(ipet exec /mnt/dmv/ipet hello)" hello "upper-case hex matches"
}

t_prop_dmverity_roothash_audit() { # smoke
	need ipe
	# The rule text of a digest property in 1420: the algorithm goes through
	# audit_log_untrustedstring (so it is quoted), the digest is upper hex.
	allow_only "op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW"
	expect_eq "$(ipe_ws success_audit 1)" OK "success_audit"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet mmap /mnt/dmv/libipetlib.so)" OK "mmap"
	d=$(dmv_dev ipet_dmv)
	audit_recs 1420 >/tmp/r
	expect_line /tmp/r "ipe_op=EXECUTE ipe_hook=MMAP enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=\"/mnt/dmv/libipetlib.so\" dev=\"${d#/dev/}\" ino=$(stat -c %i /mnt/dmv/libipetlib.so) rule=\"op=EXECUTE dmverity_roothash=\"sha256\":$(upper $DMV_ROOTHASH) action=ALLOW\"" "dmverity_roothash 1420"
}

t_prop_dmverity_signature() { # smoke
	expect_eq "$(dmv_open t_dmv_other 2 /lib/ipet/keys/roothash.other.p7s)" ENOKEY \
		"root hash signed by an unknown key"
	if [ "$IPET_SECUREBOOT" = 1 ]; then
		need secureboot
		# Secure Boot: the CA is a MOK → .machine → .secondary_trusted_keys,
		# which dm-verity consults on every kernel (6.1 included).
		grep -q '^CONFIG_DM_VERITY_VERIFY_ROOTHASH_SIG_SECONDARY_KEYRING=y' /lib/ipet/config ||
			fail "dm-verity without the secondary keyring"
		expect_eq "$(dmv_open t_dmvs 2 /lib/ipet/keys/roothash.ca.p7s)" OK "signed root hash (CA as MOK → .machine)"
	elif ! grep -q '^CONFIG_DM_VERITY_VERIFY_ROOTHASH_SIG_PLATFORM_KEYRING=y' /lib/ipet/config; then
		# 6.1: dm-verity consults only the builtin and secondary keyrings,
		# so the CA (db → .platform, or nowhere without OVMF) is not enough.
		expect_eq "$(dmv_open t_dmvs 2 /lib/ipet/keys/roothash.ca.p7s)" ENOKEY "CA-signed root hash on a kernel without the .platform fallback"
		echo "PASS: dm-verity does not consult .platform on this kernel"
		exit 0
	else
		need platform_dmverity
		expect_eq "$(dmv_open t_dmvs 2 /lib/ipet/keys/roothash.ca.p7s)" OK "signed root hash (CA in db → .platform)"
	fi
	mkdir -p /mnt/dmvs
	mount -t ext4 -o ro $(dmv_dev t_dmvs) /mnt/dmvs
	set +e
	(
		set -e
		enforcer_part
		allow_only "op=EXECUTE dmverity_signature=TRUE action=ALLOW"
		expect_eq "$(ipet exec /mnt/dmvs/ipet hello)" hello "signed volume"
		expect_eq "$(ipet exec /mnt/dmv/ipet hello)" EACCES "unsigned volume"
		expect_eq "$(ipet exec /mnt/fsv/signed/ipet hello)" EACCES "not dm-verity"
		ipe_reset
		ipe_use t_dsf "DEFAULT action=ALLOW" "op=EXECUTE boot_verified=TRUE action=ALLOW" \
			"op=EXECUTE dmverity_signature=FALSE action=DENY"
		expect_eq "$(ipet exec /mnt/dmvs/ipet hello)" hello "FALSE: signed volume"
		expect_eq "$(ipet exec /mnt/dmv/ipet hello)" EACCES "FALSE: unsigned volume"
	)
	rc=$?
	set -e
	ipe_reset
	umount /mnt/dmvs
	dmv_close t_dmvs
	return $rc
}

t_prop_fsverity_digest() { # smoke
	fsv_prepare
	expect_eq "$(ipet vmeasure /mnt/fsv/unsigned/ipet)" "$FSV_DIGEST_IPET" "measured digest = fsverity digest on the host"
	expect_eq "$(ipet vmeasure /mnt/fsv/plain/ipet)" ENODATA "no verity on plain/"
	enforcer_part
	allow_only "op=EXECUTE fsverity_digest=$FSV_DIGEST_IPET action=ALLOW"
	expect_eq "$(ipet exec /mnt/fsv/unsigned/ipet hello)" hello "digest matches"
	expect_eq "$(ipet exec /mnt/fsv/signed/ipet hello)" hello "same content, signed"
	expect_eq "$(ipet exec /mnt/fsv/plain/ipet hello)" EACCES "same bytes without verity"
	expect_eq "$(ipet mmap /mnt/fsv/unsigned/libipetlib.so)" EACCES "other verity file"
	expect_eq "$(ipe_ws success_audit 1)" OK "success_audit"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet exec /mnt/fsv/unsigned/ipet hello)" hello "audited"
	d=$(disk fsv)
	audit_recs 1420 >/tmp/r
	expect_line /tmp/r "ipe_op=EXECUTE ipe_hook=BPRM_CHECK enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=\"/mnt/fsv/unsigned/ipet\" dev=\"${d#/dev/}\" ino=$(stat -c %i /mnt/fsv/unsigned/ipet) rule=\"op=EXECUTE fsverity_digest=\"sha256\":$(upper ${FSV_DIGEST_IPET#sha256:}) action=ALLOW\"" "fsverity_digest 1420"
	ipe_reset
	allow_only "op=EXECUTE fsverity_digest=sha512:${FSV_DIGEST_IPET#sha256:} action=ALLOW"
	expect_eq "$(ipet exec /mnt/fsv/unsigned/ipet hello)" EACCES "wrong algorithm name"
}

t_prop_fsverity_signature() { # smoke
	fsv_prepare
	expect_eq "$(ipet exec /mnt/fsv/signed/ipet hello)" hello "signed file opens (cert in .fs-verity)"
	cp /mnt/fsv/plain/ipet-test.bin /mnt/fsv/scratch/other-signed.bin 2>/dev/null || true
	expect_eq "$(ipet venable /mnt/fsv/scratch/other-signed.bin /mnt/fsv/sig/ipet-test.bin.other.sig)" ENOKEY \
		"signature by a key outside .fs-verity"
	enforcer_part
	allow_only "op=EXECUTE fsverity_signature=TRUE action=ALLOW"
	expect_eq "$(ipet exec /mnt/fsv/signed/ipet hello)" hello "signed"
	expect_eq "$(ipet exec /mnt/fsv/unsigned/ipet hello)" EACCES "verity without signature"
	expect_eq "$(ipet exec /mnt/fsv/plain/ipet hello)" EACCES "no verity"
	ipe_reset
	ipe_use t_fsf "DEFAULT action=ALLOW" "op=EXECUTE boot_verified=TRUE action=ALLOW" \
		"op=EXECUTE fsverity_signature=FALSE action=DENY"
	expect_eq "$(ipet exec /mnt/fsv/signed/ipet hello)" hello "FALSE: signed"
	expect_eq "$(ipet exec /mnt/fsv/unsigned/ipet hello)" EACCES "FALSE: unsigned"
	expect_eq "$(ipet exec /mnt/fsv/plain/ipet hello)" EACCES "FALSE: no verity"
}
