# SPDX-License-Identifier: GPL-2.0
# tests/vm/lib/secureboot.sh: boot a stock Debian kernel under UEFI Secure
# Boot in QEMU, with test certificates enrolled as Machine Owner Keys.
#
# The chain is the one a Debian machine boots: OVMF (Secure Boot code, the
# Microsoft keys in db) → shim (signed by Microsoft) → Debian's signed grub →
# Debian's signed vmlinuz. shim exports MokList to the kernel (MokListRT, the
# MOKvar table); with MokListTrusted set the kernel loads the MOKs into
# .machine, which is linked into .secondary_trusted_keys: the keyring 6.1's
# dm-verity and module loader consult. Secure Boot also brings lockdown
# (integrity): unsigned modules are refused.
#
# Sourced after common.sh (log, die, CACHE). Functions, for tests/vm/run and
# for other tiers (tests/vm/install):
#
#   sb_fetch                        shim + signed grub, cached; sets SB_SHIM,
#                                   SB_GRUB
#   sb_vars OUT CERT...             an OVMF vars store: Secure Boot on,
#                                   Microsoft keys, CERTs (PEM) as MOKs,
#                                   MokListTrusted
#   sb_esp OUT VMLINUZ INITRD CMDLINE
#                                   a FAT image (no partition table) with
#                                   shim, grub, grub.cfg, vmlinuz, initrd
#   sb_qemu_args VARS ESP           sets the array SB_QEMU_ARGS: machine,
#                                   firmware and ESP arguments for
#                                   qemu-system-x86_64 (add -m, -smp, disks,
#                                   serial ports yourself; no -kernel)
#   sb_boot OUTDIR VMLINUZ INITRD CMDLINE CERT...
#                                   all of the above in one call: OUTDIR/vars.fd,
#                                   OUTDIR/esp.img, SB_QEMU_ARGS
#   sb_sign_file KVER KEY CERT KO...
#                                   sign modules in place with the kernel's
#                                   scripts/sign-file (headers or kbuild)
#   sb_is_signed KO                 true if KO carries a module signature
#   sb_dkms_mok DIR                 a MOK pair in DKMS's format (mok.key,
#                                   mok.pub DER) and mok.pem to enroll
#
# The ESP is attached as a SATA disk (q35's AHCI), so the guest's virtio
# disks keep their names (/dev/vda stays the first virtio disk). The kernel
# does not need to see the ESP at all.

# shim's vendor GUID, owner of the MOK variables.
SB_MOK_GUID=605dab50-e046-4300-abb6-3dd810dd8b23
SB_OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
SB_OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.ms.fd

# sb_fetch: download shim-signed and grub-efi-amd64-signed (not installed:
# apt-get download + dpkg-deb -x into the cache, refreshed once a day; a
# failed refresh keeps the cached copy).
sb_fetch()
{
	local dir=$CACHE/secureboot pkg root=$CACHE/secureboot/root new
	if [[ ! -f $root/.done || -n $(find "$root/.done" -mtime +0 2>/dev/null) ]]; then
		new=$dir/new
		rm -rf "$new" && mkdir -p "$new/debs" "$new/root"
		for pkg in shim-signed grub-efi-amd64-signed; do
			(cd "$new/debs" && apt-get download -q "$pkg" >/dev/null 2>&1) || break
			dpkg-deb -x "$(ls "$new/debs/${pkg}"_*.deb)" "$new/root" || break
			touch "$new/root/.$pkg"
		done
		if [[ -f $new/root/.shim-signed && -f $new/root/.grub-efi-amd64-signed ]]; then
			touch "$new/root/.done"
			rm -rf "$root" "$dir/debs" && mv "$new/root" "$root" && mv "$new/debs" "$dir/debs"
		elif [[ -f $root/.done ]]; then
			log "apt-get download of shim-signed/grub-efi-amd64-signed failed: using the cached copy"
		else
			die "apt-get download shim-signed grub-efi-amd64-signed failed"
		fi
		rm -rf "$new"
	fi
	SB_SHIM=$root/usr/lib/shim/shimx64.efi.signed
	SB_GRUB=$root/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed
	[[ -f $SB_SHIM && -f $SB_GRUB ]] || die "shim or grub missing in $root"
	[[ -f $SB_OVMF_CODE && -f $SB_OVMF_VARS ]] ||
		die "$SB_OVMF_CODE or $SB_OVMF_VARS missing (apt-get install ovmf)"
}

