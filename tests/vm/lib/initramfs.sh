# SPDX-License-Identifier: GPL-2.0
# tests/vm/lib/initramfs.sh: build the guest initramfs from three cpio pieces
# (concatenated, uncompressed: unpacking gzip under TCG costs more than it saves):
#   common.cpio   busybox, /init, guest library, helpers, openssl + its libs
#   <kernel>.cpio the stock modules this kernel needs (deps from modules.dep)
#   run.cpio      this run's tests, plan and keys (see run)

# Modules loaded at boot, with their dependencies (and the guest
# architecture's: lib/arch.sh).
BOOT_MODULES="virtio_pci virtio_blk ext4 dm-verity test_firmware"
# Loaded at boot too where the kernel has them as modules, but not asked of
# the debug kernel (lib/debugkernel.sh builds BOOT_MODULES', and a new
# module there is a new config, so a new 1-2 h build): overlayfs, which
# t_cache_overlay skips without.
EXTRA_BOOT_MODULES="overlay"
# Stock module used as the KMODULE fixture (not loaded at boot): the first
# of FIXTURE_MODULES that this kernel has as a module without dependencies
# (fixture_module; 7.x builds crc7 in, its lib/crc/ keeps crc-itu-t).
FIXTURE_MODULES="crc7 crc-itu-t crc8"
FIXTURE_MODULE=crc7

# cpio_pack DIR OUT: pack DIR as a newc archive owned by root.
cpio_pack()
{
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) >"$2.tmp" && mv "$2.tmp" "$2"
}

# copy_with_libs ROOT BIN...: copy dynamically linked programs and the
# libraries ldd names into ROOT at the same paths.
copy_with_libs()
{
	local root=$1 f lib
	shift
	for f in "$@"; do
		install -D -m 0755 "$f" "$root$f"
		for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
			[[ -e $root$lib ]] || install -D -m 0755 "$lib" "$root$lib"
		done
	done
}

# helper_stale BIN SRC...: BIN is missing or older than one of its sources.
helper_stale()
{
	local bin=$1 src
	shift
	[[ -x $bin ]] || return 0
	for src in "$@"; do
		[[ $src -nt $bin ]] && return 0
	done
	return 1
}

# helpers_build OUTDIR: compile the static test helpers and the shared-library
# fixtures on the host, for the guest architecture ($ARCH_CC).  ipestress,
# iperace and cachediff share stress.c and stress.h.
helpers_build()
{
	local o=$1 h=$VM_DIR/helpers p cc=$ARCH_CC
	mkdir -p "$o"
	if helper_stale "$o/ipet" "$h/ipet.c"; then
		$cc -O2 -Wall -static -o "$o/ipet" "$h/ipet.c" || die "building ipet"
	fi
	for p in ipestress iperace cachediff; do
		helper_stale "$o/$p" "$h/$p.c" "$h/stress.c" "$h/stress.h" || continue
		$cc -O2 -Wall -static -o "$o/$p" "$h/$p.c" "$h/stress.c" ||
			die "building $p"
	done
	if helper_stale "$o/uselib" "$h/uselib.c" || helper_stale "$o/libipetlib.so" "$h/ipetlib.c"; then
		$cc -O2 -Wall -shared -fPIC -o "$o/libipetlib.so" "$h/ipetlib.c" &&
			$cc -O2 -Wall -o "$o/uselib" "$h/uselib.c" -L"$o" -lipetlib -ldl ||
			die "building uselib"
	fi
}

