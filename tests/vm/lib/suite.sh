# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# tests/vm/lib/suite.sh: build chroots of other Debian suites (bullseye,
# trixie + trixie-backports, sid), for the stock kernels whose headers ask
# for a compiler Debian 12 does not have (5.10: gcc-10, trixie-backports'
# 7.x: gcc-14, sid's: gcc-16 at the time of writing; whatever the headers
# package depends on).
# Sourced by lib/kernel.sh.
#
# The host's apt sources never name those suites (a libc upgrade would
# follow): each suite gets a debootstrap --variant=minbase chroot of its own
# under $SUITE_ROOT/SUITE, whose apt resolves that suite's metapackages
# (linux-headers-amd64 installed in it, linux-image-amd64 downloaded through
# it), and the module is built inside it.  The chroot is made on first use
# (.done marks a finished one), its package lists and headers refreshed at
# most once a day, and rebuilt when it no longer runs.  /proc is mounted only
# around each command run inside it, in a mount namespace of its own, so
# nothing stays mounted on the host.  A foreign guest architecture's
# headers (lib/arch.sh, run --arch arm64) are unpacked into the chroot
# beside them, with the cross compiler they ask for (suite_foreign_headers).

SUITE_ROOT=${IPET_CHROOTS:-/var/cache/ipe-lkm/chroots}
SUITE_MIRROR=http://deb.debian.org/debian
SUITE_SECURITY=http://deb.debian.org/debian-security
# what the module build needs besides the headers (which bring the
# compiler and kbuild): make; binutils (trixie's gcc-14 depends only on the
# x86_64-linux-gnu-prefixed tools, and calls plain "as": without it every
# cc-option probe fails and the build dies on "Compiler does not support
# fentry?"); libc6-dev for the boot-policy checker the Kbuild builds as a
# host program; openssl, with which gen-inc.sh parses the embedded
# certificates.
SUITE_PACKAGES="make binutils libc6-dev openssl"

# suite_sources SUITE: the chroot's sources.list.  Security updates are
# where a stable suite's kernel moves on; trixie-backports needs trixie.
suite_sources()
{
	case $1 in
	bullseye | trixie)
		echo "deb $SUITE_MIRROR $1 main"
		echo "deb $SUITE_MIRROR $1-updates main"
		echo "deb $SUITE_SECURITY $1-security main"
		[[ $1 == trixie ]] && echo "deb $SUITE_MIRROR trixie-backports main"
		;;
	sid) echo "deb $SUITE_MIRROR sid main" ;;
	*) die "no chroot for suite '$1' (bullseye|trixie|sid)" ;;
	esac
	return 0
}

# suite_mounts DIR: the mount points at or below DIR (deepest first).
suite_mounts()
{
	awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

# suite_umount DIR: unmount whatever is left at or below DIR; dies if
# something stays (removing the tree would reach into the host's /proc or
# /dev otherwise).
suite_umount()
{
	local m
	for m in $(suite_mounts "$1"); do
		umount "$m" 2>/dev/null || umount -l "$m" || true
	done
	[[ -z $(suite_mounts "$1") ]] || die "cannot unmount $(suite_mounts "$1" | tr '\n' ' ')"
}

# suite_exec DIR CMD...: CMD run inside the chroot DIR with /proc (and a
# devpts instance, for apt's terminal log) mounted.
# The mounts live in a private mount namespace (unshare): it is gone when
# CMD ends, however it ends (even killed), and concurrent runs sharing the
# chroot never unmount each other's.  The host's resolv.conf is copied in
# first (it may have changed since).
suite_exec()
{
	local dir=$1
	shift
	cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
	# shellcheck disable=SC2016
	LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		unshare --mount --propagation private \
		sh -c 'mount -t proc proc "$0/proc" &&
			{ mount -t devpts -o newinstance,ptmxmode=0666 devpts "$0/dev/pts" 2>/dev/null || :; } &&
			exec chroot "$0" "$@"' "$dir" "$@"
}

# suite_apt_conf DIR: the chroot's apt settings: no recommends, no
# translations, and the host's network-related settings (proxies, the
# validity checks this machine's archive access needs turned off).
suite_apt_conf()
{
	{
		echo 'APT::Install-Recommends "false";'
		echo 'APT::Install-Suggests "false";'
		echo 'Acquire::Languages "none";'
		apt-config dump 2>/dev/null |
			grep -E '^Acquire::((http|https|ftp)::Proxy|Check-Valid-Until|Check-Date|Retries) ' || true
	} >"$1/etc/apt/apt.conf.d/99ipe-lkm"
}

# suite_target SUITE: the -t for the headers and the image of SUITE's
# chroot (7.x comes from trixie-backports).
suite_target()
{
	case $1 in
	trixie) echo trixie-backports ;;
	*) echo "" ;;
	esac
}

