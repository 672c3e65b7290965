# SPDX-License-Identifier: GPL-2.0
# bench/vm/fapolicyd.sh: Debian's fapolicyd for the benchmark guest (sourced
# by bench/vm/run).  The package and its library dependencies are downloaded
# with apt-get download and unpacked into the initramfs; nothing is installed
# on the host.

# fapolicyd_stage ROOT: fapolicyd, its libraries, magic files, a config with
# the file trust backend listing the benchmark's trusted files by SHA-256
# (integrity = sha256: the counterpart of the policies' fsverity_digest
# rules), and rules equivalent to the IPE policies.
fapolicyd_stage()
{
	local root=$1 d=$CACHE/fapolicyd x pkg deb lib f
	x=$d/root
	if [[ ! -f $x/.done ]]; then
		rm -rf "$x" && mkdir -p "$x"
		for pkg in fapolicyd libcap-ng0 liblmdb0 libmagic1 libmagic-mgc libseccomp2; do
			deb=$(apt_fetch "$d/debs" "$pkg")
			dpkg-deb -x "$deb" "$x"
		done
		touch "$x/.done"
	fi
	FAPOLICYD_VERSION=$(dpkg-deb -f "$(ls -t "$d"/debs/fapolicyd_*.deb | head -1)" Version)
	install -D -m 0755 "$x/usr/sbin/fapolicyd" "$root/usr/sbin/fapolicyd"
	# libraries: the unpacked ones first, the host's for the rest (libc,
	# libcrypto, libudev, ...), at the paths ld.so looks in
	for lib in $(LD_LIBRARY_PATH=$x/usr/lib/x86_64-linux-gnu:$x/lib/x86_64-linux-gnu \
		ldd "$x/usr/sbin/fapolicyd" | grep -o '/[^ ]*'); do
		f=${lib#"$x"}
		[[ -e $root$f ]] || install -D -m 0755 "$lib" "$root/usr/lib/x86_64-linux-gnu/${f##*/}"
	done
	install -D -m 0755 /lib64/ld-linux-x86-64.so.2 "$root/lib64/ld-linux-x86-64.so.2"
	mkdir -p "$root/usr/share/fapolicyd" "$root/usr/lib/file" "$root/etc/fapolicyd/trust.d" \
		"$root/var/lib/fapolicyd" "$root/var/log"
	cp "$x"/usr/share/fapolicyd/*.mgc "$root/usr/share/fapolicyd/"
	cp -L "$x"/usr/lib/file/magic.mgc "$root/usr/lib/file/" 2>/dev/null || true
	sed -e 's/^trust = .*/trust = file/' -e 's/^integrity = .*/integrity = sha256/' \
		"$x/etc/fapolicyd/fapolicyd.conf" >"$root/etc/fapolicyd/fapolicyd.conf"
	# The trust set: the two fs-verity files, by path, size and SHA-256.
	local t=$OUT/build/disk/tree
	for f in ipebench data; do
		printf '/mnt/b/%s %s %s\n' "$f" "$(stat -c %s "$t/$f")" "$(sha256sum "$t/$f" | cut -d' ' -f1)"
	done >"$root/etc/fapolicyd/fapolicyd.trust"
	# As the IPE policies: the initramfs may run, trusted files may run and
	# be mapped, nothing else may be executed or (as ld.so would map it)
	# opened when it is an ELF file.
	cat >"$root/etc/fapolicyd/compiled.rules" <<'RULES'
allow perm=any all : dir=/bin/
allow perm=any all : dir=/sbin/
allow perm=any all : dir=/usr/
allow perm=any all : dir=/lib/
allow perm=any all : dir=/lib64/
allow perm=any all : trust=1
deny_audit perm=execute all : all
deny_audit perm=open all : ftype=application/x-executable
deny_audit perm=open all : ftype=application/x-sharedlib
allow perm=open all : all
RULES
	printf 'root:x:0:0:root:/root:/bin/sh\nfapolicyd:x:999:999::/var/lib/fapolicyd:/bin/false\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nfapolicyd:x:999:\n' >"$root/etc/group"
	chown -R 999:999 "$root/var/lib/fapolicyd" 2>/dev/null || true
	install -m 0644 "$BENCH_DIR/fapolicyd-guest.sh" "$root/lib/bench/fapolicyd.sh"
	echo "FAPOLICYD_VERSION=$FAPOLICYD_VERSION" >"$root/lib/bench/fapolicyd.env"
}
