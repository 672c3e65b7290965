#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/vm/install/guest/guest.sh: the install tier inside the Debian guest.
# Run by ipe-install-test.service from the payload disk (/run/ipetest).
# Phase 1 (first boot): apt installs the headers and our two packages, DKMS
# builds ipe_lkm, a signed policy is enforced. Phase 2 (second boot of the same
# disk): the module came up at boot; permissive; apt purge leaves nothing.
# Results: '@@RESULT name PASS|FAIL secs why' on RES_DEV (facts.env: ttyS1;
# arm64's virt: hvc0); everything else (commands, apt and dkms output) on
# LOG_DEV (ttyS2; hvc1). Powers off at the end.
set -uo pipefail

P=/run/ipetest
# shellcheck source=/dev/null
. "$P/facts.env"
RES=$RES_DEV
# virtio consoles appear when udev has loaded virtio_console
for _ in $(seq 60); do
	[[ -c $RES && -c $LOG_DEV ]] && break
	modprobe virtio_console 2>/dev/null
	sleep 1
done
exec >"$LOG_DEV" 2>&1
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

phase=$(sed -n 's/.*ipetest\.phase=\([0-9]*\).*/\1/p' /proc/cmdline)
kver=$(uname -r)
# What a phase leaves to the next ones (kernels chosen for them).
STATE=$P/state.env
# shellcheck source=/dev/null
[[ -f $STATE ]] && . "$STATE"
stop=""         # set when a step that the rest needs failed

# now_ms: milliseconds into $NOW (no fork: callers may be under a policy).
now_ms() { local t=${EPOCHREALTIME/./}; NOW=$((t / 1000)); }
secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }
say() { printf '@@OUT %s\n' "$*" >"$RES"; echo "== $*"; }
timing() { printf '@@TIME %s %s\n' "$1" "$2" >"$RES"; echo "== time $1 $2 s"; }

# step NAME FUNC: run FUNC (in this shell: steps build on each other) and
# report it. A failing step prints why on stdout's last "why:" line.
step()
{
	local name=$1 fn=$2 t0 rc
	if [[ -n $stop ]]; then
		printf '@@RESULT %s FAIL 0 not run: %s failed\n' "$name" "$stop" >"$RES"
		return 0
	fi
	echo "== step $name"
	now_ms; t0=$NOW
	WHY=""
	"$fn"
	rc=$?
	now_ms
	if [[ $rc -eq 0 ]]; then
		printf '@@RESULT %s PASS %s\n' "$name" "$(secs $((NOW - t0)))" >"$RES"
	else
		printf '@@RESULT %s FAIL %s %s\n' "$name" "$(secs $((NOW - t0)))" "${WHY:-rc $rc}" >"$RES"
		[[ ${CRITICAL:-1} == 1 ]] && stop=$name
	fi
	CRITICAL=1
}
fail() { WHY=$*; echo "FAIL: $*"; return 1; }

# tree: the module's securityfs directory (ipe on 6.1, ipe_lkm beside the
# built-in IPE on 6.12).
tree()
{
	local t
	t=$(cat /sys/module/ipe_lkm/parameters/tree 2>/dev/null) || return 1
	echo "/sys/kernel/security/$t"
}

# ---- phase 1 -------------------------------------------------------------

s_boot1()
{
	say "booted $kver (systemd $(systemctl is-system-running 2>/dev/null || true)), uptime $(cut -d' ' -f1 /proc/uptime) s"
	timing boot1-uptime "$(cut -d' ' -f1 /proc/uptime)"
	[[ $kver == "$EXPECT_KVER" ]] || fail "running $kver, expected $EXPECT_KVER"
}

s_network()
{
	# apt must be able to reach the archive from the guest
	local n
	for n in /sys/class/net/*; do say "interface ${n##*/}: $(cat "$n/operstate")"; done
	getent hosts deb.debian.org || fail "no DNS for deb.debian.org" || return 1
	timeout 20 bash -c 'exec 3<>/dev/tcp/deb.debian.org/80' || fail "no TCP to deb.debian.org:80"
}

# apt_get ARGS...: apt-get with the prefetched cache; if the archive moved
# since the image was made (404), update the lists once and retry.
apt_get()
{
	apt-get -y -q -o Dpkg::Use-Pty=0 "$@" && return 0
	echo "apt-get $* failed: apt-get update and retry"
	apt-get update -q && apt-get -y -q -o Dpkg::Use-Pty=0 "$@"
}

s_headers()
{
	local t0
	now_ms; t0=$NOW
	# shellcheck disable=SC2086
	apt_get install --no-install-recommends ${APT_TARGET:+-t $APT_TARGET} "linux-headers-$kver" ||
		fail "apt-get install linux-headers-$kver" || return 1
	now_ms; timing apt-headers "$(secs $((NOW - t0)))"
	[[ -e /lib/modules/$kver/build/Makefile ]] || fail "no /lib/modules/$kver/build after the headers install"
}

s_install()
{
	local t0 debs=() f
	if [[ $SECUREBOOT == 1 ]]; then
		# DKMS signs what it builds with its MOK key pair: pre-seed ours,
		# whose certificate the firmware holds as a MOK.
		mkdir -p /var/lib/dkms
		cp "$P/keys/test.key" /var/lib/dkms/mok.key
		cp "$P/keys/test.der" /var/lib/dkms/mok.pub
	fi
	# the policy-signing certificate (a leaf), trusted by embedding it at
	# DKMS build time (docs/install.md: /etc/ipe-lkm/keys)
	mkdir -p /etc/ipe-lkm/keys
	cp "$P/keys/signer.der" /etc/ipe-lkm/keys/ipe-install-signer.der
	for f in "$P"/debs/*.deb; do debs+=("$f"); done
	[[ ${#debs[@]} -eq 2 ]] || fail "expected 2 .debs on the payload, found ${#debs[@]}" || return 1
	now_ms; t0=$NOW
	apt_get install --no-install-recommends "${debs[@]}" ||
		fail "apt-get install ${debs[*]##*/}" || return 1
	now_ms; timing apt-install-debs "$(secs $((NOW - t0)))"
	dpkg -l ipe-lkm-dkms ipectl | grep -q '^ii  ipe-lkm-dkms' || fail "ipe-lkm-dkms not installed" || return 1
	dpkg -l ipe-lkm-dkms ipectl | grep -q '^ii  ipectl' || fail "ipectl not installed"
}

s_dkms()
{
	local st ko vm log b e
	st=$(dkms status ipe-lkm 2>/dev/null)
	echo "$st"
	say "dkms status: $st"
	# (fixed strings: kernel versions have '+' and '.')
	awk -F', ' -v k="$kver" -v m="$(uname -m)" '$1 ~ /^ipe-lkm\// && $2 == k && index($3, m ": installed") == 1 { ok = 1 }
		END { exit !ok }' <<<"$st" ||
		fail "dkms status has no installed ipe-lkm for $kver: $st" || return 1
	ko=$(modinfo -n ipe_lkm 2>/dev/null) || fail "modinfo ipe_lkm: not found" || return 1
	[[ $ko == /lib/modules/$kver/updates/dkms/ipe_lkm.ko* || $ko == /usr/lib/modules/$kver/updates/dkms/ipe_lkm.ko* ]] ||
		fail "modinfo -n ipe_lkm = $ko, not in updates/dkms of $kver" || return 1
	vm=$(modinfo -F vermagic ipe_lkm)
	[[ $vm == "$kver "* ]] || fail "vermagic '$vm' is not for $kver" || return 1
	say "module $ko, version $(modinfo -F version ipe_lkm), vermagic $vm"
	# the DKMS compile time: make.log is created when make starts and last
	# written when it ends (ext4 keeps the birth time)
	log=$(find /var/lib/dkms/ipe-lkm -name make.log 2>/dev/null | head -1)
	if [[ -n $log ]]; then
		read -r b e < <(stat -c '%W %Y' "$log")
		[[ $b -gt 0 ]] && timing dkms-build "$((e - b))"
	fi
	return 0
}

