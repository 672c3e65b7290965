#!/bin/bash
# SPDX-License-Identifier: MIT
# make rpm: source tarball of the working tree, then the SRPM and binary
# RPMs of packaging/rpm/ipe-lkm.spec, with a private %_topdir, all in
# build/rpm/; then rpmlint on them (report in build/rpm/rpmlint.txt).
#
#   packaging/rpm/build.sh [OUTDIR]      default OUTDIR: build/rpm
#
# On a host whose package database is not RPM's (Debian), BuildRequires
# cannot be checked: rpmbuild runs with --nodeps, and the build needs
# Debian's equivalents (gcc make pkg-config libssl-dev libkmod-dev).
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
OUT=${1:-$TOP/build/rpm}
SPEC=packaging/rpm/ipe-lkm.spec

die() { echo "packaging/rpm/build.sh: $*" >&2; exit 1; }

for tool in rpmbuild rpmspec tar gzip git; do
	command -v "$tool" >/dev/null ||
		die "$tool not found (Debian: apt-get install rpm tar gzip git)"
done

version=$(cat VERSION)
spec_version=$(rpmspec -q --srpm --qf '%{version}\n' "$SPEC")
[ "$spec_version" = "$version" ] ||
	die "$SPEC has Version: $spec_version but VERSION says $version: update the spec (and its %changelog)"
grep -q '^PACKAGE_NAME="ipe-lkm"' dkms.conf ||
	die "dkms.conf: PACKAGE_NAME is not \"ipe-lkm\", which the spec's scriptlets use"

rm -rf "$OUT"
mkdir -p "$OUT"/{SOURCES,SPECS,BUILD,BUILDROOT,RPMS,SRPMS}

# The tarball holds packaging/source-files.sh's list: the working tree's
# files that git tracks or would track (not the ignored build products, nor
# private keys), so uncommitted changes are packaged.
# A fixed mtime, owner and order make it reproducible for a given tree.
name=ipe-lkm-$version
bash packaging/source-files.sh . >"$OUT/files" ||
	die "the tree holds private key material (above): not packaged"
tar --create --null --no-recursion --files-from="$OUT/files" \
		--transform "s,^,$name/," --owner=0 --group=0 --numeric-owner \
		--mtime="@$(git log -1 --format=%ct 2>/dev/null || echo 0)" |
	gzip -9n >"$OUT/SOURCES/$name.tar.gz"
rm -f "$OUT/files"
cp "$SPEC" "$OUT/SPECS/"

# Host adaptations, none of which changes what the spec asks for:
# - rpm's database does not know the host's packages (Debian): BuildRequires
#   cannot be checked, so --nodeps.
# - Debian's rpm 4.18 runs brp-compress, which uses bash's "read -d", with
#   /bin/sh (dash): it fails and man pages stay uncompressed.  Run it with
#   bash instead.
# - %_docdir_fmt: Fedora's value (docs and licences in /usr/share/doc/NAME,
#   not NAME-VERSION).
opts=(--define "_docdir_fmt %%{NAME}")
if ! rpm -q rpm >/dev/null 2>&1; then
	opts+=(--nodeps)
fi
brp_compress=$(rpm --eval '%{_rpmconfigdir}')/brp-compress
if [ -f "$brp_compress" ] && head -n 1 "$brp_compress" | grep -qx '#!/bin/sh' &&
   grep -q 'read -r -d' "$brp_compress" && ! /bin/sh -c 'read -r -d "" x </dev/null' 2>/dev/null; then
	post=$(rpm --eval '%{__os_install_post}' | sed '/^[[:space:]]*$/d' | paste -sd';')
	opts+=(--define "__os_install_post ${post//$brp_compress/bash $brp_compress}")
fi

rpmbuild -ba "${opts[@]}" \
	--define "_topdir $OUT" \
	--define "_sourcedir $OUT/SOURCES" \
	--define "_builddir $OUT/BUILD" \
	--define "_buildrootdir $OUT/BUILDROOT" \
	--define "_rpmdir $OUT/RPMS" \
	--define "_srcrpmdir $OUT/SRPMS" \
	"$OUT/SPECS/ipe-lkm.spec"

# The results next to each other in OUT, as make rpm promises.
find "$OUT/RPMS" "$OUT/SRPMS" -name '*.rpm' -exec cp {} "$OUT/" \;
echo "RPMs in $OUT:"
ls -1 "$OUT"/*.rpm

if command -v rpmlint >/dev/null; then
	# With Fedora's settings (rpmlint-fedora.toml) and the package's own
	# filters; exits non-zero on any error.  The report is kept either way.
	rc=0
	rpmlint -c packaging/rpm/rpmlint-fedora.toml -r packaging/rpm/ipe-lkm.rpmlintrc \
		"$OUT/SPECS/ipe-lkm.spec" "$OUT"/*.rpm >"$OUT/rpmlint.txt" 2>&1 || rc=$?
	cat "$OUT/rpmlint.txt"
	[ "$rc" -eq 0 ] || die "rpmlint reported errors (exit $rc): $OUT/rpmlint.txt"
else
	echo "rpmlint not found (Debian: apt-get install rpmlint): not run" >&2
fi