# suite_headers_install DIR SUITE: install (or move on to) the suite's
# current headers and the build tools.  The old headers, no longer needed
# by the metapackage, are removed: one build tree per chroot.
suite_headers_install()
{
	local dir=$1 suite=$2 t
	t=$(suite_target "$suite")
	# shellcheck disable=SC2086
	suite_exec "$dir" sh -c "apt-get update -q >/dev/null &&
		apt-get install -y -q ${t:+-t $t} linux-headers-amd64 $SUITE_PACKAGES >/dev/null &&
		apt-get autoremove --purge -y -q >/dev/null && apt-get clean" ||
		return 1
	# what was installed: a change to the list refreshes at once
	echo "$SUITE_PACKAGES" >"$dir/.refreshed"
}

# suite_ok DIR: the chroot is finished and still runs its tools.
suite_ok()
{
	[[ -e $1/.done && -x $1/usr/bin/make && -x $1/usr/bin/apt-get ]] &&
		ls -d "$1"/usr/src/linux-headers-*-amd64 >/dev/null 2>&1 &&
		chroot "$1" /bin/true 2>/dev/null
}

# suite_chroot SUITE: make sure SUITE's chroot exists, works and has been
# refreshed within a day; sets SUITE_DIR.  Parallel runs share the chroots:
# making or refreshing one holds SUITE.lock exclusively, a download or a
# build (suite_download, suite_make) shared, so that no refresh removes
# the headers under a build.
suite_chroot()
{
	local suite=$1 dir lk t0
	suite_sources "$suite" >/dev/null
	[[ $(id -u) -eq 0 ]] || die "the $suite chroot needs root (debootstrap, chroot, mount)"
	command -v debootstrap >/dev/null || die "debootstrap missing: run tests/vm/deps"
	dir=$SUITE_ROOT/$suite
	mkdir -p "$SUITE_ROOT"
	exec {lk}>"$SUITE_ROOT/$suite.lock"
	flock "$lk"
	if ! suite_ok "$dir"; then
		t0=$SECONDS
		log "making the $suite build chroot in $dir (debootstrap, minbase)"
		# Nothing here mounts outside a private namespace, but a chroot
		# used by hand may have something mounted: never remove a tree
		# across it.
		suite_umount "$dir"
		suite_umount "$dir.new"
		rm -rf --one-file-system "$dir" "$dir.new"
		# debootstrap mounts /proc and /sys in the target: in a namespace
		# of its own too
		unshare --mount --propagation private \
			debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
			"$suite" "$dir.new" "$SUITE_MIRROR" >"$SUITE_ROOT/$suite.log" 2>&1 ||
			{ tail -5 "$SUITE_ROOT/$suite.log" >&2
			  die "debootstrap $suite failed (see $SUITE_ROOT/$suite.log)"; }
		suite_sources "$suite" >"$dir.new/etc/apt/sources.list"
		suite_apt_conf "$dir.new"
		suite_headers_install "$dir.new" "$suite" ||
			die "installing linux-headers-amd64 in the $suite chroot failed"
		touch "$dir.new/.done"
		mv "$dir.new" "$dir"
		log "$suite chroot ready in $((SECONDS - t0)) s"
	elif [[ -z $(find "$dir/.refreshed" -mtime -1 2>/dev/null) ||
		$(cat "$dir/.refreshed") != "$SUITE_PACKAGES" ]]; then
		# the metapackage may have moved on: at most once a day.  A
		# failure (offline?) leaves the chroot as it was, to be tried
		# again by the next run.
		log "refreshing the $suite chroot's headers"
		suite_apt_conf "$dir"
		suite_headers_install "$dir" "$suite" ||
			log "refreshing the $suite chroot failed: building with its headers as they are"
	fi
	exec {lk}>&-
	# shellcheck disable=SC2034 # for lib/kernel.sh
	SUITE_DIR=$dir
}

# suite_download SUITE DESTDIR PKG...: apt-get download PKG... (names or
# name=version, from the suite's target where it has one) through the
# chroot's apt, into DESTDIR.
suite_download()
{
	local suite=$1 dest=$2 t dl lk
	shift 2
	t=$(suite_target "$suite")
	exec {lk}>"$SUITE_ROOT/$suite.lock"
	flock -s "$lk"
	# a directory of this run's own: runs may share the chroot
	dl=$SUITE_ROOT/$suite/var/tmp/ipet-dl.$$
	rm -rf "$dl" && mkdir -p "$dl" "$dest"
	# shellcheck disable=SC2016
	suite_exec "$SUITE_ROOT/$suite" sh -c 'cd "$1" && t=$2 && shift 2 &&
		apt-get download -q ${t:+-t "$t"} "$@"' sh "${dl#"$SUITE_ROOT/$suite"}" "$t" "$@" >"$dl.log" 2>&1 ||
		{ tail -5 "$dl.log" >&2; die "apt-get download $* in the $suite chroot failed"; }
	mv "$dl"/*.deb "$dest"/
	rm -rf "$dl" "$dl.log"
	exec {lk}>&-
}

# suite_headers_kver SUITE: the headers release the chroot has for the
# guest architecture (linux-headers-KVER, the arch directory, not -common).
suite_headers_kver()
{
	local d
	d=$(ls -d "$SUITE_ROOT/$1$(suite_hroot)"/usr/src/linux-headers-*-"$ARCH" 2>/dev/null |
		sort -V | tail -1) || true
	[[ -n $d ]] && echo "${d##*/linux-headers-}"
}