s_sb_boot()
{
	local l
	l=$(cat /sys/kernel/security/lockdown 2>/dev/null)
	say "lockdown: $l; $(dmesg | grep -m1 -i 'secure boot' || true)"
	[[ $l == *'[integrity]'* || $l == *'[confidentiality]'* ]] || fail "lockdown is '$l' (Secure Boot off?)" || return 1
	# (not dmesg | grep -q: grep's early exit fails dmesg under pipefail)
	dmesg >/root/dmesg-boot1.txt
	grep -q "X.509 cert .*ipe-install-test" /root/dmesg-boot1.txt || fail "the MOK certificate was not loaded by the kernel"
}

s_sb_module()
{
	local ko raw signer err
	signer=$(modinfo -F signer ipe_lkm)
	say "ipe_lkm signer: ${signer:-none}"
	[[ $signer == *ipe-install-test* ]] || fail "DKMS did not sign ipe_lkm with the MOK (signer '${signer}')" || return 1
	# the same module without its signature is refused under lockdown
	ko=$(modinfo -n ipe_lkm)
	raw=/root/ipe_lkm.ko
	case $ko in
	*.xz) xz -dc "$ko" >"$raw.signed" ;;
	*.zst) zstd -qdc "$ko" >"$raw.signed" ;;
	*.gz) gzip -dc "$ko" >"$raw.signed" ;;
	*) cp "$ko" "$raw.signed" ;;
	esac
	objcopy "$raw.signed" "$raw" || fail "objcopy" || return 1
	[[ $(tail -c 28 "$raw") != '~Module signature appended~' ]] || fail "could not strip the signature" || return 1
	if err=$(insmod "$raw" 2>&1); then
		rmmod ipe_lkm || true
		fail "an unsigned ipe_lkm loaded under Secure Boot"
		return 1
	fi
	say "unsigned copy refused: $err"
}

s_load()
{
	local t
	ipectl load || fail "ipectl load failed" || return 1
	[[ -d /sys/module/ipe_lkm ]] || fail "no /sys/module/ipe_lkm after ipectl load" || return 1
	t=$(tree) && [[ -d $t ]] || fail "no securityfs tree for ipe_lkm" || return 1
	say "loaded; tree $t; $(ipectl status 2>&1 | tr '\n' ' ')"
}

# sign NAME VERSION OUT KEY RULES...: a signed policy made with ipectl.
sign()
{
	local name=$1 ver=$2 out=$3 key=$4
	shift 4
	{
		echo "policy_name=$name policy_version=$ver"
		printf '%s\n' "$@"
	} >"/root/$name.pol"
	ipectl sign -k "$P/keys/$key.key" -c "$P/keys/$key.crt" -o "$out" --force "/root/$name.pol"
}

s_trust()
{
	local err
	# signed by a key the module does not trust: refused by the kernel
	sign ipe_install_other 0.0.1 /root/other.p7s other "DEFAULT action=ALLOW" ||
		fail "ipectl sign (other key)" || return 1
	if err=$(ipectl deploy /root/other.p7s 2>&1); then
		fail "a policy signed by an untrusted key was accepted"
		return 1
	fi
	say "untrusted signer refused: $err"
	# signed by the embedded certificate's key: accepted
	sign ipe_install_test 0.0.1 /root/test.p7s signer \
		"DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
		"op=EXECUTE fsverity_digest=sha256:$TRUSTED_DIGEST action=ALLOW" ||
		fail "ipectl sign (test key)" || return 1
	ipectl deploy /root/test.p7s || fail "the policy signed with the embedded certificate was refused" || return 1
	ipectl list
	ipectl list | grep -q ipe_install_test || fail "ipectl list does not show ipe_install_test"
}

# Secure Boot: a policy signed by DKMS's own MOK (its private key is on
# this machine, /var/lib/dkms/mok.key) is refused by the default trust,
# with a warning from ipectl, and accepted with upstream's trust.
s_trust_mok()
{
	local out
	printf 'policy_name=ipe_install_mok policy_version=0.0.1\nDEFAULT action=ALLOW\n' >/root/mok.pol
	ipectl sign -k /var/lib/dkms/mok.key -c /var/lib/dkms/mok.pub -o /root/mok.p7s --force /root/mok.pol ||
		fail "ipectl sign with DKMS's MOK" || return 1
	[[ $(cat /sys/module/ipe_lkm/parameters/trust) == embedded,builtin ]] ||
		fail "trust is '$(cat /sys/module/ipe_lkm/parameters/trust)', not the default" || return 1
	if out=$(ipectl deploy /root/mok.p7s 2>&1); then
		fail "a policy signed by DKMS's MOK was accepted with the default trust"
		return 1
	fi
	say "DKMS's MOK, default trust: $out"
	[[ $out == *"signed by DKMS's Machine Owner Key"* ]] || fail "ipectl deploy did not name DKMS's MOK" || return 1
	[[ $out == *ENOKEY* || $out == *"Required key not available"* ]] || fail "not refused as an unknown key: $out" || return 1
	ipectl unload || fail "ipectl unload" || return 1
	modprobe ipe_lkm trust=secondary,platform || fail "modprobe ipe_lkm trust=secondary,platform" || return 1
	ipectl deploy /root/mok.p7s || fail "refused with upstream's trust (secondary,platform)" || return 1
	say "DKMS's MOK, trust=secondary,platform: accepted ($(ipectl status | grep signers))"
	ipectl unload && ipectl load || fail "back to the default trust" || return 1
	[[ $(cat /sys/module/ipe_lkm/parameters/trust) == embedded,builtin ]] || fail "trust not back to the default"
}

s_enforce()
{
	local t d out rc_t rc_u rc_p
	t=$(tree) || fail "no tree" || return 1
	# fs-verity on the two binaries (the payload disk is ext4 -O verity)
	for f in trusted untrusted; do
		fsverity enable "$P/bin/busybox.$f" || fail "fsverity enable busybox.$f" || return 1
	done
	d=$(fsverity measure "$P/bin/busybox.trusted" | cut -d' ' -f1)
	[[ $d == "sha256:$TRUSTED_DIGEST" ]] || fail "trusted digest $d, host computed $TRUSTED_DIGEST" || return 1
	# baseline: both run before the policy
	"$P/bin/busybox.untrusted" true || fail "busybox.untrusted does not run without a policy" || return 1
	[[ $(cat "$t/enforce") == 1 ]] || fail "enforce is not 1 at load" || return 1
	ipectl activate ipe_install_test || fail "ipectl activate ipe_install_test" || return 1
	# From here until enforce is 0, every exec but the trusted binary is
	# denied (DEFAULT op=EXECUTE action=DENY): builtins only.
	out=$("$P/bin/busybox.trusted" echo trusted-ran)
	rc_t=$?
	"$P/bin/busybox.untrusted" true 2>/dev/null
	rc_u=$?
	echo 0 >"$t/enforce"
	"$P/bin/busybox.untrusted" true 2>/dev/null
	rc_p=$?
	say "enforcing: trusted rc $rc_t ('$out'), untrusted rc $rc_u; permissive: untrusted rc $rc_p"
	[[ $rc_t -eq 0 && $out == trusted-ran ]] || fail "trusted binary: rc $rc_t, output '$out'" || return 1
	[[ $rc_u -eq 126 ]] || fail "untrusted binary: rc $rc_u, expected 126 (EACCES)" || return 1
	[[ $rc_p -eq 0 ]] || fail "permissive: untrusted binary rc $rc_p, expected 0"
}

