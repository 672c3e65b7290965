# SPDX-License-Identifier: GPL-2.0
# tests/vm/lib/kernel.sh: resolve a stock Debian kernel through its metapackage
# and unpack it into the cache. Sourced by tests/vm/run.
#
# Nothing here names an ABI: the metapackage's Depends says which
# linux-image-<abi>-<arch> is current, and that is what we download.  The
# architecture is the guest's (lib/arch.sh: $ARCH, its apt view).

# The debug kernels (lib/debugkernel.sh): Debian's linux-source of a stock
# flavour, built with KASAN, lockdep & co.
[[ $(type -t dk_build) == function ]] || . "$VM_DIR/lib/debugkernel.sh"
# The kernels built in a chroot of their own suite (lib/suite.sh).
[[ $(type -t suite_chroot) == function ]] || . "$VM_DIR/lib/suite.sh"
# A build tree given by the caller (KBUILD_DIR=...) applies to stock kernels;
# a debug kernel brings its own.
KBUILD_DIR_USER=${KBUILD_DIR_USER-${KBUILD_DIR:-}}

# apt_target NAME: the apt -t argument for a kernel flavour name.
apt_target()
{
	case $1 in
	bookworm) echo "" ;;
	backports) echo "bookworm-backports" ;;
	*) die "unknown kernel '$1' (bookworm|backports|debug|debug-bpo)" ;;
	esac
}

# kernel_suite NAME: for a stock kernel of another Debian suite, the suite
# of its build chroot (lib/suite.sh): its headers ask for a compiler Debian
# 12 lacks (bullseye: gcc-10, trixie-backports' 7.x: gcc-14, sid: gcc-16
# at the time of writing).
# Fails for the host's own kernels.
kernel_suite()
{
	case $1 in
	bullseye) echo bullseye ;;
	trixie-bpo) echo trixie ;;
	sid) echo sid ;;
	*) return 1 ;;
	esac
}

# debug_flavour NAME: for a debug kernel name, the stock flavour it is built
# from (debug: bookworm's 6.1, debug-bpo: bookworm-backports' kernel).
debug_flavour()
{
	case $1 in
	debug) echo bookworm ;;
	debug-bpo) echo backports ;;
	*) return 1 ;;
	esac
}

# apt_fetch DIR PKG [TARGET [SUITE]]: apt-get download PKG into DIR (the
# guest architecture's package unless PKG says PKG:ARCH) from its archive
# view of SUITE (lib/arch.sh: arch_apt; default bookworm), print the .deb
# path.
apt_fetch()
{
	local dir=$1 pkg=$2 target=${3:-}
	mkdir -p "$dir"
	arch_apt "${4:-}"
	(cd "$dir" && apt-get download -q "${ARCH_APT_OPTS[@]}" ${target:+-t "$target"} "$pkg" >/dev/null 2>&1) ||
		die "apt-get download $pkg${target:+ -t $target} failed (run tests/vm/deps?)"
	newest_deb "$dir" "$pkg"
}

