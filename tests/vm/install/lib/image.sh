# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# tests/vm/install/lib/image.sh: the Debian 12 disk images of the install
# tier. Sourced by tests/vm/install/run (after tests/vm/lib/common.sh and
# tests/vm/lib/kernel.sh).
#
#   base_rootfs        debootstrap --variant=minbase + what a booted system
#                      and apt need, of the guest architecture (ARCH,
#                      lib/arch.sh: arm64's maintainer scripts run through
#                      qemu-user's binfmt). Cached, untouched, in
#                      $ICACHE/base-KEY/root, KEY hashing the package
#                      list and the archive's bookworm Release date (a point
#                      release makes a new base).
#   kernel_image NAME  a copy of the base, configured for the test (sources,
#                      fstab, network, the guest driver unit), with the stock
#                      kernel of NAME (bookworm|backports) installed by apt in
#                      a chroot (its own initrd, made by initramfs-tools) and
#                      the packages the guest will install downloaded into
#                      its apt cache; then an ext4 disk image (mkfs.ext4 -d).
#                      Cached in $ICACHE/NAME-KEY/ (KEY adds the kernel
#                      ABI package the metapackage names today and this file).
#
# Nothing here names a kernel ABI: the metapackage's dependency does.
# ICACHE (run sets it after arch_set): $CACHE/install, or
# $CACHE/install-arm64 for arm64 guests.

