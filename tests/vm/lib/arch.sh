# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# tests/vm/lib/arch.sh: everything that differs between the guest
# architectures (tests/vm/run --arch amd64|arm64), in one place.  Sourced
# by lib/common.sh; amd64, the host's own, is the default.
#
# amd64 guests run what the host has (its apt, its gcc, its busybox, its
# openssl and their libraries).  arm64 guests get all of it from Debian's
# arm64 packages, through an apt configuration private to the cache (an
# arm64 view of bookworm and bookworm-backports; the host's sources and
# dpkg architectures stay untouched): the kernel, its headers (with the
# amd64 linux-kbuild of the same version as host tools), busybox-static and
# the libraries of the dynamically linked guest programs, unpacked into a
# sysroot.  Modules and helpers are cross-compiled (gcc-aarch64-linux-gnu).

ARCH_BUILD=$(dpkg --print-architecture 2>/dev/null || echo amd64)
# what the arm64 sysroot holds (ARCH_ARM64_DEBS): the guest's busybox, openssl and keyctl,
# and what ipectl links (with the libraries those need)
ARCH_ARM64_DEBS=(busybox-static openssl libssl3 libssl-dev keyutils libkeyutils1 libc6
	libkmod2 libkmod-dev libauparse0 libauparse-dev libaudit1 libaudit-dev libcap-ng0
	libsystemd0 libsystemd-dev libjson-c5 libjson-c-dev liblzma5 libzstd1 liblz4-1
	libgcrypt20 libgpg-error0 libcap2)

# arch_set ARCH: the variables of one guest architecture.
#   ARCH_TAG      suffix of per-architecture cache directories ("" on amd64)
#   ARCH_QEMU     QEMU and its CPU
#   ARCH_MACHINE  its machine (a direct kernel boot's; --secureboot has its own)
#   ARCH_CONSOLE  the kernel console
#   ARCH_CMDLINE  what every guest kernel's command line adds
#   ARCH_RES_DEV  the guest's end of the result channel (arch_res_args)
#   ARCH_FW_CODE, ARCH_FW_VARS  UEFI firmware and its vars template
#   ARCH_GNU      its GNU triplet (cross compilers' prefix, multiarch dir)
#   ARCH_CC       compiler of the guest programs
#   ARCH_KMAKE    make variables of a module build
#   ARCH_SYSROOT  where the guest's userspace comes from ("" = the host)
#   ARCH_BOOT_MODULES  modules the guest loads besides lib/initramfs.sh's
#   ARCH_SLOWDOWN how many times an amd64 guest's time a boot may take (run's
#                 default --timeout): TCG emulates arm64 about twice as
#                 slowly (a whole arm64 7.3 run: 62 min on a loaded host,
#                 past the 3600 s amd64 limit)
# OUT gets a subdirectory per foreign architecture.
# shellcheck disable=SC2034,SC2054  # used by run and the other lib/*.sh; commas are qemu's
arch_set()
{
	ARCH=$1
	OUT=${IPET_OUT:-$VM_DIR/out}
	case $ARCH in
	amd64)
		ARCH_TAG=""
		ARCH_QEMU=(qemu-system-x86_64 -cpu max)
		ARCH_MACHINE=(-machine q35)
		ARCH_CONSOLE=ttyS0,115200
		# On a loaded host a TCG guest's boot-time check of the
		# IO-APIC timer can see no ticks and panic ("IO-APIC + timer
		# doesn't work"); KVM guests skip it the same way
		ARCH_CMDLINE=no_timer_check
		ARCH_RES_DEV=/dev/ttyS1
		ARCH_FW_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
		ARCH_FW_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
		ARCH_GNU=x86_64-linux-gnu
		ARCH_CC=gcc
		ARCH_KMAKE=()
		ARCH_SYSROOT=""
		ARCH_BOOT_MODULES=""
		ARCH_SLOWDOWN=1
		;;
	arm64)
		ARCH_TAG=-arm64
		# pauth-impdef: TCG computes pointer authentication codes with
		# a cheap implementation-defined function instead of QARMA (the
		# architected one, costly to emulate; Debian's kernels sign
		# every return address)
		ARCH_QEMU=(qemu-system-aarch64 -cpu max,pauth-impdef=on)
		ARCH_MACHINE=(-machine virt)
		ARCH_CONSOLE=ttyAMA0
		ARCH_CMDLINE=""
		# virt has one UART: results go through a virtio console
		ARCH_RES_DEV=/dev/hvc0
		ARCH_FW_CODE=/usr/share/AAVMF/AAVMF_CODE.fd
		# The plain vars template is blank (the firmware formats it on
		# first boot), which virt-fw-vars cannot edit: the snakeoil one
		# without its Secure Boot keys (arch_fw_vars).
		ARCH_FW_VARS=/usr/share/AAVMF/AAVMF_VARS.snakeoil.fd
		ARCH_GNU=aarch64-linux-gnu
		ARCH_CC=$ARCH_GNU-gcc
		ARCH_KMAKE=(ARCH=arm64 "CROSS_COMPILE=$ARCH_GNU-")
		ARCH_SYSROOT=$CACHE/sysroot-arm64
		ARCH_BOOT_MODULES=virtio_console
		ARCH_SLOWDOWN=2
		OUT=$OUT/arm64
		;;
	*) die "unknown architecture '$1' (amd64|arm64)" ;;
	esac
	[[ $ARCH == "$ARCH_BUILD" || $ARCH == arm64 ]] ||
		die "--arch $ARCH on a $ARCH_BUILD host: not supported"
}