# meta_fetch DIR PKG [TARGET [SUITE]]: apt_fetch of the metapackage PKG.
# When the archive does not serve the version its lists name (arm64's
# bullseye-security: listed, 404), the newest older version of the same
# kernel series (5.10) that it serves, said loudly; never another series.
meta_fetch()
{
	local dir=$1 pkg=$2 target=${3:-} suite=${4:-} v cand series
	if (apt_fetch "$@" 2>/dev/null); then
		return 0
	fi
	arch_apt "$suite"
	cand=$(apt-cache "${ARCH_APT_OPTS[@]}" ${target:+-t "$target"} policy "$pkg" |
		sed -n 's/^ *Candidate: //p')
	series=$(sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p' <<<"$cand")
	[[ -n $series ]] || die "apt-get download $pkg${target:+ -t $target} failed (run tests/vm/deps?)"
	for v in $(apt-cache "${ARCH_APT_OPTS[@]}" madison "$pkg" | awk -F' *[|] *' '{ print $2 }'); do
		[[ $v == "$series".* ]] || continue
		dpkg --compare-versions "$v" lt "$cand" || continue
		(cd "$dir" && apt-get download -q "${ARCH_APT_OPTS[@]}" "$pkg=$v" >/dev/null 2>&1) || continue
		log "warning: the archive lists $pkg $cand but does not serve it: $v instead"
		newest_deb "$dir" "$pkg"
		return 0
	done
	die "apt-get download $pkg${target:+ -t $target} failed, nor an older $series (run tests/vm/deps?)"
}

# newest_deb DIR PKG: the newest .deb of PKG (or PKG=VERSION, PKG:ARCH:
# matched on the package part) in DIR; dies without one.
newest_deb()
{
	local deb
	deb=$(ls -t "$1/${2%%[=:]*}"_*.deb 2>/dev/null | head -1) || true
	[[ -n $deb ]] || die "no .deb for $2 in $1"
	echo "$deb"
}

# meta_dep DEB PREFIX: from a metapackage, the "pkg=version" it depends on
# whose name starts with PREFIX.
meta_dep()
{
	dpkg-deb -f "$1" Depends | tr ',' '\n' |
		sed -n "s/^ *\($2[^ ]*\) (= \([^)]*\)).*/\1=\2/p" | head -1
}

# kernel_fetch NAME: set KVER, KROOT (unpacked image package), VMLINUZ, KCONFIG,
# KPKG_VERSION, and KSUITE (the build chroot's suite for a kernel of another
# suite: lib/suite.sh; empty for bookworm's and backports'). Cached per
# package version under $CACHE/kernels/.
# For a debug kernel (debug, debug-bpo): build it or reuse the cached build
# (lib/debugkernel.sh), KPKG_VERSION is "<source version>-<config hash>" and
# KBUILD_DIR (exported) is its build tree, for module builds.
kernel_fetch()
{
	local name=$1 target="" meta img dir deb stock
	KSUITE=""
	if stock=$(debug_flavour "$name"); then
		dk_build "$stock"
		KVER=$DK_KVER
		KROOT=$DK_DIR/root
		VMLINUZ=$KROOT/boot/vmlinuz-$KVER
		KCONFIG=$KROOT/boot/config-$KVER
		KPKG_VERSION=$DK_VERSION
		[[ -f $VMLINUZ && -d $KROOT/lib/modules/$KVER && -f $KROOT/lib/modules/$KVER/modules.dep ]] ||
			die "debug kernel $DK_DIR is incomplete: remove it and retry"
		export KBUILD_DIR=$DK_DIR/build
		return 0
	fi
	if [[ -n $KBUILD_DIR_USER ]]; then
		export KBUILD_DIR=$KBUILD_DIR_USER
	else
		unset KBUILD_DIR
	fi
	dir=$CACHE/kernels$ARCH_TAG/$name
	mkdir -p "$dir/debs"
	KSUITE=$(kernel_suite "$name") || KSUITE=""
	if [[ -n $KSUITE && $ARCH == "$ARCH_BUILD" ]]; then
		# Another suite: its chroot's apt resolves the metapackage, so
		# the image always matches the headers installed there.  The
		# chroot refreshes its lists at most once a day; the metapackage
		# is fetched again whenever they are newer.
		suite_chroot "$KSUITE"
		meta=$(ls -t "$dir/debs"/linux-image-${ARCH}_*.deb 2>/dev/null | head -1) || true
		if [[ -z $meta || $SUITE_DIR/.refreshed -nt $meta ]]; then
			rm -f "$dir/debs"/linux-image-${ARCH}_*.deb
			meta=$(kpkg_fetch "$dir/debs" "linux-image-$ARCH")
			# apt may date the file by the archive's Last-Modified
			touch "$meta"
		fi
	else
		# The guest architecture's archive view of the suite
		# (lib/arch.sh): the host's apt for bookworm on amd64; another
		# suite's kernel for a foreign architecture comes from the
		# same view as its headers (headers_fetch).
		if [[ -n $KSUITE ]]; then
			target=$(suite_target "$KSUITE")
		else
			target=$(apt_target "$name")
		fi
		# Refresh the metapackage at most once per day; it is tiny.
		if [[ -z $(find "$dir/debs" -maxdepth 1 -name "linux-image-${ARCH}_*.deb" -mtime -1 2>/dev/null) ]]; then
			rm -f "$dir/debs"/linux-image-${ARCH}_*.deb
			meta=$(meta_fetch "$dir/debs" "linux-image-$ARCH" "$target" "$KSUITE")
		else
			meta=$(ls -t "$dir/debs"/linux-image-${ARCH}_*.deb | head -1)
		fi
	fi
	img=$(meta_dep "$meta" linux-image-)
	[[ -n $img ]] || die "cannot resolve the image package from $meta"
	local ipkg=${img%%=*} iver=${img#*=} dep
	KROOT=$dir/root-$ipkg-$iver
	if [[ ! -e $KROOT/.done ]]; then
		log "fetching $ipkg $iver"
		deb=$(kpkg_fetch "$dir/debs" "$img")
		rm -rf "$KROOT" && mkdir -p "$KROOT"
		dpkg-deb -x "$deb" "$KROOT"
		# 7.x: linux-image-KREL is a small package depending on
		# linux-binary-KREL (the vmlinuz, under /usr/lib/modules/KREL),
		# linux-modules-KREL and linux-base-KREL, all of its exact
		# version: unpack them too.  5.10/6.1/6.12 images pin no such
		# dependency.
		for dep in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
			sed -n 's/^ *\(linux-[^ ]*\) (= \([^)]*\)).*/\1=\2/p'); do
			log "fetching ${dep%%=*} ${dep#*=}"
			dpkg-deb -x "$(kpkg_fetch "$dir/debs" "$dep")" "$KROOT"
		done
		# Modules under /usr/lib/modules (7.x): give the tree the
		# merged-/usr layout of an installed system, lib -> usr/lib, so
		# that depmod -b, modprobe -d and lib/initramfs.sh find them at
		# $KROOT/lib/modules as for the older packages.
		if [[ -d $KROOT/usr/lib/modules && ! -L $KROOT/lib ]]; then
			if [[ -d $KROOT/lib ]]; then
				cp -al "$KROOT/lib/." "$KROOT/usr/lib/" && rm -rf "${KROOT:?}/lib"
			fi
			ln -s usr/lib "$KROOT/lib"
		fi
		[[ -d $KROOT/lib/modules ]] || die "no modules in $KROOT"
		# busybox insmod cannot read compressed modules: unpack them once.
		find "$KROOT/lib/modules/" \( -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) -print0 |
			xargs -0 -r -n 64 -P "$(nproc)" sh -c 'for f; do
				case $f in
				*.xz) xz -dc "$f" >"${f%.xz}" ;;
				*.zst) zstd -qdc "$f" >"${f%.zst}" ;;
				*.gz) gzip -dc "$f" >"${f%.gz}" ;;
				esac && rm -f "$f"; done' sh
		# 7.x ships no modules.dep at all: depmod makes every index
		depmod -b "$KROOT" "$(ls "$KROOT/lib/modules" | head -1)"
		touch "$KROOT/.done"
	fi
	KVER=$(ls "$KROOT/lib/modules" | head -1)
	# 6.1/6.12 (and 5.10) put the kernel and its config in /boot, 7.x
	# next to the modules
	VMLINUZ=$(kfile "$KROOT" "$KVER" vmlinuz) || die "no vmlinuz for $KVER in $KROOT"
	KCONFIG=$(kfile "$KROOT" "$KVER" config) || die "no kernel config for $KVER in $KROOT"
	KPKG_VERSION=$iver
	# A foreign architecture's modules build against its headers unpacked
	# in the cache (lib/arch.sh), never the host's; another suite's in
	# that suite's chroot (run: kbuild_dir, in_chroot).
	if [[ $ARCH != "$ARCH_BUILD" && -z $KBUILD_DIR_USER ]]; then
		headers_fetch "$name" "$(dpkg-deb -f "$meta" Version)"
		[[ -n $KSUITE ]] || export KBUILD_DIR=$KHEADERS
	fi
}

