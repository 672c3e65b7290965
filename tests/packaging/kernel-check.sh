#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/packaging/kernel-check.sh: packaging/kernel/kernel-check, the one
# decider behind the Debian kernel hook, the RPM kernel-install plugin and
# the initramfs hook, in a made-up root (IPE_LKM_ROOT): when policies are
# configured, a kernel nothing would enforce them on is refused (exit 1)
# with its reason and the ways out, unless listed in
# allow-unenforced-kernels; a kernel with ipe_lkm, or with an active
# built-in IPE that can take the signed policies, passes.  The real kernel
# installs are tests/vm/install's (--upgrade).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD
. tests/cli/lib.sh
CHECK=$TOP/packaging/kernel/kernel-check
make -s ipectl >/dev/null || { echo "FAIL make ipectl"; exit 1; }
export IPECTL=$TOP/userspace/ipectl/ipectl
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K=6.1.0-99-amd64

# fresh: an empty root with kernel $K installed (config, modules dir)
fresh()
{
	rm -rf "$T/r" && mkdir -p "$T/r/etc/ipe-lkm" "$T/r/boot" "$T/r/lib/modules/$K/kernel"
	printf 'CONFIG_SECURITYFS=y\nCONFIG_LSM="landlock,lockdown,yama,loadpin,safesetid,integrity,apparmor,selinux,smack,tomoyo,bpf"\n' \
		>"$T/r/boot/config-$K"
	mkdir -p "$T/r/usr/src/ipe-lkm-0.1.0"
	grep -v '^#' dkms.conf >"$T/r/usr/src/ipe-lkm-0.1.0/dkms.conf"
}
# run ARGS: kernel-check in the made-up root, its lines joined into one (the
# expected texts span lines)
run() { IPE_LKM_ROOT=$T/r "$CHECK" "$@" 2>&1 | tr '\n' ' '; return "${PIPESTATUS[0]}"; }
builtin_ipe()
{
	printf 'CONFIG_SECURITY_IPE=y\nCONFIG_LSM="landlock,lockdown,yama,loadpin,safesetid,integrity,apparmor,ipe,bpf"\n' \
		>"$T/r/boot/config-$K"
}
headers() { mkdir -p "$T/r/lib/modules/$K/build" && touch "$T/r/lib/modules/$K/build/Makefile"; }
module() { mkdir -p "$T/r/lib/modules/$K/updates/dkms" && touch "$T/r/lib/modules/$K/updates/dkms/ipe_lkm.ko.xz"; }
sign() # NAME OUT [--appended]
{
	printf 'policy_name=%s policy_version=0.0.1\nDEFAULT action=ALLOW\n' "$1" >"$T/$1.pol"
	"$IPECTL" sign ${3:-} -k "$T/keys/policy-signing.key" -c "$T/keys/policy-signing.crt" \
		--force -o "$2" "$T/$1.pol" >/dev/null 2>&1
}
mkdir "$T/keys" && "$IPECTL" keygen -d "$T/keys" --cn kernel-check-test >/dev/null 2>&1 ||
	{ echo "FAIL ipectl keygen"; exit 1; }

fresh
expect "nothing configured: any kernel passes, silently" 0 '^$' run "$K"
[ -z "$(run "$K")" ] && ok "... and prints nothing" || ko "... and prints nothing"
expect "usage" 2 "usage: kernel-check KVER" run ""

touch "$T/r/etc/ipe-lkm/boot_policy.pol"
expect "boot policy, no module, no headers: refused" 1 \
	"ERROR: kernel $K would boot WITHOUT IPE ENFORCEMENT.*boot_policy.pol.*its headers are not installed \(linux-headers-$K\).*it has no built-in IPE.*apt-get install linux-headers-$K.*dkms autoinstall -k $K.*allow-unenforced-kernels" \
	run "$K" /boot/vmlinuz-$K
headers
mkdir -p "$T/r/var/lib/dkms/ipe-lkm/0.1.0/build"
echo "error: x" >"$T/r/var/lib/dkms/ipe-lkm/0.1.0/build/make.log"
expect "headers, failed build: refused, naming DKMS's log" 1 \
	"DKMS did not build and install ipe_lkm for it: see /var/lib/dkms/ipe-lkm/0.1.0/build/make.log" run "$K"
expect "a kernel outside dkms.conf's range: refused as unsupported" 1 \
	"kernel 6.99.0-1-amd64 would boot.*ipe-lkm does not support it \(dkms.conf: BUILD_EXCLUSIVE_KERNEL=" \
	run 6.99.0-1-amd64
module
expect "ipe_lkm installed for the kernel: passes" 0 "ipe_lkm is installed \(/lib/modules/$K/updates/dkms/ipe_lkm.ko.xz\)" run "$K"