# initramfs_common OUT: the kernel-independent piece.
initramfs_common()
{
	local out=$1 root=$OUT/build/common-root stamp
	stamp=$(cat "$VM_DIR"/guest/* "$VM_DIR"/helpers/*.[ch] "$VM_DIR"/lib/initramfs.sh "$VM_DIR"/lib/arch.sh |
		sha256sum | cut -c1-16)
	[[ -f $out && $(cat "$out.stamp" 2>/dev/null) == "$stamp" ]] && return 0
	log "building the common initramfs"
	helpers_build "$OUT/build/helpers"
	rm -rf "$root" && mkdir -p "$root"/{bin,sbin,dev,proc,sys,run,tmp,mnt,etc,root,lib/ipet,lib/firmware,usr/bin}
	install -m 0755 "$(arch_busybox)" "$root/bin/busybox"
	install -m 0755 "$VM_DIR/guest/init" "$root/init"
	install -m 0644 "$VM_DIR/guest/lib.sh" "$root/lib/ipet/lib.sh"
	install -m 0755 "$OUT/build/helpers/ipet" "$root/usr/bin/ipet"
	install -m 0755 "$OUT/build/helpers/ipestress" "$root/usr/bin/ipestress"
	install -m 0755 "$OUT/build/helpers/iperace" "$root/usr/bin/iperace"
	install -m 0755 "$OUT/build/helpers/cachediff" "$root/usr/bin/cachediff"
	install -m 0755 "$OUT/build/helpers/uselib" "$root/usr/bin/uselib"
	install -m 0755 "$OUT/build/helpers/libipetlib.so" "$root/lib/ipet/libipetlib.so"
	arch_copy_with_libs "$root" "$(arch_bin openssl)" "$(arch_bin keyctl)" "$OUT/build/helpers/uselib"
	# uselib was copied with its build path too; the libs it needs are what matter.
	rm -rf "$root$OUT"
	# ld.so finds libipetlib.so through LD_LIBRARY_PATH in the tests.
	mkdir -p "$root/usr/lib/ssl" && touch "$root/usr/lib/ssl/openssl.cnf"
	# mknod needs no root here: the kernel creates /dev/console from the cpio
	# only if listed, so rely on devtmpfs instead.
	cpio_pack "$root" "$out"
	echo "$stamp" >"$out.stamp"
}

# kmod_paths MODULE...: the .ko files (with dependencies, in load order).
kmod_paths()
{
	local m
	for m in "$@"; do
		modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" 2>/dev/null |
			awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++'
}

# fixture_module: set FIXTURE_MODULE for the current kernel.
fixture_module()
{
	local m
	for m in $FIXTURE_MODULES; do
		[[ $(kmod_paths "$m" | wc -l) == 1 ]] && { FIXTURE_MODULE=$m; return 0; }
	done
	die "none of $FIXTURE_MODULES is a module without dependencies in $KVER"
}

# initramfs_kernel OUT: the modules of the current kernel ($KROOT/$KVER);
# sets FIXTURE_MODULE (for lib/fixtures.sh too).
initramfs_kernel()
{
	local out=$1 root=$OUT/build/kmod-root-$KVER ko list
	fixture_module
	[[ -f $out && $out -nt $KROOT/.done && $out -nt $VM_DIR/lib/initramfs.sh ]] && return 0
	log "building the module initramfs for $KVER"
	rm -rf "$root" && mkdir -p "$root/lib/ipet/modules"
	list=$root/lib/ipet/modules.load
	: >"$list"
	for ko in $(kmod_paths $BOOT_MODULES $ARCH_BOOT_MODULES $EXTRA_BOOT_MODULES); do
		install -m 0644 "$ko" "$root/lib/ipet/modules/"
		echo "${ko##*/}" >>"$list"
	done
	[[ -s $list ]] || die "no modules resolved for $KVER"
	ko=$(kmod_paths $FIXTURE_MODULE | tail -1)
	install -m 0644 "$ko" "$root/lib/ipet/fixture.ko"
	# and compressed, for finit_module(MODULE_INIT_COMPRESSED_FILE): the
	# kernel's xz unpacker checks CRC32 at most
	xz --check=crc32 -c "$ko" >"$root/lib/ipet/fixture.ko.xz"
	# its name, for a guest without modules.dep (busybox modinfo needs one)
	echo "$FIXTURE_MODULE" >"$root/lib/ipet/fixture.name"
	echo "$KVER" >"$root/lib/ipet/kver"
	cpio_pack "$root" "$out"
}

# ipectl_stage ROOT: build userspace/ipectl for this run and put it, with
# the libraries it links, into ROOT.
ipectl_stage()
{
	local root=$1 bin lib
	bin=$(arch_ipectl) || exit
	install -D -m 0755 "$bin" "$root/usr/sbin/ipectl"
	if [[ -n $ARCH_SYSROOT ]]; then
		for lib in $(arch_needed "$bin"); do
			install -D -m 0755 "$ARCH_SYSROOT/$lib" "$root/$lib"
		done
		return 0
	fi
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		install -D -m 0755 "$lib" "$root$lib"
	done
}

# module_tree_stage ROOT KO: ipe_lkm installed where DKMS puts it
# (/lib/modules/KVER/updates/dkms/ipe_lkm.ko) with depmod's indexes, so
# that ipectl load (libkmod) finds it as on an installed system.
module_tree_stage()
{
	local root=$1 ko=$2 mt=$OUT/build/modtree-$KVER d
	rm -rf "$mt" && mkdir -p "$mt/lib/modules"
	cp -al "$KROOT/lib/modules/$KVER" "$mt/lib/modules/"
	d=$mt/lib/modules/$KVER
	rm -f "$d"/modules.*.bin "$d"/modules.dep "$d"/modules.alias "$d"/modules.symbols
	install -D -m 0644 "$ko" "$d/updates/dkms/ipe_lkm.ko"
	depmod -b "$mt" "$KVER" || die "depmod for the staged module"
	mkdir -p "$root/lib/modules/$KVER/updates/dkms"
	cp "$d"/modules.* "$root/lib/modules/$KVER/"
	cp "$ko" "$root/lib/modules/$KVER/updates/dkms/ipe_lkm.ko"
}