# kfile ROOT KVER NAME: ROOT/boot/NAME-KVER or ROOT/lib/modules/KVER/NAME,
# whichever the packages shipped.
kfile()
{
	local f
	for f in "$1/boot/$3-$2" "$1/lib/modules/$2/$3"; do
		[[ -f $f ]] && { echo "$f"; return 0; }
	done
	return 1
}

# kpkg_fetch DIR PKG [TARGET]: apt_fetch for the current kernel: through
# the chroot of $KSUITE when set (with that suite's target) on the build
# machine's architecture, else the guest architecture's view of $KSUITE
# (bookworm when unset: the host's apt on amd64).
kpkg_fetch()
{
	local dir=$1 pkg=$2
	if [[ -z ${KSUITE:-} || $ARCH != "$ARCH_BUILD" ]]; then
		apt_fetch "$dir" "$pkg" "${3:-}" "${KSUITE:-}"
		return
	fi
	suite_download "$KSUITE" "$dir" "$pkg"
	newest_deb "$dir" "$pkg"
}

# headers_fetch NAME [VERSION]: unpack the matching headers (for building
# the module; VERSION: the linux-headers-$ARCH metapackage's, that of the
# image's); sets KHEADERS (the -$ARCH build dir).  A kernel of another suite has them
# installed in its chroot: that directory.  With them: the -common part and
# linux-kbuild (the build machine's: its programs run here), of the same
# version; a foreign architecture's are pointed at them (arch_headers_fix).
# A foreign architecture's headers of another suite are unpacked into that
# suite's chroot (suite_hroot), where its cross compiler is installed
# (suite_foreign_headers): the module builds there.
headers_fetch()
{
	local name=$1 mv=${2:+=$2} target dir meta hdr deb dep suite="" hroot at=""
	if suite=$(kernel_suite "$name"); then
		suite_chroot "$suite"
		if [[ $ARCH == "$ARCH_BUILD" ]]; then
			KHEADERS=$SUITE_DIR/usr/src/linux-headers-$(suite_headers_kver "$suite")
			return 0
		fi
		target=$(suite_target "$suite")
	else
		suite=""
		target=$(apt_target "$name")
	fi
	dir=$CACHE/kernels$ARCH_TAG/$name
	rm -f "$dir/debs/linux-headers-${ARCH}"_*.deb
	meta=$(apt_fetch "$dir/debs" "linux-headers-$ARCH$mv" "$target" "$suite")
	hdr=$(meta_dep "$meta" linux-headers-)
	[[ -n $hdr ]] || die "cannot resolve the headers package from $meta"
	# one directory per version in the cache; one tree per chroot, its
	# .done naming the version
	hroot=$dir/headers-${hdr%%=*}-${hdr#*=}
	if [[ -n $suite ]]; then
		at=$(suite_hroot)
		hroot=$SUITE_DIR$at
	fi
	if [[ ! -e $hroot/.done || -n $suite && $(cat "$hroot/.done") != "$hdr" ]]; then
		log "fetching ${hdr%%=*} ${hdr#*=}"
		# another suite's: staged beside the chroot's tree, moved in
		# place at the end
		[[ -n $suite ]] && hroot+=.new.$$
		rm -rf "$hroot" && mkdir -p "$hroot"
		deb=$(apt_fetch "$dir/debs" "$hdr" "" "$suite")
		dpkg-deb -x "$deb" "$hroot"
		# The arch headers depend on -common and on linux-kbuild (whose
		# version 6.12's and 7.x's leave open, 5.10's only bounds below):
		# those of the headers' own version.
		for dep in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
			sed -n 's/^ *\(linux-\(headers-[^ ]*-common\|kbuild-[^ ]*\)\).*/\1/p'); do
			[[ $dep == linux-kbuild-* ]] && dep+=:$ARCH_BUILD
			dpkg-deb -x "$(apt_fetch "$dir/debs" "$dep=${hdr#*=}" "" "$suite")" "$hroot"
		done
		KHEADERS=$(ls -d "$hroot"/usr/src/linux-headers-*-"$ARCH" | head -1)
		[[ $ARCH == "$ARCH_BUILD" ]] || arch_headers_fix "$hroot" "$KHEADERS" "$at"
		echo "$hdr" >"$hroot/.done"
		if [[ -n $suite ]]; then
			suite_foreign_headers "$suite" "$hroot" "$(arch_cc_pkg "$KHEADERS/.config")"
			hroot=$SUITE_DIR$at
		fi
	fi
	KHEADERS=$(ls -d "$hroot"/usr/src/linux-headers-*-"$ARCH" | head -1)
}