# policies ipe-policies would deploy count however they are named or linked
fresh
mkdir -p "$T/r/etc/ipe-lkm/policies" "$T/elsewhere"
echo x >"$T/elsewhere/site.p7s"
ln -s "$T/elsewhere/site.p7s" "$T/r/etc/ipe-lkm/policies/site.p7s"
expect "a policy that is a symbolic link is configuration" 1 "ERROR: kernel $K.*1 signed in" run "$K"
rm "$T/r/etc/ipe-lkm/policies/site.p7s"
echo x >"$T/r/etc/ipe-lkm/policies/.hidden.sig"
expect "a hidden policy is configuration" 1 "ERROR: kernel $K.*1 signed in" run "$K"
rm "$T/r/etc/ipe-lkm/policies/.hidden.sig"
echo x >"$T/r/etc/ipe-lkm/policies/site.pol"
echo site >"$T/r/etc/ipe-lkm/policies/active"
expect "a plain policy and 'active' alone configure nothing" 0 '^$' run "$K"

# the override: exact release, pattern, never a comment or an empty file
fresh
touch "$T/r/etc/ipe-lkm/boot_policy.pol"
printf '# 6.1.0-99-amd64\n\n' >"$T/r/etc/ipe-lkm/allow-unenforced-kernels"
expect "override: a commented line allows nothing" 1 "ERROR: kernel $K" run "$K"
printf '6.1.0-98-amd64\n' >"$T/r/etc/ipe-lkm/allow-unenforced-kernels"
expect "override: another release allows nothing" 1 "ERROR: kernel $K" run "$K"
printf '  %s   # lab machine\n' "$K" >"$T/r/etc/ipe-lkm/allow-unenforced-kernels"
expect "override: the exact release lets it through, loudly" 0 \
	"WARNING: kernel $K will boot WITHOUT IPE ENFORCEMENT.*Allowed by \"$K\" in .*allow-unenforced-kernels" run "$K"
printf '6.1.*\n' >"$T/r/etc/ipe-lkm/allow-unenforced-kernels"
expect "override: a shell pattern" 0 "Allowed by \"6.1.\*\"" run "$K"

# a kernel whose own IPE is active
fresh
builtin_ipe
touch "$T/r/etc/ipe-lkm/boot_policy.pol"
expect "built-in IPE, only a boot policy: refused (it lives in ipe_lkm)" 1 \
	"cannot take .*boot_policy.pol.*sign it into" run "$K"
mkdir -p "$T/r/etc/ipe-lkm/policies"
sign base "$T/r/etc/ipe-lkm/policies/base.p7s"
echo base >"$T/r/etc/ipe-lkm/policies/active"
expect "built-in IPE, signed active policy: passes, warns of the boot policy and of the signer" 0 \
	"its own IPE is active: ipe-policies.service will deploy.*not from the initramfs.*WARNING: kernel $K's built-in IPE will likely REFUSE.*base.p7s: NOT IN THE KERNEL'S KEYRINGS" \
	run "$K"
echo other >"$T/r/etc/ipe-lkm/policies/active"
expect "built-in IPE, 'active' names no policy there: refused" 1 "no signed policy in .* is named 'other'" run "$K"
sign big "$T/r/etc/ipe-lkm/policies/big.sig" --appended
echo big >"$T/r/etc/ipe-lkm/policies/active"
expect "built-in IPE, the active policy has an appended signature: refused" 1 \
	"the active policy 'big' is .*big.sig, an appended signature" run "$K"
echo base >"$T/r/etc/ipe-lkm/policies/active"
mkdir -p "$T/r/etc/default"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet lsm=landlock,lockdown,yama,apparmor,bpf"' >"$T/r/etc/default/grub"
expect "built-in IPE left out by GRUB's lsm=: refused" 1 "the boot loader's lsm=landlock,lockdown,yama,apparmor,bpf leaves its IPE out" run "$K"
echo 'GRUB_CMDLINE_LINUX="lsm=landlock,ipe"' >"$T/r/etc/default/grub"
expect "GRUB's lsm= that keeps ipe: passes" 0 "its own IPE is active" run "$K"
rm -f "$T/r/etc/default/grub"
IPECTL=/nonexistent/ipectl expect "built-in IPE, no ipectl to deploy: refused" 1 "ipectl, which deploys .* is not installed" run "$K"
rm -f "$T/r/etc/ipe-lkm/boot_policy.pol" "$T/r/etc/ipe-lkm/policies/active"
printf 'CONFIG_SECURITY_IPE=y\nCONFIG_LSM="landlock,lockdown,bpf"\n' >"$T/r/boot/config-$K"
expect "IPE built but not in CONFIG_LSM: refused" 1 "its IPE is built but not in its default LSM list" run "$K"
rm -f "$T/r/boot/config-$K"
expect "no config for the kernel: refused, cannot tell" 1 "its configuration .* is missing" run "$K"