# sb_vars OUT CERT...: OVMF_VARS_4M.ms.fd (PK/KEK/db with the Microsoft keys
# that sign shim, Secure Boot enabled) with each CERT (PEM or DER) added to
# MokList, and MokListTrusted=1 so the kernel trusts the MOKs for
# .machine (shim mirrors both to the *RT variables at boot).
sb_vars()
{
	local out=$1 c pem args=() tmp
	shift
	[[ $# -gt 0 ]] || die "sb_vars: no certificate"
	tmp=$(mktemp -d)
	for c; do
		pem=$tmp/$(basename "$c").pem
		openssl x509 -in "$c" -out "$pem" 2>/dev/null ||
			openssl x509 -inform der -in "$c" -out "$pem" ||
			{ rm -rf "$tmp"; die "sb_vars: $c is not an X.509 certificate"; }
		args+=(--add-mok "$SB_MOK_GUID" "$pem")
	done
	printf '{"version": 2, "variables": [{"name": "MokListTrusted", "guid": "%s", "attr": 3, "data": "01"}]}\n' \
		"$SB_MOK_GUID" >"$tmp/trusted.json"
	cp "$SB_OVMF_VARS" "$out.tmp"
	virt-fw-vars --inplace "$out.tmp" "${args[@]}" --set-json "$tmp/trusted.json" \
		>"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; rm -rf "$tmp"; die "virt-fw-vars (run tests/vm/deps?)"; }
	rm -rf "$tmp"
	mv "$out.tmp" "$out"
}

# sb_esp OUT VMLINUZ INITRD CMDLINE: the EFI system partition as a bare FAT
# image. shim is the removable-media loader EFI/BOOT/BOOTX64.EFI and starts
# grubx64.efi next to it; Debian's signed grub reads /EFI/debian/grub.cfg
# (a copy sits in EFI/BOOT too). grub verifies the kernel through shim.
sb_esp()
{
	local out=$1 vmlinuz=$2 initrd=$3 cmdline=$4 kb tmp
	[[ -f $vmlinuz && -f $initrd ]] || die "sb_esp: missing $vmlinuz or $initrd"
	[[ -n ${SB_SHIM:-} ]] || sb_fetch
	tmp=$(mktemp -d)
	# The marker file keeps grub's search off any other disk's /vmlinuz.
	cat >"$tmp/grub.cfg" <<EOF
set timeout=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
search --no-floppy --file --set=root /ipet-esp
echo 'ipet: loading the kernel'
linux /vmlinuz $cmdline
initrd /initrd
boot
EOF
	: >"$tmp/ipet-esp"
	# FAT size: the payload plus 16 MiB of slack, in KiB.
	kb=$(( ($(stat -c %s "$vmlinuz") + $(stat -c %s "$initrd") + $(stat -c %s "$SB_SHIM") +
		$(stat -c %s "$SB_GRUB")) / 1024 + 16384 ))
	rm -f "$out.tmp"
	mkfs.vfat -C -n IPETESP "$out.tmp" "$kb" >/dev/null || { rm -rf "$tmp"; die "mkfs.vfat"; }
	export MTOOLS_SKIP_CHECK=1
	mmd -i "$out.tmp" ::/EFI ::/EFI/BOOT ::/EFI/debian &&
		mcopy -i "$out.tmp" "$SB_SHIM" ::/EFI/BOOT/BOOTX64.EFI &&
		mcopy -i "$out.tmp" "$SB_GRUB" ::/EFI/BOOT/grubx64.efi &&
		mcopy -i "$out.tmp" "$tmp/grub.cfg" ::/EFI/BOOT/grub.cfg &&
		mcopy -i "$out.tmp" "$tmp/grub.cfg" ::/EFI/debian/grub.cfg &&
		mcopy -i "$out.tmp" "$tmp/ipet-esp" ::/ipet-esp &&
		mcopy -i "$out.tmp" "$vmlinuz" ::/vmlinuz &&
		mcopy -i "$out.tmp" "$initrd" ::/initrd ||
		{ rm -rf "$tmp"; die "mtools: filling $out"; }
	rm -rf "$tmp"
	mv "$out.tmp" "$out"
}

# sb_qemu_args VARS ESP: SB_QEMU_ARGS for a Secure Boot machine (q35 with
# SMM, the secure-boot OVMF build, VARS writable: use a copy per boot).
sb_qemu_args()
{
	local vars=$1 esp=$2
	# shellcheck disable=SC2034,SC2054  # used by the caller; commas are qemu's
	SB_QEMU_ARGS=(-machine q35,smm=on
		-global driver=cfi.pflash01,property=secure,value=on
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$SB_OVMF_CODE"
		-drive "if=pflash,format=raw,unit=1,file=$vars"
		-drive "if=none,id=ipetesp,format=raw,file=$esp"
		-device "ide-hd,drive=ipetesp,bus=ide.0,bootindex=0")
}

# sb_boot OUTDIR VMLINUZ INITRD CMDLINE CERT...: a fresh vars store and ESP
# in OUTDIR, and SB_QEMU_ARGS for them.
sb_boot()
{
	local o=$1 vmlinuz=$2 initrd=$3 cmdline=$4
	shift 4
	mkdir -p "$o"
	sb_fetch
	sb_vars "$o/vars.fd" "$@"
	sb_esp "$o/esp.img" "$vmlinuz" "$initrd" "$cmdline"
	sb_qemu_args "$o/vars.fd" "$o/esp.img"
}

# sb_sign_tool KVER: the kernel's sign-file (installed headers, else the
# matching linux-kbuild package).
sb_sign_tool()
{
	local kver=$1 t
	for t in "/usr/src/linux-headers-$kver/scripts/sign-file" \
		"/lib/modules/$kver/build/scripts/sign-file"; do
		[[ -x $t ]] && { echo "$t"; return 0; }
	done
	t=$(ls -d /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null | sort -V | tail -1)
	[[ -n $t ]] || die "no scripts/sign-file for $kver (install its headers: tests/vm/deps)"
	echo "$t"
}

# sb_sign_file KVER KEY CERT KO...: append a module signature (sha256) made
# with KEY/CERT to each KO, in place, as DKMS does with its MOK.
sb_sign_file()
{
	local kver=$1 key=$2 cert=$3 tool ko
	shift 3
	tool=$(sb_sign_tool "$kver")
	for ko; do
		"$tool" sha256 "$key" "$cert" "$ko" || die "sign-file $ko"
		sb_is_signed "$ko" || die "sign-file left $ko unsigned"
	done
}

# sb_is_signed KO: KO ends with the module signature marker.
sb_is_signed()
{
	[[ $(tail -c 28 "$1" | tr -d '\0') == '~Module signature appended~' ]]
}

# sb_dkms_mok DIR: a MOK pair as DKMS keeps it (DIR/mok.key: PEM private
# key, DIR/mok.pub: DER certificate), plus DIR/mok.pem to enroll (sb_vars,
# sb_boot). Pre-seeded as /var/lib/dkms/mok.{key,pub}, DKMS signs the
# modules it builds with it instead of generating its own. Kept if present.
sb_dkms_mok()
{
	local d=$1
	[[ -f $d/mok.key && -f $d/mok.pub && -f $d/mok.pem ]] && return 0
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
		-subj "/CN=ipe-test-dkms-mok/O=ipe-lkm tests" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,digitalSignature,keyCertSign" \
		-addext "extendedKeyUsage=codeSigning" \
		-keyout "$d/mok.key" -out "$d/mok.pem" 2>/dev/null || die "openssl req (DKMS MOK)"
	openssl x509 -in "$d/mok.pem" -outform der -out "$d/mok.pub" || die "openssl x509 (DKMS MOK)"
}