# arch_fw_vars OUT GUID CERT: a UEFI vars store for ARCH_FW_CODE with CERT
# in db (GUID its owner), Secure Boot off.
arch_fw_vars()
{
	local clear=()
	# no PK: setup mode, nothing verified; no snakeoil db
	[[ $ARCH == arm64 ]] && clear=(-d PK -d KEK -d db -d dbx --set-false SecureBootEnable)
	virt-fw-vars -i "$ARCH_FW_VARS" -o "$1" "${clear[@]}" --add-db "$2" "$3" >/dev/null 2>&1
}

# arch_res_args FILE: QEMU arguments of the result channel, written to
# FILE, in ARCH_RES_ARGS.
# shellcheck disable=SC2034,SC2054  # used by run; commas are qemu's
arch_res_args()
{
	case $ARCH in
	amd64) ARCH_RES_ARGS=(-serial "file:$1") ;;
	arm64) ARCH_RES_ARGS=(-device virtio-serial-pci -chardev "file,id=res,path=$1"
		-device virtconsole,chardev=res) ;;
	esac
}

# arch_apt [SUITE]: the apt-get (and apt-cache) options of the guest
# architecture's archive view of SUITE (default bookworm, with -updates,
# -security and -backports; another suite: lib/suite.sh's sources of it),
# in ARCH_APT_OPTS.  On amd64 bookworm is the host's own apt (no options);
# an arm64 view is a private configuration under $CACHE/apt-arm64 (another
# suite's: apt-arm64-SUITE) that also sees the build machine's
# architecture (linux-kbuild), its lists refreshed at most once a day.
arch_apt()
{
	local suite=${1:-bookworm} d=$CACHE/apt-arm64 a
	ARCH_APT_OPTS=()
	[[ $ARCH == arm64 ]] || return 0
	[[ $suite == bookworm ]] || d+=-$suite
	ARCH_APT_OPTS=(-o "Dir::Etc::sourcelist=$d/sources.list" -o Dir::Etc::sourceparts=/dev/null
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o "Dir::State::status=$d/status"
		-o Debug::NoLocking=1 -o APT::Architecture=arm64 -o APT::Architectures::=arm64
		-o "APT::Architectures::=$ARCH_BUILD")
	[[ -n $(find "$d/.updated" -mtime -1 2>/dev/null) ]] && return 0
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	: >"$d/status"
	a="arch=arm64,$ARCH_BUILD signed-by=/usr/share/keyrings/debian-archive-keyring.gpg"
	if [[ $suite == bookworm ]]; then
		cat <<EOF
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
deb http://deb.debian.org/debian bookworm-backports main
EOF
	else
		suite_sources "$suite"
	fi | sed "s|^deb |deb [$a] |" >"$d/sources.list"
	log "refreshing the arm64 package lists of $suite ($d)"
	apt-get -q "${ARCH_APT_OPTS[@]}" update >"$d/update.log" 2>&1 ||
		{ tail -5 "$d/update.log" >&2; die "apt-get update of the arm64 view of $suite failed"; }
	touch "$d/.updated"
}

