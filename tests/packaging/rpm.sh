#!/bin/bash
# SPDX-License-Identifier: MIT
# RPM packaging suite: make rpm, each package's exact file list, licences,
# dependencies, the DKMS scriptlets (run against a stub dkms), install and
# erase in an empty root, rpmlint (errors fail; warnings only if in
# rpmlint-known.txt), the dracut module (with dracut's functions stubbed,
# then with dracut-core), and the packaged DKMS tree built with its own
# dkms.conf against linux-headers-amd64.
# Last line "N passed, N failed"; exits non-zero on any failure.
#
#   tests/packaging/rpm.sh        root; needs rpm rpmlint cpio dracut-core
#                                 linux-headers-amd64 and ipectl's build
#                                 deps (all in .ci/run)
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
OUT=$TOP/build/rpm
KNOWN=$TOP/tests/packaging/rpmlint-known.txt
V=$(cat VERSION)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '  %s\n' "$@"; }

# check NAME FUNCTION [ARG...]: PASS if FUNCTION succeeds, else FAIL with
# what it printed.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		ko "$name" "${out:-(no output)}"
	fi
}

finish() {
	echo "$pass passed, $fail failed"
	exit $((fail > 0))
}

# same_list EXPECTED_FILE ACTUAL_FILE: both sorted; print the differences.
same_list() {
	local d
	d=$(diff <(LC_ALL=C sort -u "$1") <(LC_ALL=C sort -u "$2") | sed -n 's/^</missing:/p; s/^>/unexpected:/p')
	[ -z "$d" ] && return 0
	echo "$d"
	return 1
}

