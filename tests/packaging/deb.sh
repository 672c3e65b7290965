#!/bin/bash
# SPDX-License-Identifier: MIT
# Debian packaging: 'make deb' builds ipe-lkm-dkms and ipectl, lintian has
# no error or warning, each package holds what it should (the DKMS source
# tree exactly); make deb DEB_HOST_ARCH=arm64 gives an arm64 ipectl
# (AArch64 ELF, amd64's dependencies, lintian-clean); then on this host:
# dpkg -i both -> DKMS builds ipe_lkm for every kernel whose headers are
# installed, with /etc/ipe-lkm's build inputs compiled in; the initramfs hook and the boot-policy service do
# their job; dpkg --purge leaves no file behind.
#
# Usage: tests/packaging/deb.sh [--no-install]
#   --no-install   only build and inspect (no root needed)
# The host part needs root and a host without ipe-lkm-dkms/ipectl
# installed; it never touches /boot (update-initramfs is replaced by a
# recorder on PATH) and removes every file it adds.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
OUT=$TOP/build/deb
VERSION=$(cat VERSION)
install=1
[ "${1:-}" = --no-install ] && install=0

T=$(mktemp -d)
made_etc=0 made_mok=0
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '  %s\n' "$@"; }
# check NAME CMD...: PASS if CMD succeeds
check() {
	local name=$1
	shift
	if "$@" >"$T/out" 2>&1; then ok "$name"; else ko "$name" "$(tail -n 20 "$T/out")"; fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

cleanup() {
	if [ "$install" -eq 1 ] && [ "$(id -u)" -eq 0 ]; then
		for p in ipe-lkm-dkms ipectl; do
			if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then
				PATH=$T/fakebin:$PATH dpkg --purge "$p" >/dev/null 2>&1 || true
			fi
		done
	fi
	[ "$made_etc" -eq 1 ] && rm -rf /etc/ipe-lkm
	rm -rf "$T"
}
trap cleanup EXIT

# dpkg, waiting up to 10 minutes for another apt/dpkg to finish.
dpkg_wait() {
	local i rc
	for i in $(seq 1 60); do
		rc=0
		"$@" >"$T/dpkg.log" 2>&1 || rc=$?
		if [ "$rc" -ne 0 ] && grep -q 'lock' "$T/dpkg.log" &&
			! grep -q 'ipe' "$T/dpkg.log"; then
			sleep 10
			continue
		fi
		return "$rc"
	done
	return 1
}

# ---- build -----------------------------------------------------------------
start=$(date +%s)
if make -s deb >"$T/make.log" 2>&1; then
	ok "make deb ($(($(date +%s) - start)) s)"
else
	ko "make deb" "$(tail -n 30 "$T/make.log")"
	finish
fi
DKMS_DEB=$OUT/ipe-lkm-dkms_${VERSION}_all.deb
CTL_DEB=$(ls "$OUT"/ipectl_"${VERSION}"_*.deb)
check "build/deb has exactly the two .debs" \
	test "$(ls "$OUT"/*.deb | wc -l)" -eq 2 -a -f "$DKMS_DEB" -a -f "$CTL_DEB"

if [ -s "$OUT/lintian.txt" ] && grep -Eq '^[EW]: ' "$OUT/lintian.txt"; then
	ko "lintian: no error or warning" "$(grep -E '^[EW]: ' "$OUT/lintian.txt")"
elif [ -f "$OUT/lintian.txt" ]; then
	ok "lintian: no error or warning"
else
	ko "lintian: no error or warning" "no $OUT/lintian.txt"
fi

chver=$(sed -n '1s/^ipe-lkm (\([^)]*\)).*/\1/p' packaging/debian/changelog)
dkver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
debver=$(dpkg-deb -f "$DKMS_DEB" Version)
check "VERSION = changelog = dkms.conf = .deb ($VERSION)" \
	test "$chver/$dkver/$debver" = "$VERSION/$VERSION/$VERSION"

# dkms builds for the architectures tests/vm boots, and no other
barch=$(sed -n 's/^BUILD_EXCLUSIVE_ARCH="\(.*\)"$/\1/p' dkms.conf)
# dkms_arch_ok ARCH...: dkms's test ([[ $arch =~ $BUILD_EXCLUSIVE_ARCH ]])
# takes each ARCH; with !, refuses each
dkms_arch_ok() {
	local want=0 a
	[ "$1" = ! ] && { want=1; shift; }
	for a in "$@"; do
		[[ $a =~ $barch ]] && [ "$want" -eq 1 ] && return 1
		[[ $a =~ $barch ]] || [ "$want" -eq 1 ] || return 1
	done
	return 0
}
check "dkms.conf: BUILD_EXCLUSIVE_ARCH takes x86_64 and aarch64, not i686, armv7l, ppc64le" \
	eval 'dkms_arch_ok x86_64 aarch64 && dkms_arch_ok ! i686 armv7l ppc64le aarch64_be'

# ---- contents --------------------------------------------------------------
dpkg-deb -c "$DKMS_DEB" | awk '{ print $1, $6 }' | sed 's| \./| /|' >"$T/dkms.list"
dpkg-deb -c "$CTL_DEB" | awk '{ print $1, $6 }' | sed 's| \./| /|' >"$T/ctl.list"

# The DKMS tree is exactly the module's build inputs.
src=/usr/src/ipe-lkm-$VERSION
{
	for f in VERSION dkms.conf LICENSES/* module/Kbuild module/Makefile \
		module/gen-inc.sh module/*.c module/*.h module/engine/*.c \
		module/engine/*.h module/host/*.c module/host/*.h; do
		echo "$src/$f"
	done
} | LC_ALL=C sort >"$T/want"
awk -v s="$src/" '$1 !~ /^d/ && index($2, s) == 1 { print $2 }' "$T/dkms.list" |
	LC_ALL=C sort >"$T/have"
if diff -u "$T/want" "$T/have" >"$T/diff"; then
	ok "DKMS source tree: exactly VERSION, dkms.conf, module/, module/engine/, LICENSES/"
else
	ko "DKMS source tree: exactly VERSION, dkms.conf, module/, module/engine/, LICENSES/" "$(cat "$T/diff")"
fi

# has LIST MODE PATH: the package lists PATH with that mode
has() { grep -qx -- "$2 $3" "$T/$1.list"; }
check "ipe-lkm-dkms: modules-load.d/ipe-lkm.conf" \
	has dkms -rw-r--r-- /usr/lib/modules-load.d/ipe-lkm.conf
check "ipe-lkm-dkms: executable initramfs hook hooks/ipe-lkm" \
	has dkms -rwxr-xr-x /usr/share/initramfs-tools/hooks/ipe-lkm
check "ipe-lkm-dkms: gen-inc.sh executable" \
	has dkms -rwxr-xr-x "$src/module/gen-inc.sh"
check "ipe-lkm-dkms: Depends on dkms" \
	grep -q '^Depends: .*dkms' <(dpkg-deb -f "$DKMS_DEB")
# the boot policy checker is a program built at DKMS time
check "ipe-lkm-dkms: Depends on libc6-dev" \
	grep -q '^Depends: .*libc6-dev' <(dpkg-deb -f "$DKMS_DEB")
check "ipe-lkm-dkms: Architecture all" \
	test "$(dpkg-deb -f "$DKMS_DEB" Architecture)" = all
check "ipectl: /usr/sbin/ipectl" has ctl -rwxr-xr-x /usr/sbin/ipectl
check "ipectl: ipectl(8)" has ctl -rw-r--r-- /usr/share/man/man8/ipectl.8.gz
check "ipectl: ipe-policy(5)" has ctl -rw-r--r-- /usr/share/man/man5/ipe-policy.5.gz
check "ipectl: bash completion" \
	has ctl -rw-r--r-- /usr/share/bash-completion/completions/ipectl
check "ipectl: ipe-policies.service and its script" \
	eval 'has ctl -rw-r--r-- /lib/systemd/system/ipe-policies.service &&
		has ctl -rwxr-xr-x /usr/libexec/ipectl/ipe-policies'
check "ipectl: ipe-lkm-rescan.service and the udev rule that starts it" \
	eval 'has ctl -rw-r--r-- /lib/systemd/system/ipe-lkm-rescan.service &&
		has ctl -rw-r--r-- /lib/udev/rules.d/60-ipe-lkm.rules'
check "ipe-lkm-dkms: kernel-check and the kernel hook after dkms's own" \
	eval 'has dkms -rwxr-xr-x /usr/lib/ipe-lkm/kernel-check &&
		has dkms -rwxr-xr-x /etc/kernel/postinst.d/dkms-ipe-lkm'
# run-parts (C collation) runs the hooks in this order: DKMS builds, we
# check, then the initramfs and the boot loader entry are made
check "the kernel hook sorts after dkms and before initramfs-tools, zz-update-grub" \
	test "$(printf '%s\n' zz-update-grub initramfs-tools dkms-ipe-lkm dkms | LC_ALL=C sort | tr '\n' ' ')" = \
	"dkms dkms-ipe-lkm initramfs-tools zz-update-grub "

dpkg-deb -x "$DKMS_DEB" "$T/dkms-root"
dpkg-deb -x "$CTL_DEB" "$T/ctl-root"
check "modules-load.d loads ipe_lkm" \
	grep -qx ipe_lkm "$T/dkms-root/usr/lib/modules-load.d/ipe-lkm.conf"
check "shipped dkms.conf passes the keys dir and the boot policy" \
	grep -q 'IPE_LKM_KEYS_DIR=/etc/ipe-lkm/keys IPE_LKM_BOOT_POLICY=' \
	"$T/dkms-root$src/dkms.conf"
check "ipectl binary runs and says $VERSION" \
	grep -q "$VERSION" <("$T/ctl-root/usr/sbin/ipectl" --version 2>&1)

# ---- arm64: make deb DEB_HOST_ARCH=arm64 (cross-built ipectl) --------------
# The same packages: ipe-lkm-dkms identical, ipectl for arm64 with the
# same dependencies (the same libraries' arm64 builds, multiarch).
OUT64=$TOP/build/deb-arm64
start=$(date +%s)
if make -s deb DEB_HOST_ARCH=arm64 >"$T/make64.log" 2>&1; then
	ok "make deb DEB_HOST_ARCH=arm64 ($(($(date +%s) - start)) s)"
	CTL64=$OUT64/ipectl_${VERSION}_arm64.deb
	check "build/deb-arm64 has exactly ipe-lkm-dkms (all) and ipectl (arm64)" \
		test "$(ls "$OUT64"/*.deb | wc -l)" -eq 2 -a \
		-f "$OUT64/ipe-lkm-dkms_${VERSION}_all.deb" -a -f "$CTL64"
	if grep -Eq '^[EW]: ' "$OUT64/lintian.txt"; then
		ko "arm64: lintian: no error or warning" "$(grep -E '^[EW]: ' "$OUT64/lintian.txt")"
	else
		ok "arm64: lintian: no error or warning"
	fi
	check "arm64: ipectl's Architecture is arm64" \
		test "$(dpkg-deb -f "$CTL64" Architecture)" = arm64
	check "arm64: ipectl's Depends are amd64's (libc6, libssl3, libkmod2, ...)" \
		test "$(dpkg-deb -f "$CTL64" Depends)" = "$(dpkg-deb -f "$CTL_DEB" Depends)"
	check "arm64: ipe-lkm-dkms holds what build/deb's does" \
		test "$(dpkg-deb -c "$OUT64/ipe-lkm-dkms_${VERSION}_all.deb" | awk '{ print $1, $3, $6 }')" = \
		"$(dpkg-deb -c "$DKMS_DEB" | awk '{ print $1, $3, $6 }')"
	dpkg-deb -x "$CTL64" "$T/ctl64-root"
	check "arm64: /usr/sbin/ipectl is a 64-bit AArch64 ELF" \
		eval "readelf -h '$T/ctl64-root/usr/sbin/ipectl' >'$T/elf' &&
			grep -Eq 'Class: +ELF64' '$T/elf' &&
			grep -Eq 'Machine: +AArch64' '$T/elf'"
	if grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
		check "arm64: ipectl runs (qemu-user) and says $VERSION" \
			grep -q "ipectl $VERSION" <("$T/ctl64-root/usr/sbin/ipectl" --version 2>&1)
	else
		echo "SKIP arm64: ipectl runs (no qemu-aarch64 binfmt: tests/vm/deps)"
	fi
else
	ko "make deb DEB_HOST_ARCH=arm64" "$(tail -n 30 "$T/make64.log")"
fi

# ipe-policies with a recording ipectl: deploys every signed format that is
# not loaded yet, skips what is, activates the named policy (names after
# --), and fails loudly (exit 1, error priority for the journal) when a
# policy cannot be deployed or activated or is not signed.
pol=$T/policies
mkdir -p "$pol" "$T/fakebin"
printf 'A' >"$pol/a.p7s"
printf 'B' >"$pol/b.p7s"
printf 'S' >"$pol/s.sig"
echo "site " >"$pol/active"
cat >"$T/fake-ipectl" <<EOF
#!/bin/sh
echo "\$*" >>"$T/ipectl.calls"
case \$1 in
list)
	echo "NAME VERSION ACTIVE SHA256(PKCS7)"
	echo "a 1.0.0 no $(printf A | sha256sum | cut -d' ' -f1)"
	echo "site 1.0.0 no (boot policy, unsigned)"
	;;
deploy) [ "\$2" = -- ] && [ "\$3" != "$pol/fail.p7s" ] ;;
activate) [ "\$2" = -- ] && [ "\$3" = site ] ;;
esac
EOF
chmod +x "$T/fake-ipectl"
policies() {
	: >"$T/ipectl.calls"
	IPE_POLICY_DIR=$pol IPECTL=$T/fake-ipectl \
		sh "$T/ctl-root/usr/libexec/ipectl/ipe-policies" >"$T/out" 2>&1
}
if policies && [ "$(grep -Ev '^(list|status)' "$T/ipectl.calls")" = "deploy -- $pol/b.p7s
deploy -- $pol/s.sig
activate -- site" ]; then
	ok "ipe-policies: deploys .p7s and .sig not loaded yet, activates 'active'"
else
	ko "ipe-policies: deploys .p7s and .sig not loaded yet, activates 'active'" "$(cat "$T/ipectl.calls" "$T/out")"
fi
printf 'F' >"$pol/fail.p7s"
if ! policies && grep -q "deploy -- $pol/fail.p7s" "$T/ipectl.calls" &&
	grep -q '^activate -- site' "$T/ipectl.calls"; then
	ok "ipe-policies: a failed deploy fails the unit, the rest still runs"
else
	ko "ipe-policies: a failed deploy fails the unit, the rest still runs" "$(cat "$T/ipectl.calls" "$T/out")"
fi
rm "$pol/fail.p7s"
echo "--help" >"$pol/active"
if ! policies && grep -qx -- 'activate -- --help' "$T/ipectl.calls" &&
	grep -q "cannot activate '--help'" "$T/out"; then
	ok "ipe-policies: an 'active' naming --help is a name, and fails the unit"
else
	ko "ipe-policies: an 'active' naming --help is a name, and fails the unit" "$(cat "$T/ipectl.calls" "$T/out")"
fi
echo site >"$pol/active"
printf 'P' >"$pol/plain.pol"
if ! policies && grep -q "plain.pol is a plain policy: sign it" "$T/out"; then
	ok "ipe-policies: a plain policy is an error, not skipped"
else
	ko "ipe-policies: a plain policy is an error, not skipped" "$(cat "$T/out")"
fi
if ! JOURNAL_STREAM=8:9 policies && grep -q '^<3>ipe-policies: .*plain.pol' "$T/out"; then
	ok "ipe-policies: errors at error priority under systemd"
else
	ko "ipe-policies: errors at error priority under systemd" "$(cat "$T/out")"
fi
rm "$pol/plain.pol"
# no enforcer on this boot: said first, at error priority, and the unit fails
cp "$T/fake-ipectl" "$T/fake-ipectl.ok"
cat >"$T/fake-ipectl" <<EOF
#!/bin/sh
echo "\$*" >>"$T/ipectl.calls"
[ "\$1" = status ] && { echo "ipectl: ERROR: NO IPE ENFORCEMENT on kernel X: the configured policies are not enforced: ipe_lkm is not installed" >&2; exit 2; }
exit 0
EOF
if ! JOURNAL_STREAM=8:9 policies && grep -qx '<3>ipe-policies: NO IPE ENFORCEMENT on kernel X: the configured policies are not enforced: ipe_lkm is not installed' "$T/out" &&
	! grep -q '^deploy' "$T/ipectl.calls"; then
	ok "ipe-policies: no enforcer is an error-priority failure, before any deploy"
else
	ko "ipe-policies: no enforcer is an error-priority failure, before any deploy" "$(cat "$T/ipectl.calls" "$T/out")"
fi
mv "$T/fake-ipectl.ok" "$T/fake-ipectl"
echo notes >"$pol/README"
if policies && grep -q "README ignored" "$T/out"; then
	ok "ipe-policies: another file is named, and ignored"
else
	ko "ipe-policies: another file is named, and ignored" "$(cat "$T/out")"
fi

# ---- the host: dpkg -i, DKMS, purge -----------------------------------------
if [ "$install" -eq 0 ]; then
	finish
fi
if [ "$(id -u)" -ne 0 ]; then
	ko "host install" "needs root (or pass --no-install)"
	finish
fi
for p in ipe-lkm-dkms ipectl; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then
		ko "host install" "$p is already installed on this host: not touching it"
		install=0
		finish
	fi
done

# Kernels DKMS should build for: headers installed, in dkms.conf's range.
kre=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$TOP/dkms.conf")
kernels=""
for d in /lib/modules/*/; do
	k=$(basename "$d")
	[ -e "$d/build/include" ] || continue
	[[ $k =~ $kre ]] || continue
	kernels="$kernels $k"
done
if [ -z "$kernels" ]; then
	ko "host install" "no kernel headers in dkms.conf's range ($kre) under /lib/modules/*/build"
	finish
fi

# What DKMS leaves that the host did not have: its MOK signing key, made at
# the first build, and depmod's files for kernels with only headers here.
# Removed after the purge so the host is as it was.
[ -e /var/lib/dkms/mok.key ] || made_mok=1
new_depmod=""
for k in $kernels; do
	[ -e "/lib/modules/$k/modules.dep" ] || new_depmod="$new_depmod $k"
done

# Build inputs in /etc/ipe-lkm, only if the host has none of its own.
if [ ! -e /etc/ipe-lkm ]; then
	made_etc=1
	mkdir -p /etc/ipe-lkm/keys
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/k.pem" \
		-subj "/CN=ipe-lkm deb test $$" -days 2 -outform DER \
		-out /etc/ipe-lkm/keys/debtest.der >/dev/null 2>&1
	printf 'policy_name=debtest_boot policy_version=0.0.1\nDEFAULT action=ALLOW\n' \
		>/etc/ipe-lkm/boot_policy.pol
fi

# update-initramfs is a recorder: the maintainer scripts' calls are checked,
# the host's /boot is left alone.
cat >"$T/fakebin/update-initramfs" <<EOF
#!/bin/sh
echo "\$*" >>"$T/uirf.calls"
EOF
chmod +x "$T/fakebin/update-initramfs"
: >"$T/uirf.calls"

start=$(date +%s)
if PATH=$T/fakebin:$PATH autoinstall_all_kernels=1 \
	dpkg_wait dpkg -i "$DKMS_DEB" "$CTL_DEB"; then
	ok "dpkg -i ipe-lkm-dkms ipectl ($(($(date +%s) - start)) s)"
else
	ko "dpkg -i ipe-lkm-dkms ipectl" "$(tail -n 40 "$T/dpkg.log")"
fi

dkms status ipe-lkm >"$T/status" 2>&1 || true
for k in $kernels; do
	if grep -q "^ipe-lkm/$VERSION, $k, x86_64: installed" "$T/status"; then
		ok "dkms status: installed for $k"
	else
		ko "dkms status: installed for $k" "$(cat "$T/status")"
	fi
	ko_file=$(ls /lib/modules/"$k"/updates/dkms/ipe_lkm.ko* 2>/dev/null | head -n 1)
	if [ -z "$ko_file" ]; then
		ko "$k: ipe_lkm.ko in updates/dkms" "missing"
		continue
	fi
	vm=$(modinfo -F vermagic "$ko_file")
	check "$k: module's vermagic and version" \
		test "${vm%% *}/$(modinfo -F version "$ko_file")" = "$k/$VERSION"
	if [ "$made_etc" -eq 1 ]; then
		case $ko_file in
		*.xz) xz -dc "$ko_file" >"$T/m.ko" ;;
		*.zst) zstd -qdc "$ko_file" >"$T/m.ko" ;;
		*) cp "$ko_file" "$T/m.ko" ;;
		esac
		strings "$T/m.ko" >"$T/m.strings"
		check "$k: /etc/ipe-lkm/keys/debtest.der and the boot policy compiled in" \
			eval "grep -qx debtest.der '$T/m.strings' &&
				grep -q 'policy_name=debtest_boot' '$T/m.strings'"
		# the hook, as mkinitramfs runs it
		h=$T/initrd-$k
		mkdir -p "$h/conf"
		check "$k: initramfs hook adds ipe_lkm and force-loads it" \
			eval "DESTDIR='$h' version='$k' verbose=n MODULESDIR=/lib/modules/$k \
				sh /usr/share/initramfs-tools/hooks/ipe-lkm &&
				test -n \"\$(find '$h' -name 'ipe_lkm.ko*')\" &&
				grep -qx ipe_lkm '$h/conf/modules'"
	fi
	# ipe_lkm.enforce=0 on the kernel command line reaches the module
	# through libkmod (modprobe, systemd-modules-load, the initramfs).
	echo "BOOT_IMAGE=/vmlinuz ro ipe_lkm.enforce=0 quiet" >"$T/cmdline"
	unshare -m sh -c "mount --bind $T/cmdline /proc/cmdline &&
		modprobe -S $k -n -v ipe_lkm" >"$T/modprobe" 2>&1 || true
	check "$k: modprobe passes ipe_lkm.enforce=0 from /proc/cmdline" \
		grep -Eq 'ipe_lkm\.ko[^ ]* enforce=0( |$)' "$T/modprobe"