INSTALL_MIRROR=${INSTALL_MIRROR:-http://deb.debian.org/debian}
# What the guest needs besides minbase: an init, device nodes, modules, TLS
# roots for apt, fs-verity for the test's trusted/untrusted binaries.
BASE_PKGS=systemd-sysv,udev,kmod,ca-certificates,e2fsprogs,fsverity,initramfs-tools,zstd
# Downloaded into each image's apt cache so the guest's apt finds them there
# (the guest still resolves and installs them itself). The headers package of
# the image's kernel is added per kernel.
PREFETCH_PKGS="dkms libc6-dev openssl libssl3 libkmod2"
IMAGE_SIZE=${IMAGE_SIZE:-6G}

# root_ok DIR: refuse to touch anything but a real root tree of ours.
root_ok()
{
	[[ -n $1 && $1 != / && $1 == "$ICACHE"/* && -d $1/etc ]] ||
		die "refusing to work on root tree '$1'"
}

# chroot_run ROOT CMD...: CMD in ROOT with /proc, /sys and /dev, in a private
# mount namespace (nothing stays mounted on the host, even on failure).
chroot_run()
{
	local root=$1
	shift
	root_ok "$root"
	unshare --mount --propagation private -- sh -euc '
		r=$1; shift
		mount -t proc proc "$r/proc"
		mount -t sysfs sys "$r/sys"
		mount --rbind /dev "$r/dev"
		exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"' sh "$root" "$@"
}

# base_key: what the cached debootstrap output depends on.
base_key()
{
	local rel=/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease date
	date=$(sed -n 's/^Date: //p' "$rel" 2>/dev/null | head -1)
	[[ -n $date ]] || date=$(date +%Y-%m)
	printf '%s\n' "$BASE_PKGS" "$date" | sha256sum | cut -c1-12
}

# base_rootfs: sets BASE to the cached debootstrap output (never modified
# afterwards: each kernel image configures its own copy).
base_rootfs()
{
	local key d t0
	key=$(base_key)
	d=$ICACHE/base-$key
	BASE=$d/root
	[[ -f $d/.debootstrapped ]] && return 0
	command -v debootstrap >/dev/null || die "debootstrap missing: run tests/vm/deps"
	# older bases are superseded
	rm -rf "$ICACHE"/base-* && mkdir -p "$d"
	log "debootstrap --arch $ARCH bookworm (minbase + $BASE_PKGS)"
	t0=$SECONDS
	debootstrap --arch="$ARCH" --variant=minbase --include="$BASE_PKGS" bookworm "$BASE" "$INSTALL_MIRROR" \
		>"$d/debootstrap.log" 2>&1 ||
		{ tail -20 "$d/debootstrap.log" >&2; die "debootstrap failed (see $d/debootstrap.log)"; }
	timing "debootstrap" $((SECONDS - t0))
	touch "$d/.debootstrapped"
}

# rootfs_configure ROOT LOG: make a debootstrapped tree a bootable test
# machine: apt sources, fstab, network, the guest driver unit.
rootfs_configure()
{
	local r=$1 lg=$2
	root_ok "$r"
	# apt sources: the release, its updates and security, and backports
	# (NotAutomatic: used only through -t bookworm-backports).
	printf 'deb %s %s main\n' "$INSTALL_MIRROR" bookworm "$INSTALL_MIRROR" bookworm-updates \
		http://deb.debian.org/debian-security bookworm-security \
		"$INSTALL_MIRROR" bookworm-backports >"$r/etc/apt/sources.list"
	# keep downloaded packages (the guest installs from the prefetched cache)
	echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >"$r/etc/apt/apt.conf.d/10keep-debs"
	echo ipe-install >"$r/etc/hostname"
	printf '127.0.0.1 localhost\n127.0.1.1 ipe-install\n' >"$r/etc/hosts"
	echo 'LABEL=ipe-root / ext4 rw,errors=remount-ro 0 1' >"$r/etc/fstab"
	# initrd: the modules this (virtual) machine needs to mount its root, as
	# a cloud image does, instead of MODULES=most: much smaller, and
	# mkinitramfs (run again in the guest when a package adds a hook)
	# takes seconds instead of minutes under TCG
	mkdir -p "$r/etc/initramfs-tools/conf.d"
	echo 'MODULES=list' >"$r/etc/initramfs-tools/conf.d/ipe-install.conf"
	printf '%s\n' virtio_pci virtio_blk ext4 crc32c_generic >>"$r/etc/initramfs-tools/modules"
	# root without a password on the console (a throwaway test machine)
	chroot_run "$r" passwd -d root >>"$lg" 2>&1 || die "passwd -d root in the image"
	# network: DHCP from QEMU's user-mode network
	mkdir -p "$r/etc/systemd/network"
	printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n' >"$r/etc/systemd/network/80-dhcp.network"
	# the guest driver: runs the payload disk's script when the kernel
	# command line asks for it (ipetest.phase=N)
	cp "$INSTALL_DIR/guest/ipe-install-test.service" "$r/etc/systemd/system/"
	chroot_run "$r" systemctl enable systemd-networkd.service ipe-install-test.service \
		>>"$lg" 2>&1 || die "systemctl enable in the image"
	# nothing periodic in a test boot
	chroot_run "$r" systemctl mask apt-daily.timer apt-daily-upgrade.timer \
		e2scrub_all.timer e2scrub_reap.service fstrim.timer >>"$lg" 2>&1 || true
}

# kernel_abi_pkg NAME: the linux-image-<abi>-ARCH the metapackage of NAME
# depends on today (amd64: the host's apt lists, tests/vm/deps ran apt-get
# update; arm64: lib/arch.sh's arm64 view).
kernel_abi_pkg()
{
	local t
	t=$(apt_target "$1")
	arch_apt
	apt-cache "${ARCH_APT_OPTS[@]}" depends ${t:+-t "$t"} "linux-image-$ARCH" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

# kernel_image NAME: sets IMG (raw ext4 disk), IMG_VMLINUZ, IMG_INITRD and
# IMG_KVER for the cached image of kernel NAME, building it if needed.
kernel_image()
{
	local name=$1 target abipkg key d r t0 hdr lg
	target=$(apt_target "$name")
	abipkg=$(kernel_abi_pkg "$name")
	[[ -n $abipkg ]] || die "cannot resolve linux-image-$ARCH${target:+ (-t $target)} (run tests/vm/deps?)"
	base_rootfs
	# the image changes with the base, the kernel, this file and the unit
	key=$(printf '%s\n' "$(basename "$(dirname "$BASE")")" "$abipkg" "$PREFETCH_PKGS" "$IMAGE_SIZE" |
		cat - "${BASH_SOURCE[0]}" "$INSTALL_DIR/guest/ipe-install-test.service" |
		sha256sum | cut -c1-12)
	d=$ICACHE/$name-$key
	IMG=$d/disk.raw
	IMG_VMLINUZ=$d/vmlinuz
	IMG_INITRD=$d/initrd.img
	if [[ -f $d/.done ]]; then
		IMG_KVER=$(cat "$d/kver")
		return 0
	fi
	rm -rf "$ICACHE/$name"-* && mkdir -p "$d"
	t0=$SECONDS
	r=$d/root lg=$d/image.log
	: >"$lg"
	log "$name: configuring a copy of the base rootfs"
	cp -a "$BASE" "$r"
	rootfs_configure "$r" "$lg"
	log "$name: apt-get install ${target:+-t $target }linux-image-$ARCH ($abipkg) in the image"
	chroot_run "$r" apt-get update -q >>"$lg" 2>&1 ||
		{ tail -20 "$lg" >&2; die "$name: apt-get update in the image failed (see $lg)"; }
	chroot_run "$r" apt-get install -y -q --no-install-recommends ${target:+-t "$target"} \
		"linux-image-$ARCH" >>"$lg" 2>&1 ||
		{ tail -20 "$lg" >&2; die "$name: installing the kernel in the image failed (see $lg)"; }
	IMG_KVER=${abipkg#linux-image-}
	[[ -f $r/boot/vmlinuz-$IMG_KVER && -f $r/boot/initrd.img-$IMG_KVER ]] ||
		die "$name: the image has no /boot/vmlinuz-$IMG_KVER + initrd (archive moved? apt-get update)"
	# the guest installs these itself, from the cache filled here
	hdr=linux-headers-$IMG_KVER
	chroot_run "$r" apt-get install -y -q --no-install-recommends --download-only \
		${target:+-t "$target"} "$hdr" >>"$lg" 2>&1 ||
		{ tail -20 "$lg" >&2; die "$name: downloading $hdr failed (see $lg)"; }
	# shellcheck disable=SC2086
	chroot_run "$r" apt-get install -y -q --no-install-recommends --download-only \
		$PREFETCH_PKGS >>"$lg" 2>&1 ||
		{ tail -20 "$lg" >&2; die "$name: downloading $PREFETCH_PKGS failed (see $lg)"; }
	if [[ $name == bookworm && $ARCH == amd64 ]]; then
		# run --upgrade (amd64): the kernels the guest installs later, a cloud
		# kernel without its headers and the backports kernel with them
		chroot_run "$r" apt-get install -y -q --no-install-recommends --download-only \
			linux-image-cloud-amd64 >>"$lg" 2>&1 &&
			chroot_run "$r" apt-get install -y -q --no-install-recommends --download-only \
				-t bookworm-backports linux-image-amd64 linux-headers-amd64 >>"$lg" 2>&1 ||
			{ tail -20 "$lg" >&2; die "$name: downloading the --upgrade kernels failed (see $lg)"; }
	fi
	# the guest's resolver: QEMU user networking's DNS forwarder
	rm -f "$r/etc/resolv.conf"
	echo 'nameserver 10.0.2.3' >"$r/etc/resolv.conf"
	cp "$r/boot/vmlinuz-$IMG_KVER" "$IMG_VMLINUZ"
	cp "$r/boot/initrd.img-$IMG_KVER" "$IMG_INITRD"
	echo "$IMG_KVER" >"$d/kver"
	timing "$name image: kernel + prefetch" $((SECONDS - t0))
	t0=$SECONDS
	# -O verity: run --evaluate enables fs-verity on the system's files
	mkfs.ext4 -q -F -O verity -L ipe-root -d "$r" "$IMG" "$IMAGE_SIZE" >>"$lg" 2>&1 ||
		die "$name: mkfs.ext4 -d of the image failed"
	rm -rf "$r"
	timing "$name image: mkfs.ext4 -d" $((SECONDS - t0))
	touch "$d/.done"
}