# the wrappers: the RPM plugin acts on add only
expect "41-ipe-lkm.install: remove is not checked" 0 '^$' packaging/kernel/41-ipe-lkm.install remove "$K"

# RPM systems: kernel-install (systemd's, here 252) runs its plugins in
# order and stops at a failing one, so a refused kernel gets no initramfs
# (50-dracut) and no boot entry (90-loaderentry).  The real plugin, pointed
# at this tree's kernel-check in the made-up root; stand-ins for the others.
if command -v kernel-install >/dev/null; then
	fresh
	touch "$T/r/etc/ipe-lkm/boot_policy.pol"
	mkdir -p "$T/ki/boot" "$T/ki/plugins"
	for n in 40-dkms 50-dracut 90-loaderentry; do
		printf '#!/bin/sh\necho "ran %s"\n' "$n" >"$T/ki/plugins/$n.install"
	done
	sed "s|exec /usr/lib/ipe-lkm/kernel-check|IPE_LKM_ROOT=$T/r exec $CHECK|; s|\[ -x /usr/lib/ipe-lkm/kernel-check \]|true|" \
		packaging/kernel/41-ipe-lkm.install >"$T/ki/plugins/41-ipe-lkm.install"
	chmod +x "$T/ki/plugins"/*
	touch "$T/ki/vmlinuz"
	kinstall()
	{
		KERNEL_INSTALL_PLUGINS="$(ls -d "$T/ki/plugins"/* | tr '\n' ' ')" KERNEL_INSTALL_LAYOUT=other \
			BOOT_ROOT=$T/ki/boot KERNEL_INSTALL_MACHINE_ID=0123456789abcdef0123456789abcdef \
			kernel-install add "$K" "$T/ki/vmlinuz" 2>&1 | tr '\n' ' '
		return "${PIPESTATUS[0]}"
	}
	expect "kernel-install add: refused after 40-dkms, before 50-dracut" 1 \
		"ran 40-dkms .*ERROR: kernel $K would boot WITHOUT IPE ENFORCEMENT" kinstall
	[[ $(kinstall) != *"ran 50-dracut"* ]] && ok "kernel-install add: no initramfs, no boot entry for it" ||
		ko "kernel-install add: no initramfs, no boot entry for it" "$(kinstall)"
	echo "$K" >"$T/r/etc/ipe-lkm/allow-unenforced-kernels"
	expect "kernel-install add: the override lets the other plugins run" 0 \
		"WARNING: kernel $K will boot WITHOUT IPE ENFORCEMENT.*ran 50-dracut .*ran 90-loaderentry" kinstall
else
	echo "SKIP kernel-install (not installed)"
fi

# The boot report's last piece: `ipectl status` with configured policies and
# no enforcer (this host's kernel has no IPE and no ipe_lkm) exits 2 and
# says they are not enforced; with nothing configured, only that there is
# no tree.  securityfs is mounted in a private mount namespace.
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null && [ ! -d /sys/module/ipe_lkm ] &&
	! grep -qw ipe /sys/kernel/security/lsm 2>/dev/null; then
	status() # POLICY_DIR ARGS...
	{
		local d=$1
		shift
		local out rc
		# stdout, then stderr, on one line
		out=$(unshare -m sh -c 'mountpoint -q /sys/kernel/security || mount -t securityfs none /sys/kernel/security
			IPE_POLICY_DIR=$0 IPE_BOOT_POLICY=/nonexistent exec "$@"' "$d" "$IPECTL" status "$@" 2>"$T/err")
		rc=$?
		printf '%s %s' "$out" "$(cat "$T/err")" | tr '\n' ' '
		return $rc
	}
	mkdir -p "$T/conf"
	sign base "$T/conf/base.p7s"
	echo base >"$T/conf/active"
	expect "ipectl status, policies configured, no enforcer: exit 2, NOT enforced" 2 \
		"enforcer: +none configured: +1 signed in $T/conf, active base.*NO IPE ENFORCEMENT on kernel $(uname -r): the configured policies are not enforced: ipe_lkm is not installed for this kernel" \
		status "$T/conf"
	expect "ipectl status --json, no enforcer" 2 \
		'"enforcer":null,"problem":"ipe_lkm is not installed for this kernel .*"configured":\{"boot_policy":false,"signed_policies":1,"active":"base"\}' \
		status "$T/conf" --json
	expect "ipectl status, nothing configured, no enforcer: exit 2, no tree" 2 \
		"configured: +nothing .*no IPE policy tree on kernel $(uname -r): ipe_lkm is not installed" status "$T/none"
else
	echo "SKIP ipectl status without an enforcer (needs root, unshare, and a host without IPE)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
