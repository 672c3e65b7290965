#!/bin/bash
# SPDX-License-Identifier: MIT
# dracut module of ipe-lkm-dkms: when the system has a boot policy
# (/etc/ipe-lkm/boot_policy.pol, compiled into ipe_lkm.ko by its DKMS
# build), put ipe_lkm.ko into the initramfs and load it before udev starts,
# so the policy holds before any volume is opened or the root filesystem
# mounted.  Without a boot policy the module is left out: it is then loaded
# from /usr/lib/modules-load.d.  Escape hatch: module_blacklist=ipe_lkm on
# the kernel command line.

# called by dracut
check() {
	[[ -f ${dracutsysrootdir-}/etc/ipe-lkm/boot_policy.pol ]] || return 1
	# DKMS skips kernels ipe-lkm does not support (dkms.conf
	# BUILD_EXCLUSIVE_*): their initramfs is built without it, with a
	# warning.  Whether such a kernel may boot at all is decided before
	# this, by kernel-install's 41-ipe-lkm.install (kernel-check).
	if [[ -z $(find "${srcmods:-/lib/modules/$kernel}" -name 'ipe_lkm.ko*' \
		-print -quit 2>/dev/null) ]]; then
		dwarn "ipe-lkm: /etc/ipe-lkm/boot_policy.pol exists but ipe_lkm is not built for $kernel (dkms status ipe-lkm): no early IPE in this initramfs"
		return 1
	fi
	return 0
}

# called by dracut
depends() {
	return 0
}

# called by dracut
installkernel() {
	# Whatever the hostonly setting: the module need not be loaded on the
	# build host.  -c: a module that is there but cannot be installed
	# fails the build.
	hostonly='' instmods -c ipe_lkm
}

# called by dracut
install() {
	# rd.driver.pre is loaded by dracut's pre-udev step, with or without
	# systemd in the initramfs (dracut's own force_drivers works this way).
	# shellcheck disable=SC2154 # initdir: set by dracut
	mkdir -p "${initdir}/etc/cmdline.d"
	echo "rd.driver.pre=ipe_lkm" >"${initdir}/etc/cmdline.d/90ipe-lkm.conf"
}
