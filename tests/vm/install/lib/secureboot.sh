# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# tests/vm/install/lib/secureboot.sh: --secureboot for the install tier, on
# top of tests/vm/lib/secureboot.sh (sourced before this file).
#
# The guest boots OVMF (Secure Boot) → shim → Debian's signed grub → the
# image's own signed vmlinuz + initrd, with the test key's certificate
# enrolled as a MOK (MokListTrusted: it lands in .machine, linked into
# .secondary_trusted_keys). The guest pre-seeds DKMS's signing key
# (/var/lib/dkms/mok.key + mok.pub) with the same key, so DKMS signs ipe_lkm
# with it and lockdown lets it load; the certificate is NOT embedded in the
# module: policy signatures verify through the secondary keyring.

# sb_boot_args OUTDIR VMLINUZ INITRD CMDLINE: sets SB_QEMU for one boot (a
# fresh vars store and ESP in OUTDIR/sb).
sb_boot_args()
{
	local o=$1/sb
	sb_boot "$o" "$2" "$3" "$4" "$IOUT/keys/test.crt"
	SB_QEMU=("${SB_QEMU_ARGS[@]}")
}