s_audit()
{
	local rec
	rec=$(dmesg | grep 'type=1420' | grep 'busybox.untrusted' | grep 'enforcing=1' | sed -n 1p)
	say "audit: ${rec:-none}"
	[[ -n $rec ]] || fail "no 1420 record for the denied exec of busybox.untrusted" || return 1
	[[ $rec == *'rule="DEFAULT op=EXECUTE action=DENY"'* ]] || fail "the 1420 record names another rule: $rec"
}

# Policies kept in /etc/ipe-lkm/policies are deployed and activated at
# every boot by ipectl's ipe-policies.service (securityfs forgets them).
s_persist()
{
	mkdir -p /etc/ipe-lkm/policies
	sign ipe_install_boot 0.0.1 /etc/ipe-lkm/policies/ipe_install_boot.p7s signer \
		"DEFAULT action=ALLOW" || fail "ipectl sign (boot policy)" || return 1
	# the format large policies need: an appended signature (.sig)
	{
		echo "policy_name=ipe_install_big policy_version=0.0.1"
		echo "DEFAULT action=ALLOW"
		echo "op=EXECUTE fsverity_digest=sha256:$TRUSTED_DIGEST action=ALLOW"
	} >/root/ipe_install_big.pol
	ipectl sign --appended -k "$P/keys/signer.key" -c "$P/keys/signer.crt" --force \
		-o /etc/ipe-lkm/policies/ipe_install_big.sig /root/ipe_install_big.pol ||
		fail "ipectl sign --appended" || return 1
	echo ipe_install_big >/etc/ipe-lkm/policies/active
	systemctl is-enabled ipe-policies.service >/dev/null ||
		fail "ipe-policies.service is not enabled"
}

# A dm-verity volume opened at every boot before systemd-modules-load loads
# ipe_lkm (ipe-install-dmv.service, ordered before it): the module can only
# learn its root hash from the rescan that the packages' udev rule and
# ipe-policies.service start (ipe-lkm-rescan.service).
s_dmv_boot()
{
	local d=/var/lib/ipe-install-dmv
	mkdir -p "$d"
	cp "$P/dmv/data.img" "$P/dmv/hash.img" "$d/" || fail "copying the dm-verity images" || return 1
	{
		echo '#!/bin/sh'
		echo 'set -eu'
		echo 'modprobe loop'
		echo 'modprobe dm-verity'
		echo "data=\$(losetup -f --show -r $d/data.img)"
		echo "hash=\$(losetup -f --show -r $d/hash.img)"
		echo '# no udev yet: dmsetup makes the node itself'
		echo "dmsetup --noudevsync --verifyudev create --readonly ipe_install_dmv --table \"0 $DMV_SECTORS verity 1 \$data \$hash 4096 4096 $DMV_BLOCKS 0 sha256 $DMV_ROOTHASH $DMV_SALT\""
		echo 'echo "ipe_install_dmv opened; ipe_lkm $(test -d /sys/module/ipe_lkm && echo loaded || echo "not loaded")"'
	} >/usr/local/sbin/ipe-install-dmv
	chmod 0755 /usr/local/sbin/ipe-install-dmv
	printf '%s\n' '[Unit]' \
		'Description=ipe-lkm install tier: a dm-verity volume opened before modules-load.d' \
		'DefaultDependencies=no' \
		'Before=systemd-modules-load.service sysinit.target' \
		'[Service]' 'Type=oneshot' 'RemainAfterExit=yes' \
		'ExecStart=/usr/local/sbin/ipe-install-dmv' \
		'[Install]' 'WantedBy=sysinit.target' >/etc/systemd/system/ipe-install-dmv.service
	cat /usr/local/sbin/ipe-install-dmv /etc/systemd/system/ipe-install-dmv.service
	systemctl enable ipe-install-dmv.service || fail "systemctl enable ipe-install-dmv.service" || return 1
	if [[ $MASK_RESCAN == 1 ]]; then
		# the failure this tier must catch: no rescan after the load
		systemctl mask ipe-lkm-rescan.service
		say "MUTANT: ipe-lkm-rescan.service masked"
	fi
	return 0
}

# ---- phase 1, --upgrade: kernels installed with a policy configured -------

# etc_sum: everything under /etc/ipe-lkm, names and contents.
etc_sum() { (cd /etc/ipe-lkm && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum); }