# suite_hroot: where, inside a chroot, the guest architecture's kernel
# headers are: "" (its own /usr/src, installed by its apt) for the build
# machine's architecture; a foreign one's are unpacked under
# /usr/src/ipet-ARCH (suite_foreign_headers), a root of their own with
# usr/src and usr/lib (the -common part and the build machine's
# linux-kbuild).  Below /usr/src, suite_make leaves KDIR alone.
suite_hroot()
{
	[[ $ARCH == "$ARCH_BUILD" ]] || echo "/usr/src/ipet-$ARCH"
}

# suite_foreign_headers SUITE STAGE CCPKG: the foreign architecture's
# headers unpacked at STAGE (in the chroot, fixed for the path
# suite_hroot) become the chroot's, replacing the ones before (one build
# tree per chroot and architecture); the cross compiler CCPKG they ask for
# is installed by the chroot's apt (a package of the build machine's
# architecture: the chroot's dpkg gets no foreign architecture), with gcc:
# kbuild builds programs for the build machine (the module's boot-policy
# checker) with HOSTCC, "gcc", which the amd64 headers' gcc-N does not
# provide.  Holds SUITE.lock exclusively: no build (suite_make) runs on
# the tree it replaces.
suite_foreign_headers()
{
	local suite=$1 stage=$2 pkgs="$3 gcc" dir=$SUITE_ROOT/$1 lk h p rc=0
	h=$dir$(suite_hroot)
	exec {lk}>"$SUITE_ROOT/$suite.lock"
	flock "$lk"
	for p in $pkgs; do
		# shellcheck disable=SC2016 # dpkg-query's field, not the shell's
		[[ $(chroot "$dir" dpkg-query -W -f '${Status}' "$p" 2>/dev/null) == "install ok installed" ]] &&
			continue
		log "installing $pkgs in the $suite chroot"
		suite_exec "$dir" sh -c "apt-get update -q >/dev/null &&
			apt-get install -y -q $pkgs >/dev/null && apt-get clean" || rc=$?
		break
	done
	[[ $rc == 0 ]] && rm -rf "$h" && mv "$stage" "$h"
	exec {lk}>&-
	[[ $rc == 0 ]] || die "installing $pkgs in the $suite chroot failed"
}

# suite_make SUITE DIR LOG MAKEARG...: run make MAKEARG... inside SUITE's
# chroot on a copy of the host directory DIR, then bring the result back
# into DIR (output in LOG).  Host paths cannot be seen from the chroot, so
# DIR becomes /build/ID/w in the arguments (ID: a hash of DIR, distinct
# for concurrent runs, whose output directories differ), and each VAR=PATH
# naming an existing host file or directory (IPE_LKM_KEYS_DIR,
# IPE_LKM_BOOT_POLICY...) is copied in and named by its copy; paths under
# /usr/src are left alone (KDIR: the chroot's own headers).
suite_make()
{
	local suite=$1 dir=$2 logf=$3 id cdir top a v n=0 args=() rc=0 lk
	shift 3
	cdir=$SUITE_ROOT/$suite
	exec {lk}>"$SUITE_ROOT/$suite.lock"
	flock -s "$lk"
	id=$(printf '%s' "$dir" | sha256sum | cut -c1-16)
	top=/build/$id
	rm -rf "${cdir:?}$top" && mkdir -p "$cdir$top/in" && cp -a "$dir" "$cdir$top/w"
	for a in "$@"; do
		a=${a//"$dir"/$top/w}
		v=${a#*=}
		# (KDIR=/usr/src/... is the chroot's own)
		if [[ $a == [A-Za-z_]*=/* && -e $v && $v != "$top"/* && $v != /usr/src/* ]]; then
			n=$((n + 1))
			cp -a "$v" "$cdir$top/in/$n"
			a=${a%%=*}=$top/in/$n
		fi
		args+=("$a")
	done
	suite_exec "$cdir" make "${args[@]}" >"$logf" 2>&1 || rc=$?
	# the compiler's messages name the copy: point them at DIR
	sed -i "s|$top/w|$dir|g" "$logf"
	rm -rf "$dir" && cp -a "$cdir$top/w" "$dir"
	rm -rf "${cdir:?}$top"
	exec {lk}>&-
	return "$rc"
}
