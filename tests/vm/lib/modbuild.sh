# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# tests/vm/lib/modbuild.sh: build modules for the kernel kernel_fetch
# (lib/kernel.sh) chose, $KVER: module/ itself (module_build) and small
# out-of-tree modules (kmod_build: tests/vm's IPMODIFY holder, bench/vm's
# nullhook), against its headers: the host's, a foreign architecture's
# (KBUILD_DIR, cross-built), or, for a kernel of another suite ($KSUITE),
# in that suite's chroot with the compiler its headers ask for
# (lib/suite.sh: suite_make).  Sourced by tests/vm/run and bench/vm/run,
# after lib/kernel.sh; uses $OUT/keys/embed (lib/fixtures.sh: keys_make).

# kbuild_dir: the build tree for $KVER as seen from the host: $KBUILD_DIR,
# else the installed headers (tests/vm/deps installs them), else, for a
# kernel of another suite ($KSUITE), the headers in its chroot (a foreign
# architecture's under suite_hroot), which must be those of the very image
# that boots.
kbuild_dir()
{
	local kdir
	if [[ -n ${KBUILD_DIR:-} || -z ${KSUITE:-} ]]; then
		kdir=${KBUILD_DIR:-/usr/src/linux-headers-$KVER}
		[[ -d $kdir ]] || die "no kernel build tree for $KVER at $kdir: run tests/vm/deps"
	else
		kdir=$SUITE_ROOT/$KSUITE$(suite_hroot)/usr/src/linux-headers-$KVER
		[[ -d $kdir ]] || die "the $KSUITE chroot ($SUITE_ROOT/$KSUITE) has the headers of" \
			"'$(suite_headers_kver "$KSUITE" || echo none)', the image is $KVER: the" \
			"archive moved between the two downloads? Remove $SUITE_ROOT/$KSUITE/.refreshed" \
			"(arm64: $CACHE/apt-arm64-$KSUITE/.updated) and retry"
	fi
	echo "$kdir"
}

# in_chroot: the module builds for $KVER run in its suite's chroot (the
# headers' compiler is not on the host).
in_chroot() { [[ -z ${KBUILD_DIR:-} && -n ${KSUITE:-} ]]; }

# module_build OUTDIR [VARIANT [MAKEVAR=VALUE...]]: build module/ against
# the kernel's build tree (kbuild_dir), in a copy so the source tree stays
# clean; prints the .ko path.  A VARIANT (e.g. "fault") is built in a
# directory of its own with the extra make variables given.  For a kernel
# of another suite the same make runs in that suite's chroot (suite_make:
# the copy, the keys and the boot policy are copied in, the result back).
module_build()
{
	local src=$VM_DIR/../../module variant=${2:-} b kdir ko stamp mk
	b=$1/module-build${variant:+-$variant}
	shift $(($# < 2 ? $# : 2))
	kdir=$(kbuild_dir) || exit
	[[ -f $src/Kbuild || -f $src/Makefile ]] || die "module/ has no Kbuild yet: pass --module PATH.ko"
	# reuse the last build while module/, the build tree and the options
	# are unchanged
	stamp=$( (cd "$src" && find . -type f \( -name '*.[ch]' -o -name Kbuild -o -name Makefile -o -name '*.sh' \) \
		-print0 | sort -z | xargs -0 cat; echo "$kdir $*"
		local a; for a in "$@"; do [[ -f ${a#*=} ]] && cat "${a#*=}"; done
		cat "$OUT"/keys/embed/*.der 2>/dev/null; true) | sha256sum | cut -c1-16)
	ko=$b/ipe_lkm.ko
	if [[ -f $ko && $(cat "$b.stamp" 2>/dev/null) == "$stamp" ]]; then
		echo "$ko"
		return 0
	fi
	rm -rf "$b" && mkdir -p "$b" && cp -a "$src"/. "$b"/
	# the documented way: make -C module KDIR=..., the test CA embedded
	# (the default trust: embedded,builtin); a later IPE_LKM_KEYS_DIR in
	# "$@" overrides it
	mk=(KDIR="$kdir" IPE_LKM_KEYS_DIR="$OUT/keys/embed"
		IPE_LKM_VERSION="$(cat "$VM_DIR/../../VERSION")" "${ARCH_KMAKE[@]}" "$@")
	if in_chroot; then
		# the chroot's headers, by the path they have in there
		mk[0]=KDIR=${kdir#"$SUITE_ROOT/$KSUITE"}
		suite_make "$KSUITE" "$b" "$b.log" -s -C "$b" "${mk[@]}"
	else
		make -s -C "$b" "${mk[@]}" >"$b.log" 2>&1
	fi || { tail -20 "$b.log" >&2; die "module build failed (see $b.log)"; }
	ko=$(find "$b" -maxdepth 1 -name '*.ko' | head -1)
	[[ -n $ko ]] || die "module build produced no .ko"
	echo "$stamp" >"$b.stamp"
	echo "$ko"
}

# kmod_build SRC DIR LOG: the out-of-tree module whose sources (a Kbuild)
# are in SRC, built for $KVER in DIR (a fresh copy of SRC; make's output
# in LOG): in the suite's chroot for a kernel of another suite, as
# module_build.  Fails as make does.
kmod_build()
{
	local src=$1 b=$2 logf=$3 kdir
	kdir=$(kbuild_dir) || exit
	rm -rf "$b" && cp -a "$src" "$b"
	if in_chroot; then
		suite_make "$KSUITE" "$b" "$logf" \
			-s -C "${kdir#"$SUITE_ROOT/$KSUITE"}" M="$b" "${ARCH_KMAKE[@]}" modules
	else
		make -s -C "$kdir" M="$b" "${ARCH_KMAKE[@]}" modules >"$logf" 2>&1
	fi
}

# holder_build OUTDIR: tests/vm/helpers/holder as a .ko for $KVER
# (kmod_build).
holder_build()
{
	kmod_build "$VM_DIR/helpers/holder" "$1/holder-build" "$1/holder-build.log" ||
		die "building the IPMODIFY holder (see $1/holder-build.log)"
	echo "$1/holder-build/ipmodify_holder.ko"
}