# ---------------------------------------------------------------- make rpm
t_make_rpm() {
	local arch
	make -s rpm >"$T/make.log" 2>&1 || { tail -n 30 "$T/make.log"; return 1; }
	arch=$(rpm --eval '%{_arch}')
	SRPM=$(ls "$OUT"/ipe-lkm-"$V"-*.src.rpm 2>/dev/null) &&
	DKMS=$(ls "$OUT"/ipe-lkm-dkms-"$V"-*.noarch.rpm 2>/dev/null) &&
	CTL=$(ls "$OUT"/ipectl-"$V"-*."$arch".rpm 2>/dev/null) || {
		echo "missing RPMs in $OUT:"; ls "$OUT"; return 1; }
	[ "$(ls "$OUT"/*.rpm | wc -l)" -eq 3 ] || { echo "not exactly 3 RPMs:"; ls "$OUT"/*.rpm; return 1; }
}
SRPM="" DKMS="" CTL=""
if out=$(t_make_rpm 2>&1); then
	# the variables are set in the subshell only: find them again
	SRPM=$(ls "$OUT"/ipe-lkm-"$V"-*.src.rpm)
	DKMS=$(ls "$OUT"/ipe-lkm-dkms-"$V"-*.noarch.rpm)
	CTL=$(ls "$OUT"/ipectl-"$V"-*."$(rpm --eval '%{_arch}')".rpm)
	ok "make rpm builds the SRPM, ipe-lkm-dkms (noarch) and ipectl"
else
	ko "make rpm builds the SRPM, ipe-lkm-dkms (noarch) and ipectl" "$out"
	finish
fi
mkdir -p "$T/dkms" "$T/ctl"
(cd "$T/dkms" && rpm2cpio "$DKMS" | cpio -idm --quiet)
(cd "$T/ctl" && rpm2cpio "$CTL" | cpio -idm --quiet)
SRC=/usr/src/ipe-lkm-$V

# ------------------------------------------------------------- file lists
# The tree's module sources, as the tarball takes them (tracked or not
# ignored, and present).
tree_module_files() {
	git ls-files --cached --others --exclude-standard module |
		while read -r f; do [ -f "$f" ] && echo "$f"; done
}

expected_dkms() {
	local f d
	printf '%s\n' /etc/ipe-lkm /etc/ipe-lkm/keys \
		/usr/lib/dracut/modules.d/90ipe-lkm \
		/usr/lib/dracut/modules.d/90ipe-lkm/module-setup.sh \
		/usr/lib/modules-load.d/ipe-lkm.conf \
		/usr/lib/ipe-lkm /usr/lib/ipe-lkm/kernel-check \
		/usr/lib/kernel/install.d/41-ipe-lkm.install \
		/usr/share/doc/ipe-lkm-dkms /usr/share/doc/ipe-lkm-dkms/README.md \
		/usr/share/doc/ipe-lkm-dkms/module.md \
		/usr/share/doc/ipe-lkm-dkms/differences.md \
		/usr/share/licenses/ipe-lkm-dkms \
		"$SRC" "$SRC/dkms.conf" "$SRC/VERSION" "$SRC/LICENSES"
	for f in GPL-2.0-only.txt MIT.txt README; do
		echo "/usr/share/licenses/ipe-lkm-dkms/$f"
		echo "$SRC/LICENSES/$f"
	done
	tree_module_files | while read -r f; do
		echo "$SRC/$f"
		d=$(dirname "$f")
		while [ "$d" != . ]; do echo "$SRC/$d"; d=$(dirname "$d"); done
	done
}

expected_ctl() {
	printf '%s\n' /usr/sbin/ipectl \
		/usr/share/man/man8/ipectl.8.gz /usr/share/man/man5/ipe-policy.5.gz \
		/usr/share/bash-completion /usr/share/bash-completion/completions \
		/usr/share/bash-completion/completions/ipectl \
		/usr/share/licenses/ipectl /usr/share/licenses/ipectl/GPL-2.0-only.txt \
		/usr/share/licenses/ipectl/MIT.txt /usr/share/licenses/ipectl/README \
		/usr/lib/.build-id /usr/lib/.build-id/NN /usr/lib/.build-id/NN/ID \
		/usr/libexec/ipectl /usr/libexec/ipectl/ipe-policies \
		/usr/lib/systemd/system/ipe-policies.service \
		/usr/lib/systemd/system/ipe-lkm-rescan.service \
		/usr/lib/udev/rules.d/60-ipe-lkm.rules \
		/usr/lib/systemd/system-preset/80-ipectl.preset \
		/etc/ipe-lkm /etc/ipe-lkm/policies
}

t_files_dkms() {
	expected_dkms >"$T/want"
	rpm -qlp "$DKMS" >"$T/have"
	grep -qx "$SRC/module/Kbuild" "$T/want" && grep -qx "$SRC/module/engine/parser.c" "$T/want" ||
		{ echo "the tree's module file list lacks Kbuild or engine/parser.c"; return 1; }
	same_list "$T/want" "$T/have"
}

t_files_ctl() {
	expected_ctl >"$T/want"
	# rpm's build-id links: /usr/lib/.build-id/XX/REST -> ../../../../usr/sbin/ipectl
	rpm -qlp "$CTL" | sed -E 's,^(/usr/lib/\.build-id)/[0-9a-f]{2}$,\1/NN,;
		s,^(/usr/lib/\.build-id)/[0-9a-f]{2}/[0-9a-f]+$,\1/NN/ID,' >"$T/have"
	same_list "$T/want" "$T/have"
}

t_files_srpm() {
	printf '%s\n' "ipe-lkm-$V.tar.gz" ipe-lkm.spec >"$T/want"
	rpm -qlp "$SRPM" >"$T/have"
	same_list "$T/want" "$T/have"
}

# The tarball: the tree's files, no build products, the spec inside (so
# rpmbuild -ta works: proved by building the SRPM from it).
t_tarball() {
	local tgz=$OUT/SOURCES/ipe-lkm-$V.tar.gz bad
	tar tzf "$tgz" >"$T/tar.list" || return 1
	bad=$(grep -E '(^|/)(build|\.cache|out)/|\.(o|ko|mod|cmd)$|/\.git/' "$T/tar.list" || true)
	[ -z "$bad" ] || { echo "build products in the tarball:"; echo "$bad"; return 1; }
	grep -qx "ipe-lkm-$V/packaging/rpm/ipe-lkm.spec" "$T/tar.list" ||
		{ echo "no packaging/rpm/ipe-lkm.spec in the tarball"; return 1; }
	rpmbuild -ts --define "_topdir $T/ta" "$tgz" >"$T/ta.log" 2>&1 ||
		{ cat "$T/ta.log"; return 1; }
	ls "$T/ta/SRPMS/ipe-lkm-$V"-*.src.rpm >/dev/null
}

check "ipe-lkm-dkms holds exactly the expected files" t_files_dkms
check "ipectl holds exactly the expected files" t_files_ctl
check "the SRPM holds the tarball and the spec" t_files_srpm
check "tarball: tree files only, spec inside, rpmbuild -ts works" t_tarball

# ------------------------------------------------------ tags and payload
t_tags() {
	local l a
	l=$(rpm -qp --qf '%{LICENSE}' "$DKMS")
	[ "$l" = "GPL-2.0-only AND (GPL-2.0-only OR MIT) AND MIT" ] || { echo "ipe-lkm-dkms License: $l"; return 1; }
	l=$(rpm -qp --qf '%{LICENSE}' "$CTL")
	[ "$l" = "MIT AND (GPL-2.0-only OR MIT)" ] || { echo "ipectl License: $l"; return 1; }
	a=$(rpm -qp --qf '%{ARCH}' "$DKMS")
	[ "$a" = noarch ] || { echo "ipe-lkm-dkms arch $a"; return 1; }
	grep -q . <<<"$(rpm -qp --qf '%{CHANGELOGTEXT}' "$SRPM")" || { echo "no %changelog"; return 1; }
	rpm -qp --licensefiles "$DKMS" >"$T/lic"
	printf '/usr/share/licenses/ipe-lkm-dkms/%s\n' GPL-2.0-only.txt MIT.txt README >"$T/want"
	same_list "$T/want" "$T/lic"
}
check "SPDX licences, noarch DKMS package, %license files, %changelog" t_tags

t_payload() {
	local r=$T/dkms$SRC
	[ "$(cat "$r/VERSION")" = "$V" ] || { echo "VERSION: $(cat "$r/VERSION")"; return 1; }
	grep -qx "PACKAGE_VERSION=\"$V\"" "$r/dkms.conf" || { echo "dkms.conf PACKAGE_VERSION is not $V"; return 1; }
	diff <(grep -v '^PACKAGE_VERSION=' dkms.conf) <(grep -v '^PACKAGE_VERSION=' "$r/dkms.conf") ||
		{ echo "the packaged dkms.conf differs from the tree's (beyond PACKAGE_VERSION)"; return 1; }
	[ "$(grep -v '^#' "$T/dkms/usr/lib/modules-load.d/ipe-lkm.conf")" = ipe_lkm ] ||
		{ echo "modules-load.d/ipe-lkm.conf does not load exactly ipe_lkm"; return 1; }
	[ "$(stat -c %a "$T/dkms/usr/lib/dracut/modules.d/90ipe-lkm/module-setup.sh")" = 755 ] ||
		{ echo "module-setup.sh is not 0755"; return 1; }
	cmp module/engine/parser.c "$r/module/engine/parser.c"
}
check "payload: VERSION, dkms.conf as in the tree with version $V, modules-load.d, modes" t_payload

# ----------------------------------------------------- dependencies
t_requires() {
	local req
	req=$(rpm -qp --qf '[%{REQUIRENAME} %{REQUIREFLAGS:deptype}\n]' "$DKMS")
	for want in "dkms manual" "kernel-devel manual" "dracut manual" "glibc-devel manual" "dkms post" "dkms preun"; do
		grep -qx "$want" <<<"$req" || { echo "ipe-lkm-dkms lacks Requires: $want"; echo "$req"; return 1; }
	done
	req=$(rpm -qp --requires "$CTL")
	grep -q '^libcrypto\.so\.3' <<<"$req" && grep -q '^libkmod\.so\.2' <<<"$req" ||
		{ echo "ipectl does not require libcrypto.so.3 and libkmod.so.2:"; echo "$req"; return 1; }
}
check "requires: dkms, kernel-devel, dracut, glibc-devel (dkms for %post/%preun); ipectl: libcrypto, libkmod" t_requires

# ------------------------------------------------------------ scriptlets
t_scripts_text() {
	local s
	s=$(rpm -qp --scripts "$DKMS")
	for re in "^postinstall scriptlet" "^dkms add -m ipe-lkm -v $V .*--rpm_safe_upgrade" \
		"^dkms build -m ipe-lkm -v $V" "^dkms install -m ipe-lkm -v $V .*--force" \
		"^preuninstall scriptlet" "^dkms remove -m ipe-lkm -v $V .*--all" \
		"^dkms remove .*--rpm_safe_upgrade"; do
		grep -Eq -- "$re" <<<"$s" || { echo "rpm --scripts: no /$re/:"; echo "$s"; return 1; }
	done
	# ipectl: ipe-policies.service enabled by preset on install, disabled
	# on removal (systemd-rpm-macros' scriptlets, or the spec's fallback)
	s=$(rpm -qp --scripts "$CTL")
	for re in "^postinstall scriptlet" "preset.*ipe-policies.service" \
		"^preuninstall scriptlet" "(disable|preset).*ipe-policies.service"; do
		grep -Eq -- "$re" <<<"$s" || { echo "ipectl --scripts: no /$re/:"; echo "$s"; return 1; }
	done
	[ "$(rpm -qp --qf '[%{FILENAMES}\n]' "$CTL" | grep -c 'ipe-policies')" -ge 2 ] ||
		{ echo "ipectl lacks ipe-policies or its unit"; return 1; }
}
check "rpm -qp --scripts: dkms add/build/install in %post, dkms remove in %preun; ipe-policies.service by preset" t_scripts_text

# run_scriptlet TAG RC: run the package's TAG scriptlet with sh and a stub
# dkms that logs its arguments and exits RC; print the log.
run_scriptlet() {
	local tag=$1 rc=$2
	mkdir -p "$T/stub"
	printf '#!/bin/sh\necho "dkms $*" >>"%s/dkms.log"\nexit %s\n' "$T" "$rc" >"$T/stub/dkms"
	chmod +x "$T/stub/dkms"
	rm -f "$T/dkms.log"
	rpm -qp --qf "%{$tag}" "$DKMS" >"$T/scriptlet"
	PATH=$T/stub:$PATH sh "$T/scriptlet" || { echo "the $tag scriptlet failed (dkms exit $rc)"; return 1; }
	cat "$T/dkms.log"
}

t_scripts_run() {
	local log
	log=$(run_scriptlet POSTIN 0) || return 1
	printf '%s\n' "$log" | cut -d' ' -f1-6 >"$T/got"
	printf 'dkms add -m ipe-lkm -v %s\ndkms build -m ipe-lkm -v %s\ndkms install -m ipe-lkm -v %s\n' \
		"$V" "$V" "$V" >"$T/want"
	diff "$T/want" "$T/got" || { echo "%post ran, in order:"; echo "$log"; return 1; }
	# dkms failing (no kernel-devel for the running kernel, or a second
	# add) must not fail the transaction
	run_scriptlet POSTIN 3 >/dev/null || return 1
	log=$(run_scriptlet PREUN 0) || return 1
	[ "$(printf '%s\n' "$log" | cut -d' ' -f1-6)" = "dkms remove -m ipe-lkm -v $V" ] ||
		{ echo "%preun ran: $log"; return 1; }
	run_scriptlet PREUN 1 >/dev/null
}
check "scriptlets run against a stub dkms: add, build, install; remove; dkms errors do not fail them" t_scripts_run

# Both packages install together into an empty root and erase cleanly
# (rpm --root; no scriptlets: dkms is not there, and they ran above).
t_install_erase() {
	local left r=(rpm --root "$T/root" --dbpath /var/lib/rpm)
	"${r[@]}" --initdb || return 1
	"${r[@]}" -i --nodeps --noscripts "$DKMS" "$CTL" 2>/dev/null || return 1
	[ -f "$T/root$SRC/dkms.conf" ] && [ -x "$T/root/usr/sbin/ipectl" ] ||
		{ echo "installed, but files are missing"; return 1; }
	"${r[@]}" -V --nodeps ipe-lkm-dkms ipectl || { echo "rpm -V failed"; return 1; }
	"${r[@]}" -e --noscripts ipe-lkm-dkms ipectl 2>/dev/null || return 1
	left=$(cd "$T/root" && find . -path ./var -prune -o ! -type d -print)
	[ -z "$left" ] || { echo "left after rpm -e:"; echo "$left"; return 1; }
}
check "rpm -i both into an empty root, rpm -V, rpm -e leaves nothing" t_install_erase

# ---------------------------------------------------------------- rpmlint
t_rpmlint() {
	local rc=0 line bad="" known
	command -v rpmlint >/dev/null || { echo "rpmlint not installed (apt-get install rpmlint)"; return 1; }
	rpmlint -c packaging/rpm/rpmlint-fedora.toml -r packaging/rpm/ipe-lkm.rpmlintrc \
		"$OUT/SPECS/ipe-lkm.spec" "$SRPM" "$DKMS" "$CTL" >"$T/lint" 2>&1 || rc=$?
	grep -Eq ' 0 errors, [0-9]+ warnings' "$T/lint" && [ "$rc" -eq 0 ] ||
		{ echo "rpmlint exit $rc:"; grep -E ': E: |errors,' "$T/lint"; return 1; }
	known=$(grep -Ev '^(#|$)' "$KNOWN")
	while IFS= read -r line; do
		grep -Eq -f <(printf '%s\n' "$known") <<<"$line" || bad+="$line"$'\n'
	done < <(grep -E ': W: ' "$T/lint")
	[ -z "$bad" ] || { echo "warnings not in $KNOWN:"; printf '%s' "$bad"; return 1; }
}
check "rpmlint: no errors, only known warnings (tests/packaging/rpmlint-known.txt)" t_rpmlint

# ------------------------------------------------------- dracut module
MS=$T/dkms/usr/lib/dracut/modules.d/90ipe-lkm/module-setup.sh

# dracut_run ROOT KMODDIR FUNCTION: source module-setup.sh as dracut does,
# with dracut's helpers stubbed to log, and call FUNCTION; prints the log,
# then "rc=N".
dracut_run() {
	(
		# shellcheck disable=SC2034 # dracut's variables, read by module-setup.sh
		dracutsysrootdir=$1 srcmods=$2 kernel=6.1.0-test initdir=$T/initdir
		instmods() { echo "instmods hostonly=[${hostonly-unset}] $*"; return "${INSTMODS_RC:-0}"; }
		dwarn() { echo "dwarn $*"; }
		hostonly=-h
		# shellcheck source=/dev/null
		. "$MS"
		set +e
		"$3"
		echo "rc=$?"
	)
}

t_dracut_syntax() { bash -n "$MS"; }

t_dracut_logic() {
	local root=$T/sysroot mods=$T/kmods out
	rm -rf "$root" "$mods" "$T/initdir"
	mkdir -p "$root/etc/ipe-lkm" "$mods/updates/dkms"
	out=$(dracut_run "$root" "$mods" check)
	[ "$out" = "rc=1" ] || { echo "no boot policy: check gave: $out"; return 1; }
	: >"$root/etc/ipe-lkm/boot_policy.pol"
	out=$(dracut_run "$root" "$mods" check)
	grep -q '^dwarn .*not built for 6.1.0-test' <<<"$out" && grep -qx 'rc=1' <<<"$out" ||
		{ echo "boot policy, no module: check gave: $out"; return 1; }
	: >"$mods/updates/dkms/ipe_lkm.ko.xz"
	out=$(dracut_run "$root" "$mods" check)
	[ "$out" = "rc=0" ] || { echo "boot policy and module: check gave: $out"; return 1; }
	out=$(dracut_run "$root" "$mods" installkernel)
	[ "$out" = $'instmods hostonly=[] -c ipe_lkm\nrc=0' ] ||
		{ echo "installkernel gave: $out"; return 1; }
	out=$(INSTMODS_RC=1 dracut_run "$root" "$mods" installkernel)
	grep -qx 'rc=1' <<<"$out" || { echo "installkernel hid an instmods failure: $out"; return 1; }
	out=$(dracut_run "$root" "$mods" install)
	[ "$out" = "rc=0" ] && [ "$(cat "$T/initdir/etc/cmdline.d/90ipe-lkm.conf")" = "rd.driver.pre=ipe_lkm" ] ||
		{ echo "install gave: $out; cmdline.d: $(cat "$T/initdir/etc/cmdline.d/"* 2>&1)"; return 1; }
}

check "dracut module-setup.sh parses (bash -n)" t_dracut_syntax
check "dracut module: only with a boot policy and a built module; instmods -c ipe_lkm; rd.driver.pre=ipe_lkm" t_dracut_logic

# ------------------------------------------- the DKMS tree builds
# As dkms does: source dkms.conf with kernel_source_dir set, eval MAKE[0]
# in a copy of the source tree, find BUILT_MODULE_NAME at
# BUILT_MODULE_LOCATION.
# The headers linux-headers-amd64 stands for (never a hard-coded ABI).
headers_pkg() {
	dpkg-query -W -f '${Depends}' linux-headers-amd64 2>/dev/null | sed 's/[ ,].*//'
}

t_dkms_build() {
	local hdr kdir
	hdr=$(headers_pkg)
	[ -n "$hdr" ] || { echo "linux-headers-amd64 is not installed"; return 1; }
	kdir=/usr/src/$hdr
	[ -d "$kdir" ] || { echo "$kdir not found"; return 1; }
	cp -a "$T/dkms$SRC" "$T/dkms-build"
	(
		cd "$T/dkms-build"
		# shellcheck disable=SC2034 # dkms's variable, read by dkms.conf
		kernel_source_dir=$kdir
		# shellcheck source=/dev/null
		. ./dkms.conf
		eval "${MAKE[0]}" >"$T/dkms-build.log" 2>&1 || { tail -n 30 "$T/dkms-build.log"; exit 1; }
		ko=${BUILT_MODULE_LOCATION[0]}${BUILT_MODULE_NAME[0]}.ko
		[ -f "$ko" ] || { echo "no $ko after MAKE[0]"; exit 1; }
		[ "$(modinfo -F version "$ko")" = "$V" ] || { echo "$ko version: $(modinfo -F version "$ko")"; exit 1; }
		grep -q "^${hdr#linux-headers-} " <<<"$(modinfo -F vermagic "$ko")" ||
			{ echo "vermagic: $(modinfo -F vermagic "$ko")"; exit 1; }
		cp "$ko" "$T/ipe_lkm.ko"
	)
}
check "the packaged DKMS tree builds ipe_lkm.ko with its dkms.conf (linux-headers-amd64)" t_dkms_build

# ----------------------------------------------- the dracut module, for real
# dracut-core builds initramfs images for the headers' kernel from a module
# tree holding the ipe_lkm.ko built above (or none), with a dracut whose
# modules.d holds only 90ipe-lkm from the package, so dracut decides alone
# whether to include it.  The boot policy is put in /etc through an overlay
# in a private mount namespace: the host's /etc is not touched.

# mkinitrd NAME KO|- POLICY(yes|no): build $T/NAME.img; log in $T/NAME.log
mkinitrd() {
	local name=$1 ko=$2 policy=$3 kver mods
	kver=$(headers_pkg) kver=${kver#linux-headers-}
	mods=$T/$name.kmods/lib/modules/$kver
	mkdir -p "$mods/updates/dkms" "$T/$name.up/ipe-lkm" "$T/$name.wk" "$T/empty"
	[ "$ko" = - ] || cp "$ko" "$mods/updates/dkms/"
	: >"$mods/modules.order"
	: >"$mods/modules.builtin"
	depmod -b "$T/$name.kmods" "$kver" 2>/dev/null
	if [ ! -d "$T/dracut" ]; then
		cp -a /usr/lib/dracut "$T/dracut"
		rm -rf "$T/dracut/modules.d"
		mkdir "$T/dracut/modules.d"
		cp -a "$T/dkms/usr/lib/dracut/modules.d/90ipe-lkm" "$T/dracut/modules.d/"
	fi
	if [ "$policy" = yes ]; then
		printf 'policy_name=t policy_version=0.0.1\nDEFAULT action=ALLOW\n' \
			>"$T/$name.up/ipe-lkm/boot_policy.pol"
	else
		# an overlay whiteout: hides a boot policy the host may have
		mknod "$T/$name.up/ipe-lkm/boot_policy.pol" c 0 0
	fi
	unshare -m bash -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc &&
		dracutbasedir=$3 exec dracut --force --no-hostonly --no-early-microcode \
			--conf /dev/null --confdir "$4" --kver "$5" --kmoddir "$6" "$7"' \
		mkinitrd "$T/$name.up" "$T/$name.wk" "$T/dracut" "$T/empty" "$kver" "$mods" "$T/$name.img" \
		>"$T/$name.log" 2>&1 || { echo "dracut failed:"; tail -n 20 "$T/$name.log"; return 1; }
	lsinitrd "$T/$name.img" >"$T/$name.list" 2>&1
}

# has_ipe NAME: whether NAME.img has the module and the rd.driver.pre line
has_ipe() {
	grep -q '/ipe_lkm\.ko' "$T/$1.list" &&
		[ "$(lsinitrd -f etc/cmdline.d/90ipe-lkm.conf "$T/$1.img" 2>/dev/null)" = "rd.driver.pre=ipe_lkm" ]
}
has_none() {
	! grep -Eq 'ipe_lkm|90ipe-lkm' "$T/$1.list"
}

t_dracut_real() {
	command -v dracut >/dev/null && command -v lsinitrd >/dev/null ||
		{ echo "dracut not installed (apt-get install dracut-core)"; return 1; }
	[ -f "$T/ipe_lkm.ko" ] || { echo "no ipe_lkm.ko: the DKMS build test failed"; return 1; }
	mkinitrd with "$T/ipe_lkm.ko" yes || return 1
	has_ipe with || { echo "boot policy and module: not in the initramfs:"; grep -E 'ipe|cmdline' "$T/with.list"; return 1; }
	mkinitrd nopolicy "$T/ipe_lkm.ko" no || return 1
	has_none nopolicy || { echo "no boot policy, yet:"; grep -E 'ipe' "$T/nopolicy.list"; return 1; }
	mkinitrd nomodule - yes || return 1
	has_none nomodule || { echo "no module, yet:"; grep -E 'ipe' "$T/nomodule.list"; return 1; }
	grep -q 'ipe_lkm is not built for' "$T/nomodule.log" ||
		{ echo "no warning without the module:"; tail -n 20 "$T/nomodule.log"; return 1; }
}
check "dracut (real): ipe_lkm.ko + rd.driver.pre only with a boot policy; no module: warns, builds" t_dracut_real

finish