# arch_headers_fix HROOT KHDR [AT]: the unpacked arm64 headers at KHDR
# point at /usr/src/...-common and /usr/lib/linux-kbuild-* by absolute
# paths (an installed system's): point them into HROOT, where the -common
# and the build machine's linux-kbuild of the same version are unpacked.
# AT is HROOT's path where the build runs (a suite chroot's, lib/suite.sh;
# default HROOT itself).
arch_headers_fix()
{
	local hroot=${3:-$1} k=$2 l t
	sed -i "s|/usr/src/|$hroot/usr/src/|g" "$k/Makefile"
	for l in "$k"/scripts "$k"/tools "$k"/*/; do
		[[ -L ${l%/} ]] || continue
		t=$(readlink "${l%/}")
		[[ $t == /usr/* ]] && ln -sfn "$hroot$t" "${l%/}"
	done
	return 0
}

# arch_cc_pkg KCONFIG: the Debian package of the cross compiler that builds
# modules for the guest architecture's kernel configured by KCONFIG (its
# headers' .config: the gcc major version it was built with), e.g.
# gcc-14-aarch64-linux-gnu.
arch_cc_pkg()
{
	local v
	v=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)$/\1/p' "$1")
	[[ -n $v ]] || die "no CONFIG_GCC_VERSION in $1"
	echo "gcc-$((v / 10000))-${ARCH_GNU//_/-}"
}

# arch_sysroot: unpack ARCH_ARM64_DEBS (bookworm's, arm64) into
# $ARCH_SYSROOT once.
arch_sysroot()
{
	local s=$ARCH_SYSROOT p deb
	[[ -z $s || -f $s/.done ]] && return 0
	arch_apt bookworm
	log "unpacking the arm64 userspace into $s"
	rm -rf "$s" && mkdir -p "$s/debs"
	(cd "$s/debs" && apt-get download -q "${ARCH_APT_OPTS[@]}" "${ARCH_ARM64_DEBS[@]}" >/dev/null 2>&1) ||
		die "apt-get download of the arm64 userspace failed"
	for p in "${ARCH_ARM64_DEBS[@]}"; do
		deb=("$s/debs/${p}"_*.deb)
		[[ -f ${deb[0]} ]] || die "no $p .deb in $s/debs"
		dpkg-deb -x "${deb[0]}" "$s"
	done
	# an installed system's absolute links (libfoo.so -> /lib/...), into
	# the sysroot
	find "$s" -type l -lname '/*' -print0 |
		while IFS= read -r -d '' l; do ln -sfn "$s$(readlink "$l")" "$l"; done
	touch "$s/.done"
}

# arch_busybox: the guest's static busybox.
arch_busybox()
{
	if [[ -z $ARCH_SYSROOT ]]; then
		echo /bin/busybox
	else
		arch_sysroot && echo "$ARCH_SYSROOT/bin/busybox"
	fi
}

# arch_needed FILE: the sysroot paths of the libraries FILE needs (and
# they need), its ELF interpreter first.
arch_needed()
{
	local s=$ARCH_SYSROOT todo=("$1") f lib d seen=" " found
	local dirs=("lib/$ARCH_GNU" "usr/lib/$ARCH_GNU")
	readelf -l "$1" | sed -n 's|.*Requesting program interpreter: /\(.*\)\]|\1|p'
	while [[ ${#todo[@]} -gt 0 ]]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for lib in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[[ $seen == *" $lib "* ]] && continue
			seen+="$lib "
			found=""
			for d in "${dirs[@]}"; do
				[[ -e $s/$d/$lib ]] && { found=$d/$lib; break; }
			done
			# the guest's own library, found through LD_LIBRARY_PATH
			[[ -z $found && $lib == libipetlib.so ]] && continue
			[[ -n $found ]] || die "$lib (needed by ${f##*/}) is not in $s: add its package to ARCH_ARM64_DEBS (lib/arch.sh)"
			echo "$found"
			todo+=("$s/$found")
		done
	done
}

