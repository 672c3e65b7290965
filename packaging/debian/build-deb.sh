#!/bin/bash
# SPDX-License-Identifier: MIT
# make deb: build ipe-lkm-dkms and ipectl .debs from a clean copy of the
# tree (git's tracked and unignored files, never build products), then run
# lintian on them.  Output: build/deb/*.deb, build/deb/build.log and
# build/deb/lintian.txt.  Exits non-zero if the build fails or lintian
# reports an error or a warning.
#   [DEB_BUILD_OPTIONS=...] [DEB_HOST_ARCH=arm64] packaging/debian/build-deb.sh [OUTDIR]
# DEB_HOST_ARCH other than the build machine's: ipectl is cross-built for
# it (dpkg-buildpackage -a; the cross compiler and the -dev packages of
# that architecture, multiarch), into build/deb-ARCH/ (both packages: the
# "all" one is the same).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build_arch=$(dpkg --print-architecture)
host_arch=${DEB_HOST_ARCH:-$build_arch}
if [ "$host_arch" = "$build_arch" ]; then
	out=${1:-$top/build/deb}
else
	out=${1:-$top/build/deb-$host_arch}
fi
ver=$(cat "$top/VERSION")

die() {
	echo "make deb: $*" >&2
	exit 1
}

chver=$(sed -n '1s/^ipe-lkm (\([^)]*\)).*/\1/p' "$top/packaging/debian/changelog")
[ "$chver" = "$ver" ] ||
	die "packaging/debian/changelog says '$chver', VERSION says '$ver'"
grep -q "^PACKAGE_VERSION=\"$ver\"$" "$top/dkms.conf" ||
	die "dkms.conf's PACKAGE_VERSION is not '$ver' (VERSION)"

missing=""
for p in debhelper dh-dkms dpkg-dev fakeroot libssl-dev libkmod-dev lintian; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] || die "missing packages; apt-get install$missing pkg-config"

# A cross build: the host architecture's build dependencies (the -dev
# packages) and compiler.  pkg-config reads that architecture's .pc files
# (what the TRIPLET-pkg-config of pkgconf:ARCH would do, without it).
cross=()
if [ "$host_arch" != "$build_arch" ]; then
	triplet=$(dpkg-architecture -a "$host_arch" -q DEB_HOST_MULTIARCH 2>/dev/null) ||
		die "unknown architecture '$host_arch'"
	dpkg-checkbuilddeps -a "$host_arch" "$top/packaging/debian/control" ||
		die "the $host_arch build dependencies are missing (dpkg --add-architecture $host_arch; apt-get install crossbuild-essential-$host_arch and the -dev:$host_arch packages above)"
	command -v "$triplet-gcc" >/dev/null ||
		die "no $triplet-gcc: apt-get install crossbuild-essential-$host_arch"
	cross=(-a "$host_arch")
	export PKG_CONFIG=pkg-config
	export PKG_CONFIG_LIBDIR=/usr/lib/$triplet/pkgconfig:/usr/share/pkgconfig
fi
# dpkg-buildpackage sets the DEB_HOST_* variables itself, all of them
unset DEB_HOST_ARCH

work=$(mktemp -d "${TMPDIR:-/tmp}/ipe-lkm-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/ipe-lkm-$ver
mkdir -p "$src"

# The clean copy: what packaging/source-files.sh lists (never a private
# key).
bash "$top/packaging/source-files.sh" "$top" >"$work/files" ||
	die "the tree holds private key material (above): not packaged"
tar -C "$top" --null --no-recursion -T "$work/files" -cf - | tar -C "$src" -xf -
rm -rf "$src/debian"
cp -a "$top/packaging/debian" "$src/debian"
rm -f "$src/debian/README.md" "$src/debian/build-deb.sh"
# the units and the udev rule are shared with the RPM; dh_installsystemd
# and dh_installudev find them by these names
cp "$top/packaging/systemd/ipe-policies.service" "$src/debian/ipectl.ipe-policies.service"
cp "$top/packaging/systemd/ipe-lkm-rescan.service" "$src/debian/ipectl.ipe-lkm-rescan.service"
cp "$top/packaging/systemd/60-ipe-lkm.rules" "$src/debian/ipectl.ipe-lkm.udev"

echo "make deb: building in $src (for $host_arch)"
# No -dbgsym package: build/deb holds exactly the two packages.  ipectl's
# tests (debian/rules' dh_auto_test) are skipped unless DEB_BUILD_OPTIONS is
# set, even empty: 'make check' runs them already.
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS-nocheck} noautodbgsym"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b "${cross[@]}") >"$work/build.log" 2>&1; then
	mkdir -p "$out"
	cp "$work/build.log" "$out/build.log"
	tail -n 40 "$work/build.log" >&2
	die "dpkg-buildpackage failed; log: $out/build.log"
fi

mkdir -p "$out"
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
cp "$work/build.log" "$out/"
cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out/"

# Lintian on the .changes (both .debs); -I --pedantic shows everything,
# only errors and warnings fail.
rc=0
lintian -I --pedantic --fail-on error,warning "$out"/*.changes \
	>"$out/lintian.txt" 2>&1 || rc=$?
cat "$out/lintian.txt"
for d in "$out"/*.deb; do
	echo "make deb: $d"
done
[ "$rc" -eq 0 ] || die "lintian reports errors or warnings (see $out/lintian.txt)"