done
if [ "$made_etc" -eq 1 ]; then
	check "postinst: update-initramfs -u -k all (a boot policy exists)" \
		grep -qx -- '-u -k all' "$T/uirf.calls"
	mv /etc/ipe-lkm/boot_policy.pol "$T/bp"
	h=$T/initrd-nobp
	mkdir -p "$h/conf"
	k=${kernels# }
	k=${k%% *}
	check "initramfs hook does nothing without a boot policy" \
		eval "DESTDIR='$h' version='$k' verbose=n MODULESDIR=/lib/modules/$k \
			sh /usr/share/initramfs-tools/hooks/ipe-lkm &&
			test -z \"\$(find '$h' -type f)\""
	mv "$T/bp" /etc/ipe-lkm/boot_policy.pol
fi
check "ipe-policies.service enabled (sysinit.target.wants)" \
	test -L /etc/systemd/system/sysinit.target.wants/ipe-policies.service

: >"$T/uirf.calls"
if PATH=$T/fakebin:$PATH dpkg_wait dpkg --purge ipe-lkm-dkms ipectl; then
	ok "dpkg --purge ipe-lkm-dkms ipectl"
else
	ko "dpkg --purge ipe-lkm-dkms ipectl" "$(tail -n 40 "$T/dpkg.log")"
fi
if [ "$made_etc" -eq 1 ]; then
	check "postrm: update-initramfs -u -k all (a boot policy exists)" \
		grep -qx -- '-u -k all' "$T/uirf.calls"
fi
left=$(ls -d /usr/src/ipe-lkm-* /var/lib/dkms/ipe-lkm \
	/lib/modules/*/updates/dkms/ipe_lkm.ko* /usr/lib/modules-load.d/ipe-lkm.conf \
	/usr/share/initramfs-tools/hooks/ipe-lkm /usr/sbin/ipectl \
	/usr/libexec/ipectl /lib/systemd/system/ipe-policies.service \
	/lib/systemd/system/ipe-lkm-rescan.service /lib/udev/rules.d/60-ipe-lkm.rules \
	/etc/systemd/system/sysinit.target.wants/ipe-policies.service 2>/dev/null || true)
if [ -z "$left" ]; then
	ok "purge leaves no file behind"
else
	ko "purge leaves no file behind" "$left"
fi
check "dkms knows no ipe-lkm any more" test -z "$(dkms status ipe-lkm 2>/dev/null)"
if [ "$made_mok" -eq 1 ]; then
	rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
fi
for k in $new_depmod; do
	# only if nothing but headers links and depmod output is there
	if [ -z "$(ls /lib/modules/"$k" | grep -Ev '^(build|source|modules\..*)$')" ]; then
		rm -f /lib/modules/"$k"/modules.*
	fi
done
finish