# arch_copy_with_libs ROOT BIN...: copy_with_libs for the guest
# architecture.  On arm64 a BIN under the sysroot lands at its path inside
# it, any other at its own path.
arch_copy_with_libs()
{
	local root=$1 f lib dst
	shift
	if [[ -z $ARCH_SYSROOT ]]; then
		copy_with_libs "$root" "$@"
		return
	fi
	arch_sysroot
	for f in "$@"; do
		dst=${f#"$ARCH_SYSROOT"}
		install -D -m 0755 "$f" "$root$dst"
		for lib in $(arch_needed "$f"); do
			[[ -e $root/$lib ]] || install -D -m 0755 "$ARCH_SYSROOT/$lib" "$root/$lib"
		done
	done
}

# arch_bin NAME: a guest program of the userspace (openssl, keyctl).
arch_bin()
{
	local d
	[[ -z $ARCH_SYSROOT ]] && { echo "/usr/bin/$1"; return 0; }
	arch_sysroot
	for d in usr/bin bin usr/sbin sbin; do
		[[ -x $ARCH_SYSROOT/$d/$1 ]] && { echo "$ARCH_SYSROOT/$d/$1"; return 0; }
	done
	die "no $1 in $ARCH_SYSROOT"
}

# arch_ipectl: build ipectl for the guest architecture; prints the binary.
# On arm64: a copy of the sources, cross-compiled against the sysroot's
# libraries (their pkg-config files, seen through it).
arch_ipectl()
{
	local top=$VM_DIR/../.. b=$OUT/build/ipectl-src s=$ARCH_SYSROOT ml=$ARCH_GNU
	if [[ -z $s ]]; then
		make -s -C "$top/userspace/ipectl" >/dev/null || die "building ipectl"
		echo "$top/userspace/ipectl/ipectl"
		return
	fi
	arch_sysroot
	mkdir -p "$b"
	cp "$top/VERSION" "$b/"
	rm -rf "$b/module" "$b/userspace" && mkdir -p "$b/module"
	cp -a "$top/module/engine" "$top/module/host" "$b/module/"
	cp -a "$top/userspace" "$b/" && rm -f "$b/userspace/ipectl/ipectl"
	PKG_CONFIG_LIBDIR=$s/usr/lib/$ml/pkgconfig:$s/usr/share/pkgconfig PKG_CONFIG_SYSROOT_DIR=$s \
		CPPFLAGS="-I$s/usr/include -I$s/usr/include/$ml" \
		LDFLAGS="-L$s/usr/lib/$ml -L$s/lib/$ml -Wl,-rpath-link,$s/usr/lib/$ml -Wl,-rpath-link,$s/lib/$ml" \
		make -s -C "$b/userspace/ipectl" CC="$ARCH_CC" >"$b.log" 2>&1 ||
		{ tail -20 "$b.log" >&2; die "cross-building ipectl (see $b.log)"; }
	echo "$b/userspace/ipectl/ipectl"
}