abi_of() # [-t TARGET] METAPACKAGE: the kernel ABI package it depends on
{
	apt-cache depends "$@" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

# The configured policies applied now, enforcing, as on a machine in
# service when its next kernel arrives: ipectl status agrees with them.
s_policy_applied()
{
	local out
	systemctl start ipe-policies.service || fail "systemctl start ipe-policies" || return 1
	ipectl enforce on || fail "ipectl enforce on" || return 1
	out=$(ipectl status 2>&1) || fail "ipectl status: $out" || return 1
	say "$(tr '\n' ' ' <<<"$out")"
	[[ $out == *"active policy:  ipe_install_big 0.0.1"* && $out == *"enforce:        on"* ]] ||
		fail "ipe_install_big is not active and enforced"
}

# A kernel ipe_lkm cannot be built for (a cloud kernel, its headers not
# installed): the install fails with the reason and the ways out, and
# nothing of /etc/ipe-lkm changes.
s_kernel_refused()
{
	local abi before out rc st
	abi=$(abi_of linux-image-cloud-amd64)
	[[ -n $abi ]] || fail "cannot resolve linux-image-cloud-amd64" || return 1
	CLOUD_KVER=${abi#linux-image-}
	echo "CLOUD_KVER=$CLOUD_KVER" >>"$STATE"
	before=$(etc_sum)
	out=$(apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends linux-image-cloud-amd64 2>&1)
	rc=$?
	echo "$out"
	st=$(dpkg-query -W -f='${Status}' "$abi" 2>/dev/null)
	say "apt-get install linux-image-cloud-amd64 ($CLOUD_KVER, no headers): rc $rc; $abi: $st"
	grep -E '^ipe-lkm: (ERROR|but|and)' <<<"$out" | head -4 | while IFS= read -r l; do say "  $l"; done
	[[ $rc -ne 0 ]] || fail "apt-get installed a kernel nothing enforces on" || return 1
	grep -q "ERROR: kernel $CLOUD_KVER would boot WITHOUT IPE ENFORCEMENT" <<<"$out" ||
		fail "apt's output does not name the kernel" || return 1
	grep -q "its headers are not installed (linux-headers-$CLOUD_KVER)" <<<"$out" ||
		fail "apt's output does not give the reason" || return 1
	grep -q "allow-unenforced-kernels" <<<"$out" && grep -q "dkms autoinstall -k $CLOUD_KVER" <<<"$out" ||
		fail "apt's output does not give the ways out" || return 1
	[[ $st != "install ok installed" ]] || fail "$abi is configured anyway" || return 1
	[[ ! -e /boot/initrd.img-$CLOUD_KVER ]] || fail "an initramfs was made for the refused kernel" || return 1
	[[ $(etc_sum) == "$before" ]] || fail "/etc/ipe-lkm changed"
}

# The documented override, then dpkg finishes the install loudly.
s_kernel_override()
{
	local out rc
	echo "$CLOUD_KVER   # install tier: boots unenforced on purpose" >>/etc/ipe-lkm/allow-unenforced-kernels
	out=$(dpkg --configure -a 2>&1)
	rc=$?
	echo "$out"
	say "allow-unenforced-kernels + dpkg --configure -a: rc $rc; $(grep -m1 'WARNING: kernel' <<<"$out")"
	[[ $rc -eq 0 ]] || fail "dpkg --configure -a failed with the override" || return 1
	grep -q "WARNING: kernel $CLOUD_KVER will boot WITHOUT IPE ENFORCEMENT" <<<"$out" ||
		fail "no warning for the allowed kernel" || return 1
	[[ $(dpkg-query -W -f='${Status}' "linux-image-$CLOUD_KVER") == "install ok installed" ]] ||
		fail "linux-image-$CLOUD_KVER is not installed" || return 1
	[[ -s /boot/initrd.img-$CLOUD_KVER ]] || fail "no initramfs for $CLOUD_KVER"
}

# The upgrade to bookworm-backports' kernel, with its headers: DKMS builds
# ipe_lkm for it and the check lets it through.
s_kernel_upgrade()
{
	local abi out rc t0
	abi=$(abi_of -t bookworm-backports linux-image-amd64)
	[[ -n $abi ]] || fail "cannot resolve bookworm-backports' linux-image-amd64" || return 1
	NEW_KVER=${abi#linux-image-}
	echo "NEW_KVER=$NEW_KVER" >>"$STATE"
	now_ms; t0=$NOW
	out=$(apt_get install --no-install-recommends -t bookworm-backports linux-image-amd64 linux-headers-amd64 2>&1)
	rc=$?
	now_ms; timing apt-upgrade-kernel "$(secs $((NOW - t0)))"
	echo "$out"
	say "apt-get install -t bookworm-backports linux-image-amd64 linux-headers-amd64 ($NEW_KVER): rc $rc; $(grep -m1 "^ipe-lkm: kernel $NEW_KVER" <<<"$out")"
	[[ $rc -eq 0 ]] || fail "the kernel upgrade failed" || return 1
	dkms status ipe-lkm | grep -q "$NEW_KVER, x86_64: installed" ||
		fail "DKMS did not install ipe_lkm for $NEW_KVER: $(dkms status ipe-lkm | tr '\n' ' ')" || return 1
	grep -q "^ipe-lkm: kernel $NEW_KVER: ipe_lkm is installed" <<<"$out" ||
		fail "the kernel hook did not run after DKMS's" || return 1
	[[ -s /boot/initrd.img-$NEW_KVER ]] || fail "no initramfs for $NEW_KVER"
}

# ---- phase 1, --builtin-fallback (6.12, Secure Boot) -----------------------

# A policy signed by the MOK (the test key, enrolled): the kernel's .machine
# keyring holds it, and ipectl verify --keyrings says so; the embedded
# signer's policy is in none of the kernel's keyrings.
s_mok_policy()
{
	local d out rc
	d=$(fsverity measure "$P/bin/busybox.untrusted" | cut -d' ' -f1)
	[[ $d == sha256:* ]] || fail "fsverity measure busybox.untrusted: '$d'" || return 1
	sign ipe_install_mok 0.0.2 /etc/ipe-lkm/policies/ipe_install_mok.p7s test \
		"DEFAULT action=ALLOW" "op=EXECUTE fsverity_digest=$d action=DENY" ||
		fail "ipectl sign with the MOK" || return 1
	out=$(ipectl verify --keyrings /etc/ipe-lkm/policies/ipe_install_mok.p7s 2>&1)
	rc=$?
	say "verify --keyrings (MOK): rc $rc: $out"
	[[ $rc -eq 0 && $out == *"in the kernel's .machine keyring"* ]] ||
		fail "the MOK-signed policy is not found in .machine" || return 1
	out=$(ipectl verify --keyrings /etc/ipe-lkm/policies/ipe_install_boot.p7s 2>&1)
	rc=$?
	say "verify --keyrings (embedded signer): rc $rc"
	[[ $rc -eq 3 && $out == *"NOT IN THE KERNEL'S KEYRINGS"* ]] ||
		fail "the embedded signer's policy: rc $rc, '$out'"
}

# run_hooks: what the kernel package's postinst runs for this kernel.
run_hooks()
{
	run-parts --report --exit-on-error --arg="$kver" --arg="/boot/vmlinuz-$kver" /etc/kernel/postinst.d 2>&1
}

# ipe_lkm made unbuildable for this kernel (headers removed, module
# removed): the kernel's hooks refuse it while the active policy is an
# appended signature, warn while a policy's signer is outside the kernel's
# keyrings, and pass once the configuration is the MOK-signed policy.
s_hook_builtin()
{
	local out rc
	apt-get purge -y -q -o Dpkg::Use-Pty=0 "linux-headers-$kver" || fail "apt-get purge linux-headers-$kver" || return 1
	dkms remove "ipe-lkm/$(dpkg-query -W -f='${Version}' ipe-lkm-dkms)" -k "$kver" ||
		fail "dkms remove for $kver" || return 1
	[[ -z $(find "/lib/modules/$kver" -name 'ipe_lkm.ko*') ]] || fail "ipe_lkm is still installed for $kver" || return 1
	out=$(run_hooks)
	rc=$?
	echo "$out"
	say "hooks, active = ipe_install_big (.sig): rc $rc; $(grep -m1 'appended signature' <<<"$out")"
	[[ $rc -ne 0 && $out == *"the active policy 'ipe_install_big' is /etc/ipe-lkm/policies/ipe_install_big.sig, an appended signature"* ]] ||
		fail "the kernel's hooks did not refuse an appended active policy" || return 1
	rm -f /etc/ipe-lkm/policies/ipe_install_big.sig
	echo ipe_install_mok >/etc/ipe-lkm/policies/active
	out=$(run_hooks)
	rc=$?
	echo "$out"
	say "hooks, active = ipe_install_mok, ipe_install_boot signed by the embedded signer: rc $rc"
	[[ $rc -eq 0 && $out == *"its own IPE is active: ipe-policies.service will deploy"* &&
		$out == *"WARNING: kernel $kver's built-in IPE will likely REFUSE"*ipe_install_boot.p7s* ]] ||
		fail "no pass with a warning naming ipe_install_boot.p7s" || return 1
	[[ $out != *ipe_install_mok.p7s:* ]] || fail "the MOK-signed policy was warned about" || return 1
	rm -f /etc/ipe-lkm/policies/ipe_install_boot.p7s
	out=$(run_hooks)
	rc=$?
	echo "$out"
	say "hooks, only ipe_install_mok: rc $rc; $(grep -m1 'its own IPE' <<<"$out")"
	[[ $rc -eq 0 && $out != *WARNING* ]] || fail "rc $rc, or a warning for the MOK-signed policy"
}

# ---- phase 2 -------------------------------------------------------------

s_boot2()
{
	local how
	say "booted $kver again, uptime $(cut -d' ' -f1 /proc/uptime) s"
	timing boot2-uptime "$(cut -d' ' -f1 /proc/uptime)"
	[[ $kver == "${KVER2:-$EXPECT_KVER}" ]] || fail "running $kver, phase 1 chose ${KVER2:-$EXPECT_KVER}" || return 1
	[[ -d /sys/module/ipe_lkm ]] || fail "ipe_lkm is not loaded after the reboot" || return 1
	lsmod | grep '^ipe_lkm'
	how=$(journalctl -b -o cat -u systemd-modules-load.service 2>/dev/null | grep -i ipe_lkm || true)
	[[ -n $how ]] || how="(not in the journal of systemd-modules-load: initramfs?)"
	say "loaded at boot: $how"
	grep -rls ipe_lkm /etc/modules-load.d /usr/lib/modules-load.d /lib/modules-load.d 2>/dev/null |
		sed 's/^/modules-load: /'
	# the running module is DKMS's build for this kernel
	[[ $(cat /sys/module/ipe_lkm/srcversion 2>/dev/null) == "$(modinfo -F srcversion ipe_lkm)" ]] ||
		fail "the loaded ipe_lkm is not the installed one (srcversion)"
}

s_boot2_policies()
{
	local t st
	t=$(tree) || fail "no tree" || return 1
	st=$(systemctl is-active ipe-policies.service 2>&1)
	journalctl -b -o cat -u ipe-policies.service 2>/dev/null | tail -5
	[[ $st == active ]] || fail "ipe-policies.service is '$st'" || return 1
	[[ -d $t/policies/ipe_install_boot ]] ||
		fail "ipe_install_boot (.p7s) is not loaded after the reboot: $(ipectl list 2>&1 | tr '\n' ' ')" || return 1
	[[ $(cat "$t/policies/ipe_install_big/active" 2>/dev/null) == 1 ]] ||
		fail "ipe_install_big (.sig) is not the active policy after the reboot: $(ipectl list 2>&1 | tr '\n' ' ')" || return 1
	say "restored at boot: $(ipectl list 2>&1 | tr '\n' ' ')"
}

# An 'active' file whose content is an option is a name, and the unit fails
# loudly (error priority in the journal) when it cannot be activated.
s_boot2_active_option()
{
	local st err
	cp /etc/ipe-lkm/policies/active /root/active.saved
	printf '%s\n' --help >/etc/ipe-lkm/policies/active
	systemctl restart ipe-policies.service && fail "the unit succeeded with 'active' naming --help"
	st=$(systemctl is-active ipe-policies.service 2>&1)
	err=$(journalctl -b -o cat -p err -u ipe-policies.service 2>/dev/null | grep -F -- "cannot activate '--help'" | tail -1)
	cp /root/active.saved /etc/ipe-lkm/policies/active
	systemctl reset-failed ipe-policies.service 2>/dev/null
	say "'active' = --help: unit $st; journal (err): ${err:-none}"
	[[ $st == failed ]] || fail "the unit is '$st', not failed" || return 1
	[[ -n $err ]] || fail "no error-priority journal line names --help"
}

# The volume opened before the module: a DENY rule on its root hash denies
# a binary on it (the rescan told the module; without it, nothing matches).
s_boot2_dmverity()
{
	local t_dmv t_mod rec rc out
	dmsetup table ipe_install_dmv | grep -q ' verity ' ||
		fail "no dm-verity device ipe_install_dmv: $(systemctl status ipe-install-dmv.service 2>&1 | tail -5 | tr '\n' ' ')" || return 1
	t_dmv=$(systemctl show -P ActiveEnterTimestampMonotonic ipe-install-dmv.service)
	t_mod=$(systemctl show -P ExecMainStartTimestampMonotonic systemd-modules-load.service)
	journalctl -b -o cat -u ipe-install-dmv.service -u ipe-lkm-rescan.service 2>/dev/null | tail -8
	say "dm-verity volume open at ${t_dmv} us, modules-load.d started at ${t_mod} us; rescan: $(journalctl -b -o cat -u ipe-lkm-rescan.service 2>/dev/null | grep -m1 're-announced' || echo none)"
	[[ $t_dmv -gt 0 && $t_mod -gt 0 && $t_dmv -le $t_mod ]] ||
		fail "the volume was not opened before systemd-modules-load ($t_dmv vs $t_mod us)" || return 1
	mkdir -p /mnt/dmv && mount -o ro /dev/mapper/ipe_install_dmv /mnt/dmv || fail "mount the dm-verity volume" || return 1
	/mnt/dmv/busybox.dmv true || fail "busybox.dmv does not run without a DENY rule" || return 1
	sign ipe_install_dmv 0.0.1 /root/dmv.p7s signer "DEFAULT action=ALLOW" \
		"op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=DENY" || fail "ipectl sign" || return 1
	ipectl deploy --activate /root/dmv.p7s || fail "ipectl deploy --activate ipe_install_dmv" || return 1
	out=$(/mnt/dmv/busybox.dmv echo ran 2>&1)
	rc=$?
	ipectl activate ipe_install_big || fail "back to ipe_install_big" || return 1
	umount /mnt/dmv
	rec=$(dmesg | grep 'type=1420' | grep 'busybox.dmv' | grep 'action=DENY' | sed -n 1p)
	say "DENY dmverity_roothash on the volume opened before the load: rc $rc ('$out'); audit: ${rec:-none}"
	[[ $rc -eq 126 ]] || fail "busybox.dmv on the pre-load volume: rc $rc ('$out'), expected 126: the DENY rule on its root hash did not match" || return 1
	[[ $rec == *'rule="op=EXECUTE dmverity_roothash="sha256":'"${DMV_ROOTHASH^^}"' action=DENY"'* ]] || fail "the 1420 record does not name the dmverity_roothash rule: $rec" || return 1
	journalctl -b -o cat -u ipe-lkm-rescan.service 2>/dev/null | grep -Eq 're-announced to ipe_lkm: [1-9]' ||
		fail "ipe-lkm-rescan.service did not re-announce the volume"
}

s_remove()
{
	s_pinned && s_purge
}

s_pinned()
{
	local err
	# a policy is active and enforced: the module refuses to go
	sign ipe_install_allow 0.0.2 /root/allow.p7s signer "DEFAULT action=ALLOW" ||
		fail "ipectl sign" || return 1
	ipectl deploy --activate /root/allow.p7s || fail "ipectl deploy --activate" || return 1
	if err=$(rmmod ipe_lkm 2>&1); then
		fail "rmmod succeeded under an active enforced policy"
		return 1
	fi
	say "pinned while enforcing: $err"
	# the documented way out: permissive, then remove
	ipectl enforce off || fail "ipectl enforce off"
}

s_purge()
{
	local t0
	# the admin's files (s_persist, s_kernel_override), not the packages'
	rm -rf /etc/ipe-lkm/policies /etc/ipe-lkm/allow-unenforced-kernels
	now_ms; t0=$NOW
	apt-get purge -y -q -o Dpkg::Use-Pty=0 ipe-lkm-dkms ipectl || fail "apt-get purge ipe-lkm-dkms ipectl" || return 1
	now_ms; timing apt-purge "$(secs $((NOW - t0)))"
	say "after purge: /sys/module/ipe_lkm $([[ -d /sys/module/ipe_lkm ]] && echo present || echo absent)"
}

s_clean()
{
	local left
	left=$(
		find /lib/modules /usr/lib/modules -name 'ipe_lkm*' 2>/dev/null
		ls -d /usr/src/ipe-lkm-* /var/lib/dkms/ipe-lkm 2>/dev/null
		ls -d /usr/sbin/ipectl /usr/bin/ipectl /sbin/ipectl 2>/dev/null
		grep -rls ipe_lkm /etc/modules-load.d /usr/lib/modules-load.d /lib/modules-load.d \
			/etc/modprobe.d /usr/lib/modprobe.d 2>/dev/null
		find /etc/ipe-lkm -mindepth 1 -not -path '/etc/ipe-lkm/keys*' 2>/dev/null
		find /etc /usr/lib/systemd /lib/systemd -name 'ipe[-_]*' -not -path '/etc/ipe-lkm*' \
			-not -name 'ipe-install*' 2>/dev/null
		# every file the two packages shipped (listed on the host)
		while IFS= read -r f; do
			[[ -e $f || -L $f ]] && echo "$f"
		done <"$P/deb-files.txt"
		dpkg -l 2>/dev/null | awk '$2 ~ /^(ipe-lkm-dkms|ipectl)$/ { print "dpkg: " $1 " " $2 }'
		dkms status ipe-lkm 2>/dev/null
	)
	# /etc/ipe-lkm/keys/ipe-install-signer.der is ours (not the package's)
	echo "left: ${left:-nothing}"
	[[ -z $left ]] || fail "left after purge: ${left//$'\n'/ }"
}

# --upgrade: the new kernel runs ipe_lkm with the policies of before.
s_upgrade_enforced()
{
	local t out
	t=$(tree) || fail "no ipe_lkm tree" || return 1
	out=$(ipectl status 2>&1) || fail "ipectl status failed: $out" || return 1
	say "on $kver: $(tr '\n' ' ' <<<"$out")"
	[[ $t == /sys/kernel/security/ipe_lkm ]] || fail "ipe_lkm's tree is $t, not beside the built-in IPE" || return 1
	[[ $(cat "$t/enforce") == 1 ]] || fail "not enforcing" || return 1
	[[ $out == *"enforcer:       ipe_lkm (module)"* && $out == *"active policy:  ipe_install_big 0.0.1"* ]] ||
		fail "ipectl status does not show ipe_lkm enforcing ipe_install_big"
}

# --builtin-fallback: no ipe_lkm on this kernel; the built-in IPE took the
# MOK-signed policy at boot and enforces it.
s_builtin_enforces()
{
	local out rc_t rc_u rec
	[[ ! -d /sys/module/ipe_lkm ]] || fail "ipe_lkm is loaded" || return 1
	journalctl -b -o cat -u ipe-policies.service 2>/dev/null | tail -5
	out=$(ipectl status 2>&1) || fail "ipectl status: $out" || return 1
	say "$(tr '\n' ' ' <<<"$out")"
	[[ $out == *"enforcer:       built-in IPE (kernel)"* && $out == *"active policy:  ipe_install_mok 0.0.2"* &&
		$out == *"enforce:        on"* ]] || fail "the built-in IPE does not enforce ipe_install_mok" || return 1
	"$P/bin/busybox.trusted" true
	rc_t=$?
	"$P/bin/busybox.untrusted" true 2>/dev/null
	rc_u=$?
	rec=$(dmesg | grep 'type=1420' | grep 'busybox.untrusted' | grep 'action=DENY' | sed -n 1p)
	say "built-in IPE: trusted rc $rc_t, untrusted rc $rc_u; audit: ${rec:-none}"
	[[ $rc_t -eq 0 && $rc_u -eq 126 ]] || fail "trusted rc $rc_t, untrusted rc $rc_u (want 0, 126)" || return 1
	[[ $rec == *'ipe_op=EXECUTE'* && $rec == *'enforcing=1'* ]] || fail "no 1420 DENY record from the built-in IPE"
}

# ---- phase 3 (--upgrade): the kernel allowed to boot unenforced -----------

s_boot3()
{
	say "booted $kver, uptime $(cut -d' ' -f1 /proc/uptime) s"
	[[ $kver == "${KVER3:-}" ]] || fail "running $kver, phase 1 chose ${KVER3:-nothing}" || return 1
	[[ ! -d /sys/module/ipe_lkm ]] || fail "ipe_lkm is loaded on a kernel it was not built for"
}

# Where an administrator looks: the journal at error priority, the failed
# units, ipectl status.
s_unenforced_reported()
{
	local st failed err out rc
	st=$(systemctl is-active ipe-policies.service 2>&1)
	failed=$(systemctl --failed --plain --no-legend 2>/dev/null | awk '{ print $1 }' | tr '\n' ' ')
	err=$(journalctl -b -o cat -p err -u ipe-policies.service 2>/dev/null | grep -m1 'NO IPE ENFORCEMENT')
	out=$(ipectl status 2>&1)
	rc=$?
	say "ipe-policies: $st; systemctl --failed: $failed"
	say "journal (err): ${err:-none}"
	say "ipectl status: rc $rc; $(grep -m1 'ERROR' <<<"$out")"
	[[ $st == failed ]] || fail "ipe-policies.service is '$st', not failed" || return 1
	[[ " $failed " == *" ipe-policies.service "* ]] || fail "systemctl --failed does not list ipe-policies.service" || return 1
	[[ $err == *"NO IPE ENFORCEMENT on kernel $kver"* ]] || fail "no error-priority journal line names the missing enforcement" || return 1
	[[ $rc -eq 2 && $out == *"NO IPE ENFORCEMENT on kernel $kver: the configured policies are not enforced: ipe_lkm is not installed for this kernel"* ]] ||
		fail "ipectl status: rc $rc, '$out'"
}

# ---- --evaluate: the fleet evaluation loop (docs/evaluation.md) -----------
# ipe_lkm permissive under an evaluation policy that trusts nothing, the real
# auditd (and audisp-remote forwarding to a collecting auditd on loopback),
# a workload, `ipectl report`, `ipectl generate --from-report --enable`,
# the generated policy signed, deployed, enforced.

# The workload: dynamically linked programs of the system, each run twice,
# and an untrusted copy run once (it exists here, not on the golden image).
EVAL_BINS="/usr/bin/sort /usr/bin/md5sum /usr/bin/tac /usr/bin/openssl"
EVAL_COPY=/var/tmp/tac.copy
EVAL_LOG=/var/log/audit

# eval_run: the workload, with bash builtins only between the programs (any
# other program would be audited too).  Fails if one of them fails.
eval_run()
{
	local b i
	for i in 1 2; do
		for b in $EVAL_BINS; do
			case $b in
			*/openssl) "$b" version >/dev/null || return 1 ;;
			*) "$b" </etc/hostname >/dev/null || return 1 ;;
			esac
		done
	done
}

s_eval_auditd()
{
	local daemons p
	apt_get install --no-install-recommends auditd audispd-plugins jq ||
		fail "apt-get install auditd audispd-plugins jq" || return 1
	# this machine is node web1 to the collector; the collector is a second
	# auditd taking only network events (local_events = no) on port 60
	sed -i -e 's/^name_format = .*/name_format = user/' \
		-e 's/^##* *name = .*/name = web1/' /etc/audit/auditd.conf
	grep -q '^name = web1' /etc/audit/auditd.conf || echo 'name = web1' >>/etc/audit/auditd.conf
	sed -i 's/^active = .*/active = yes/' /etc/audit/plugins.d/au-remote.conf
	sed -i -e 's/^remote_server =.*/remote_server = 127.0.0.1/' \
		-e 's/^port = .*/port = 60/' /etc/audit/audisp-remote.conf
	mkdir -p /etc/audit-collector/plugins.d /var/log/audit-collector
	sed -e 's|^log_file = .*|log_file = /var/log/audit-collector/audit.log|' \
		-e 's/^##* *tcp_listen_port = .*/tcp_listen_port = 60/' \
		-e 's/^tcp_client_ports = .*/tcp_client_ports = 1-65535/' \
		-e 's/^name_format = .*/name_format = none/' \
		-e 's|^plugin_dir = .*|plugin_dir = /etc/audit-collector/plugins.d|' \
		/etc/audit/auditd.conf >/etc/audit-collector/auditd.conf
	grep -q '^tcp_listen_port = 60' /etc/audit-collector/auditd.conf ||
		echo 'tcp_listen_port = 60' >>/etc/audit-collector/auditd.conf
	grep -q '^tcp_client_ports' /etc/audit-collector/auditd.conf ||
		echo 'tcp_client_ports = 1-65535' >>/etc/audit-collector/auditd.conf
	printf 'local_events = no\ntcp_max_per_addr = 4\n' >>/etc/audit-collector/auditd.conf
	chmod 0640 /etc/audit-collector/auditd.conf
	# the machine's auditd first (systemd reads its pid file), then the
	# collector, which never talks to the kernel
	systemctl kill -s TERM auditd.service
	sleep 1
	systemctl start auditd.service || fail "auditd did not restart" || return 1
	auditd -c /etc/audit-collector || fail "the collecting auditd did not start" || return 1
	sleep 2
	# the daemons, as /proc has them (minbase has no pgrep)
	daemons=$(for p in /proc/[0-9]*; do
		[[ $(cat "$p/comm" 2>/dev/null) == auditd ]] && tr '\0' ' ' <"$p/cmdline" && echo
	done)
	say "auditd: $(systemctl is-active auditd) ($(auditctl -s | tr '\n' ' ')); daemons: $(echo $daemons)"
	auditctl -s | grep -q 'pid [1-9]' || fail "no audit daemon registered" || return 1
	[[ $daemons == *"auditd -c /etc/audit-collector"* ]] || fail "the collecting auditd is not running"
}

s_eval_permissive()
{
	local t
	ipectl load --permissive || fail "ipectl load --permissive" || return 1
	t=$(tree) || fail "no tree" || return 1
	[[ $(cat "$t/enforce") == 0 ]] || fail "enforce is not 0 after load --permissive" || return 1
	sign ipe_eval 0.0.1 /root/eval.p7s signer \
		"DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" ||
		fail "ipectl sign (evaluation policy)" || return 1
	ipectl deploy --activate /root/eval.p7s || fail "deploy the evaluation policy" || return 1
	cp /usr/bin/tac "$EVAL_COPY" && printf '\n' >>"$EVAL_COPY" || fail "the untrusted copy" || return 1
	say "permissive, evaluation policy active: $(ipectl status | tr '\n' ' ')"
}

s_eval_workload()
{
	local i
	# The window [T0, T1] holds the workload and nothing else this script
	# runs: whole seconds, waited for with builtins (sleep is a program).
	# An audit record's time is its syscall's entry time from the coarse
	# clock, up to a tick behind EPOCHREALTIME: the workload starts 200 ms
	# into T0, or its first exec could be stamped T0 - 1 and left out.
	now_ms; EVAL_T0=$((NOW / 1000 + 1))
	while now_ms; ((NOW < EVAL_T0 * 1000 + 200)); do :; done
	eval_run || fail "the workload failed in permissive mode" || return 1
	"$EVAL_COPY" </etc/hostname >/dev/null || fail "the untrusted copy failed in permissive mode" || return 1
	now_ms; EVAL_T1=$((NOW / 1000))
	while now_ms; ((NOW / 1000 < EVAL_T1 + 2)); do :; done
	# auditd writes asynchronously: wait for a marker sent after the workload
	auditctl -m "ipe-eval-workload-done" || fail "auditctl -m" || return 1
	for i in $(seq 50); do
		grep -q 'ipe-eval-workload-done' $EVAL_LOG/audit.log && break
		sleep 0.2
	done
	grep -q 'ipe-eval-workload-done' $EVAL_LOG/audit.log || fail "the marker never reached audit.log"
	printf 'EVAL_T0=%s\nEVAL_T1=%s\n' "$EVAL_T0" "$EVAL_T1" >>"$STATE"
}

# eval_expected: the files the workload maps for execution, one per line:
# the programs, the copy, and every library ld.so loads for them.
eval_expected()
{
	local b
	for b in $EVAL_BINS "$EVAL_COPY"; do
		echo "$b"
		ldd "$b" | sed -n 's|.*=> \(/[^ ]*\) .*|\1|p; s|^[[:space:]]*\(/[^ ]*\) .*|\1|p' |
			xargs -r readlink -f
	done | sort -u
}

s_eval_report()
{
	local r=/root/report.json want got b n
	ipectl report --json --since "@$EVAL_T0" --until "@$EVAL_T1" $EVAL_LOG >$r ||
		fail "ipectl report: rc $?" || return 1
	ipectl report --since "@$EVAL_T0" --until "@$EVAL_T1" $EVAL_LOG >/root/report.txt ||
		fail "ipectl report (text)" || return 1
	cat /root/report.txt
	say "report: $(jq -c .totals $r)"
	want=$(eval_expected)
	got=$(jq -r '.nodes[].accesses[] | select(.decision == "would-deny") | .path' $r | sort -u)
	if [[ $got != "$want" ]]; then
		say "would-deny files: $(echo $got)"
		say "expected:         $(echo $want)"
		fail "the report's would-be denials are not the workload's files" || return 1
	fi
	for b in $EVAL_BINS; do
		n=$(jq --arg p "$b" '[.nodes[].accesses[] | select(.path == $p and .hook == "BPRM_CHECK" and .decision == "would-deny" and .policy.name == "ipe_eval") | .count] | add' $r)
		[[ $n == 2 ]] || fail "$b: $n would-deny BPRM_CHECK with ipe_eval in force, expected 2" || return 1
	done
	n=$(jq --arg p "$EVAL_COPY" '[.nodes[].accesses[] | select(.path == $p and .hook == "BPRM_CHECK") | .count] | add' $r)
	[[ $n == 1 ]] || fail "$EVAL_COPY: $n BPRM_CHECK, expected 1" || return 1
	[[ $(jq -r '.nodes[0].node' $r) == web1 ]] || fail "node is '$(jq -r '.nodes[0].node' $r)', not web1" || return 1
	grep -q 'would-deny' /root/report.txt || fail "the text report shows no would-deny"
}

s_eval_generate()
{
	local rc out nrules nfiles
	rm -f "$EVAL_COPY"
	out=$(ipectl generate --from-report /root/report.json --enable \
		--name ipe_eval_gen --version 0.0.2 -o /root/gen.pol 2>&1)
	rc=$?
	echo "$out"
	cat /root/gen.pol
	# the copy is not on this (golden) machine: listed, and the policy
	# says it is incomplete (exit status 3)
	[[ $rc == 3 ]] || fail "ipectl generate: rc $rc, expected 3 (a file of the report is missing)" || return 1
	[[ $out == *"$EVAL_COPY"* ]] || fail "generate did not name the missing $EVAL_COPY" || return 1
	out=$(ipectl check /root/gen.pol 2>&1) || fail "ipectl check of the generated policy: $out" || return 1
	[[ $out != *warning* ]] || fail "ipectl check warns: $out" || return 1
	nrules=$(grep -c '^op=EXECUTE fsverity_digest=' /root/gen.pol)
	nfiles=$(eval_expected | grep -vxF "$EVAL_COPY" | xargs -n1 fsverity measure 2>/dev/null | cut -d' ' -f1 | sort -u | wc -l)
	say "generated: $nrules digest rules; the workload's files with fs-verity now: $nfiles distinct digests"
	[[ $nrules -gt 0 && $nrules == "$nfiles" ]] || fail "$nrules rules for $nfiles files"
}

s_eval_enforce()
{
	local t rc_w rc_u
	t=$(tree) || fail "no tree" || return 1
	ipectl sign -k "$P/keys/signer.key" -c "$P/keys/signer.crt" -o /root/gen.p7s --force /root/gen.pol ||
		fail "ipectl sign of the generated policy" || return 1
	ipectl deploy --activate /root/gen.p7s || fail "deploy the generated policy" || return 1
	# the copy again: a file the golden image never had
	cp /usr/bin/tac "$EVAL_COPY" && printf '\n' >>"$EVAL_COPY" || fail "the untrusted copy" || return 1
	echo 1 >"$t/enforce"
	eval_run
	rc_w=$?
	"$EVAL_COPY" </etc/hostname >/dev/null 2>&1
	rc_u=$?
	echo 0 >"$t/enforce"
	say "enforcing the generated policy: workload rc $rc_w, untrusted copy rc $rc_u"
	[[ $rc_w == 0 ]] || fail "the workload failed under the generated policy" || return 1
	[[ $rc_u == 126 ]] || fail "the untrusted copy: rc $rc_u, expected 126 (denied)"
}

# The collector got web1's records through audisp-remote; records of a
# second machine (the VM suite's 6.12 recording, payload rec/) are sent as
# node web2 by another audisp-remote.  The report on the collector keeps
# the two apart.
s_eval_collect()
{
	local r=/root/collector.json i n1 n2
	sed 's/^/node=web2 /' "$P/rec/web2.log" | timeout 30 /sbin/audisp-remote ||
		say "audisp-remote (web2) exited with $?"
	for i in $(seq 50); do
		grep -q '^node=web2 .*ipe_op=' /var/log/audit-collector/audit.log 2>/dev/null &&
			grep -q '^node=web1 .*ipe_op=' /var/log/audit-collector/audit.log && break
		sleep 0.2
	done
	ipectl report --json /var/log/audit-collector >$r || fail "ipectl report on the collector: rc $?" || return 1
	say "collector: $(jq -c '[.nodes[] | {node, accesses: (.accesses | length)}]' $r)"
	n1=$(jq --arg p "$EVAL_COPY" '[.nodes[] | select(.node == "web1") | .accesses[] | select(.path == $p and .hook == "BPRM_CHECK" and .decision == "denied")] | length' $r)
	n2=$(jq '[.nodes[] | select(.node == "web2") | .accesses[] | select(.path == "/untrusted/bin/ipet" and .hook == "BPRM_CHECK" and .decision == "would-deny") | .count] | add' $r)
	[[ $n1 -ge 1 ]] || fail "the collector's report has no denial of $EVAL_COPY for node web1" || return 1
	[[ $n2 == 3 ]] || fail "the collector's report: web2's would-deny execs of /untrusted/bin/ipet: $n2, expected 3"
}

finish()
{
	local n k
	# the next boots use this system's own kernels and initrds, as they
	# are now: this kernel again, or the ones a step chose (--upgrade)
	if [[ $phase == 1 ]]; then
		if [[ $SCENARIO == upgrade ]]; then
			printf 'KVER2=%s\nKVER3=%s\n' "${NEW_KVER:-}" "${CLOUD_KVER:-}" >>"$STATE"
		else
			printf 'KVER2=%s\n' "$kver" >>"$STATE"
		fi
		# shellcheck source=/dev/null
		. "$STATE"
		mkdir -p "$P/boot"
		for n in 2 3; do
			eval "k=\${KVER$n:-}"
			[[ -n $k ]] || continue
			cp "/boot/vmlinuz-$k" "$P/boot/phase$n.vmlinuz" &&
				cp "/boot/initrd.img-$k" "$P/boot/phase$n.initrd"
		done
		ls -l /boot "$P/boot"
	fi
	printf '@@DMESG-BEGIN\n' >"$RES"
	dmesg >"$RES"
	printf '@@DMESG-END\n@@END\n' >"$RES"
	sync
	systemctl --no-block poweroff
}

case $phase in
1)
	step boot1 s_boot1
	[[ $SECUREBOOT == 1 ]] && step sb-lockdown s_sb_boot
	CRITICAL=0 step network s_network
	step apt-headers s_headers
	step apt-install s_install
	step dkms s_dkms
	if [[ $SCENARIO == evaluate ]]; then
		step eval-auditd s_eval_auditd
		step eval-permissive s_eval_permissive
		step eval-workload s_eval_workload
		step eval-report s_eval_report
		step eval-generate s_eval_generate
		step eval-enforce s_eval_enforce
		CRITICAL=0 step eval-collect s_eval_collect
		finish
		exit 0
	fi
	[[ $SECUREBOOT == 1 ]] && step sb-module-signed s_sb_module
	step ipectl-load s_load
	[[ $SECUREBOOT == 1 ]] && step policy-trust-dkms-mok s_trust_mok
	step policy-trust s_trust
	step enforce s_enforce
	CRITICAL=0 step audit s_audit
	step persist s_persist
	CRITICAL=0 step dmverity-at-boot s_dmv_boot
	if [[ $SCENARIO == upgrade ]]; then
		step policy-applied s_policy_applied
		# the upgrade first: with -t bookworm-backports apt would also
		# move an installed cloud kernel to backports' (and the check
		# refuse that one: seen)
		step kernel-upgrade s_kernel_upgrade
		step kernel-refused s_kernel_refused
		CRITICAL=0 step kernel-override s_kernel_override
	elif [[ $SCENARIO == builtin ]]; then
		step mok-policy s_mok_policy
		step kernel-hook-builtin s_hook_builtin
	fi
	;;
2)
	if [[ $SCENARIO == builtin ]]; then
		step boot2-builtin-enforces s_builtin_enforces
		step apt-purge s_purge
		step no-leftovers s_clean
		finish
		exit 0
	fi
	step boot2-module-loaded s_boot2
	CRITICAL=0 step boot2-policies s_boot2_policies
	[[ $SCENARIO == upgrade ]] && CRITICAL=0 step boot2-upgrade-enforced s_upgrade_enforced
	CRITICAL=0 step boot2-active-option s_boot2_active_option
	CRITICAL=0 step boot2-dmverity-preload s_boot2_dmverity
	# --upgrade: boot 3 purges, on a kernel without the module
	[[ $SCENARIO == upgrade ]] && step boot2-pinned s_pinned
	if [[ $SCENARIO != upgrade ]]; then
		step apt-purge s_remove
		step no-leftovers s_clean
	fi
	;;
3)
	step boot3 s_boot3
	CRITICAL=0 step boot3-unenforced-reported s_unenforced_reported
	step apt-purge s_purge
	step no-leftovers s_clean
	;;
*)
	printf '@@RESULT phase FAIL 0 unknown ipetest.phase=%s\n' "$phase" >"$RES"
	;;
esac
finish
