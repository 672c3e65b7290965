# SPDX-License-Identifier: GPL-2.0
# tests/vm/lib/debugkernel.sh: a debug build of Debian's own kernel source
# (KASAN, lockdep, debug objects, kmemleak, UBSAN, fault injection, ...) for
# the VM suite. Sourced by tests/vm/lib/kernel.sh (kernel_fetch debug);
# tests/vm/debug-kernel is the standalone entry point.
#
# The source is linux-source-<series> at exactly the version of the stock
# image package the flavour resolves to (kernel_fetch bookworm|backports):
# no ABI or version is written here. The config is Debian's own config of
# that image, reduced localmodconfig-style (every =y kept, only the modules
# the VM suite loads kept as =m), with the debug options of DK_DEBUG_OPTS on
# top, and the ftrace/security/audit/keys/module-signing/EFI/dm-verity/
# fs-verity options put back to Debian's values afterwards.
#
# Everything lives outside the work tree, in
#   $DK_CACHE/src/linux-source-<version>/       the unpacked source (shared)
#   $DK_CACHE/<version>-<config hash>/          one build:
#       build/      the O= build tree (make -C build M=... for modules)
#       root/       INSTALL_MOD_PATH root: lib/modules/KVER (depmod done),
#                   boot/vmlinuz-KVER, boot/config-KVER
#       bzImage, config, kernelrelease, build-time, build.log, config-diff
# A build is reused while the source version and the final config are the
# same (the hash is that of the final .config).

DK_CACHE=${IPE_LKM_DEBUG_CACHE:-/var/cache/ipe-lkm/debug-kernel}
# where linux-source-*.deb are downloaded (apt-get download)
DK_SRC_DEBS=${IPE_LKM_SRC_CACHE:-/var/cache/ipe-lkm/src}
# appended to the kernel release: 6.1.192-ipe-debug
DK_LOCALVERSION=-ipe-debug
DK_JOBS=${DK_JOBS:-2}

# The modules the VM suite loads (tests/vm/lib/initramfs.sh BOOT_MODULES and
# FIXTURE_MODULE, the device-mapper pieces ipe_lkm and the dm-verity tests
# use, efivarfs as Debian has it); their dependencies are added from the
# stock kernel's modules.dep.
dk_wanted_modules()
{
	echo "$BOOT_MODULES $FIXTURE_MODULE dm-mod dm-bufio dm-verity efivarfs"
}

# Debug options on top of Debian's config. "SYM=VALUE" must end up so;
# "?SYM=VALUE" only where the symbol exists in this source (options come
# and go between 6.1 and 6.12).
DK_DEBUG_OPTS=(
	# no DWARF: saves build time and disk; reports symbolize through kallsyms
	DEBUG_INFO_NONE=y DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT=n DEBUG_INFO_DWARF4=n
	DEBUG_INFO_DWARF5=n DEBUG_INFO_BTF=n
	# KASAN, generic, inline; VMAP_STACK (Debian: y) needs KASAN_VMALLOC,
	# which also checks vmalloc/kvmalloc memory (large policies)
	KASAN=y KASAN_GENERIC=y KASAN_INLINE=y KASAN_OUTLINE=n KASAN_VMALLOC=y
	VMAP_STACK=y ?KASAN_EXTRA_INFO=y
	# lockdep, RCU checking (PROVE_RCU_LIST, behind RCU_EXPERT, also checks
	# list_for_each_entry_rcu() callers), sleeping in atomic context (ftrace
	# callbacks run with preemption off)
	PROVE_LOCKING=y PROVE_RCU=y RCU_EXPERT=y PROVE_RCU_LIST=y DEBUG_ATOMIC_SLEEP=y
	DEBUG_PREEMPT=y DEBUG_IRQFLAGS=y DEBUG_LOCK_ALLOC=y DEBUG_SPINLOCK=y
	DEBUG_MUTEXES=y DEBUG_RWSEMS=y
	# object lifetimes: timers, work items, rcu_heads freed while active
	DEBUG_OBJECTS=y DEBUG_OBJECTS_FREE=y DEBUG_OBJECTS_TIMERS=y
	DEBUG_OBJECTS_WORK=y DEBUG_OBJECTS_RCU_HEAD=y
	DEBUG_OBJECTS_PERCPU_COUNTER=y DEBUG_OBJECTS_ENABLE_DEFAULT=1
	# fault injection (debugfs: /sys/kernel/debug/failslab, fail_page_alloc;
	# off until configured there; confine it with task-filter and
	# /proc/PID/make-it-fail: the stacktrace filter does not exist on x86_64)
	FAULT_INJECTION=y FAILSLAB=y FAIL_PAGE_ALLOC=y FAULT_INJECTION_DEBUG_FS=y
	# data structures and notifier/credential misuse
	DEBUG_LIST=y DEBUG_PLIST=y DEBUG_SG=y DEBUG_NOTIFIERS=y
	?DEBUG_CREDENTIALS=y
	# leaks: no automatic scan (a scan under TCG+KASAN takes long and
	# would report at random moments); the guest scans at the end of the plan
	DEBUG_KMEMLEAK=y DEBUG_KMEMLEAK_DEFAULT_OFF=n DEBUG_KMEMLEAK_AUTO_SCAN=n
	DEBUG_KMEMLEAK_MEM_POOL_SIZE=40000
	# lockups and hangs (reported, no panic: the harness reads the log)
	SOFTLOCKUP_DETECTOR=y DETECT_HUNG_TASK=y WQ_WATCHDOG=y
	BOOTPARAM_SOFTLOCKUP_PANIC=n BOOTPARAM_HUNG_TASK_PANIC=n
	# memory management and address checks
	DEBUG_VM=y DEBUG_VIRTUAL=y DEBUG_PER_CPU_MAPS=y
	# undefined behaviour: bounds, shifts, bool/enum loads, division by zero
	UBSAN=y UBSAN_BOUNDS=y UBSAN_SHIFT=y UBSAN_BOOL=y UBSAN_ENUM=y
	UBSAN_DIV_ZERO=y ?UBSAN_SANITIZE_ALL=y UBSAN_TRAP=n UBSAN_ALIGNMENT=n
)

# dk_family_syms SRCDIR: the symbols whose Debian values are kept: ftrace
# and tracing, kprobes, every security/ option (LSMs, integrity and its
# platform/machine keyrings, keys, lockdown), certificates and asymmetric
# keys, audit, module signing, EFI, dm-verity (and dm-mod, dm-bufio) and
# fs-verity.
dk_family_syms()
{
	local s=$1
	{
		find "$s/security" "$s/kernel/trace" "$s/certs" "$s/crypto/asymmetric_keys" \
			"$s/fs/verity" "$s/drivers/firmware/efi" "$s/fs/efivarfs" \
			-name 'Kconfig*' -print0 | xargs -0 sed -n 's/^[[:space:]]*\(menu\)\{0,1\}config[[:space:]]\{1,\}\([A-Za-z0-9_]\{1,\}\).*/\2/p'
		grep -rhoE '^[[:space:]]*(menu)?config[[:space:]]+[A-Z0-9_]+' --include='Kconfig*' \
			"$s/arch/x86" "$s/init" "$s/kernel" "$s/drivers/md" "$s/arch/Kconfig" |
			awk '{ print $NF }' |
			grep -E '^(AUDIT|MODULE_SIG|EFI|DM_VERITY|DM_BUFIO|BLK_DEV_DM|KPROBE|KRETPROBE|UPROBE|FTRACE|DYNAMIC_FTRACE|FUNCTION_TRACER|HAVE_.*FTRACE|SYSTEM_.*KEY|SECONDARY_TRUSTED|INTEGRITY|KEXEC)'
	} | sort -u
}

# dk_cfg_map FILE: "SYM VALUE" for every symbol of a .config ("n" when unset).
dk_cfg_map()
{
	sed -n -e 's/^CONFIG_\([A-Za-z0-9_]*\)=\(.*\)$/\1 \2/p' \
		-e 's/^# CONFIG_\([A-Za-z0-9_]*\) is not set$/\1 n/p' "$1"
}

# dk_cfg_diff SYMS STOCKMAP CURMAP: "SYM<tab>STOCKVALUE<tab>CURVALUE" for each symbol
# of SYMS whose value differs (an absent symbol counts as n).
dk_cfg_diff()
{
	awk 'FILENAME == ARGV[1] { fam[$1] = 1; next }
	     { v = substr($0, length($1) + 2); if (v == "") v = "n" }
	     FILENAME == ARGV[2] { st[$1] = v; seen[$1] = 1; next }
	     { cur[$1] = v; seen[$1] = 1 }
	     END {
		for (s in seen) {
			if (!(s in fam)) continue
			a = (s in st) ? st[s] : "n"; b = (s in cur) ? cur[s] : "n"
			if (a != b) print s "\t" a "\t" b
		}
	     }' "$1" "$2" "$3" | LC_ALL=C sort
}

# dk_make ARGS...: make in the source tree with the host gcc-12, niced.
dk_make()
{
	nice -n 10 make -C "$DK_SRC" CC=gcc-12 HOSTCC=gcc-12 "$@"
}

# dk_source VERSION SERIES [TARGET]: unpack linux-source-SERIES=VERSION into
# $DK_CACHE/src, downloading the .deb into $DK_SRC_DEBS if it is not there;
# sets DK_SRC.
dk_source()
{
	local ver=$1 series=$2 target=${3:-} pkg deb d
	pkg=linux-source-$series
	d=$DK_CACHE/src/$pkg-$ver
	DK_SRC=$d/$pkg
	[[ -f $d/.done ]] && return 0
	mkdir -p "$DK_SRC_DEBS"
	# the file apt-get download writes (an epoch's ':' is %3a)
	deb=$DK_SRC_DEBS/${pkg}_${ver//:/%3a}_all.deb
	if [[ ! -f $deb ]] || [[ $(dpkg-deb -f "$deb" Version 2>/dev/null) != "$ver" ]]; then
		log "downloading $pkg $ver"
		(cd "$DK_SRC_DEBS" && apt-get download -q ${target:+-t "$target"} "$pkg=$ver" >/dev/null 2>&1) ||
			die "apt-get download $pkg=$ver${target:+ -t $target} failed (apt-get update?)"
		[[ -f $deb ]] || die "apt-get download $pkg=$ver gave no $deb"
	fi
	log "unpacking $pkg $ver"
	rm -rf "$d" && mkdir -p "$d"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
		nice -n 10 tar -xJ -C "$d" || die "unpacking $deb"
	[[ -f $DK_SRC/Makefile ]] || die "$deb did not hold usr/src/$pkg.tar.xz with $pkg/"
	touch "$d/.done"
}

# dk_config STOCKCONFIG STOCKROOT STOCKKVER OBJ: the debug .config in OBJ.
dk_config()
{
	local stock=$1 sroot=$2 skver=$3 obj=$4 m sym val o opt fam
	mkdir -p "$obj"
	cp "$stock" "$obj/.config"
	# Debian's key files are not in linux-source: build keys are generated
	# (certs/signing_key.pem), the trusted and revocation lists left empty.
	"$DK_SRC/scripts/config" --file "$obj/.config" \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
		--set-str MODULE_SIG_KEY certs/signing_key.pem \
		--set-str LOCALVERSION "$DK_LOCALVERSION" --disable LOCALVERSION_AUTO \
		--set-str BUILD_SALT ""
	# localmodconfig from a list of the wanted modules with the stock
	# kernel's dependencies (lsmod format; names with '_')
	{
		echo "Module Size Used by"
		for m in $(dk_wanted_modules); do
			modprobe -d "$sroot" -S "$skver" --show-depends "$m" 2>/dev/null |
				awk '$1 == "insmod" { print $2 }'
		done | awk '!seen[$0]++' | sed 's|.*/||; s/\.ko.*//; s/-/_/g; s/$/ 0 0/'
	} >"$obj/lsmod.wanted"
	[[ $(wc -l <"$obj/lsmod.wanted") -gt 5 ]] || die "could not resolve the wanted modules in $sroot"
	dk_make O="$obj" LSMOD="$obj/lsmod.wanted" localmodconfig </dev/null >"$obj/config.log" 2>&1 ||
		{ tail -20 "$obj/config.log" >&2; die "make localmodconfig failed (see $obj/config.log)"; }
	# localmodconfig only takes away; its oldconfig pass (no terminal)
	# may still switch an option Debian leaves off on (IKCONFIG=m seen):
	# put those back off.
	dk_cfg_map "$stock" >"$obj/stock.map"
	dk_cfg_map "$obj/.config" >"$obj/cur.map"
	local args=()
	while IFS=$'\t' read -r sym val _; do
		args+=(--disable "$sym")
	done < <(awk '{ print $1 }' "$obj/stock.map" >"$obj/all.syms"
		dk_cfg_diff "$obj/all.syms" "$obj/stock.map" "$obj/cur.map" | awk -F'\t' '$2 == "n"')
	[[ ${#args[@]} -eq 0 ]] || "$DK_SRC/scripts/config" --file "$obj/.config" "${args[@]}"
	# the debug options
	args=()
	for o in "${DK_DEBUG_OPTS[@]}"; do
		opt=${o#\?} sym=${opt%%=*} val=${opt#*=}
		if [[ $o == \?* ]] && ! grep -rqE "^[[:space:]]*(menu)?config[[:space:]]+$sym\$" \
			--include='Kconfig*' "$DK_SRC/lib" "$DK_SRC/kernel" "$DK_SRC/mm" "$DK_SRC/arch/x86"; then
			continue
		fi
		case $val in
		y) args+=(--enable "$sym") ;;
		n) args+=(--disable "$sym") ;;
		*) args+=(--set-val "$sym" "$val") ;;
		esac
	done
	"$DK_SRC/scripts/config" --file "$obj/.config" "${args[@]}"
	dk_make O="$obj" olddefconfig >>"$obj/config.log" 2>&1 || die "make olddefconfig failed"
	# Put the protected families back to Debian's values (localmodconfig
	# dropped some of their modules), twice: a restored option may bring
	# back another one's dependency.
	dk_family_syms "$DK_SRC" >"$obj/family.syms"
	for _ in 1 2 3; do
		dk_cfg_map "$obj/.config" >"$obj/cur.map"
		args=()
		while IFS=$'\t' read -r sym val _; do
			case $val in
			y) args+=(--enable "$sym") ;;
			m) args+=(--module "$sym") ;;
			n) args+=(--disable "$sym") ;;
			\"*) val=${val#\"} && args+=(--set-str "$sym" "${val%\"}") ;;
			*) args+=(--set-val "$sym" "$val") ;;
			esac
		done < <(dk_cfg_diff "$obj/family.syms" "$obj/stock.map" "$obj/cur.map" |
			grep -vE '^(SYSTEM_TRUSTED_KEYS|SYSTEM_REVOCATION_KEYS|MODULE_SIG_KEY|BUILD_SALT)\s')
		[[ ${#args[@]} -eq 0 ]] && break
		"$DK_SRC/scripts/config" --file "$obj/.config" "${args[@]}"
		dk_make O="$obj" olddefconfig >>"$obj/config.log" 2>&1 || die "make olddefconfig failed"
	done
	# What still differs from Debian in those families: the key paths and
	# what the debug options select (e.g. TRACE_IRQFLAGS for lockdep).
	dk_cfg_map "$obj/.config" >"$obj/cur.map"
	dk_cfg_diff "$obj/family.syms" "$obj/stock.map" "$obj/cur.map" |
		awk -F'\t' '{ print "CONFIG_" $1 ": debian " $2 ", debug " $3 }' >"$obj/config-diff"
	# every debug option must have taken
	for o in "${DK_DEBUG_OPTS[@]}"; do
		opt=${o#\?} sym=${opt%%=*} val=${opt#*=}
		if [[ $o == \?* ]] && ! grep -q "CONFIG_$sym[= ]" "$obj/.config"; then continue; fi
		case $val in
		n) grep -q "^CONFIG_$sym=" "$obj/.config" && die "debug config: CONFIG_$sym is set, wanted off" ;;
		*) grep -qx "CONFIG_$sym=$val" "$obj/.config" ||
			die "debug config: CONFIG_$sym is not $val ($(grep "CONFIG_$sym[= ]" "$obj/.config" || echo absent))" ;;
		esac
	done
	# and no module beyond the wanted ones and the protected families
	grep -c '=m$' "$obj/.config" >"$obj/modules.count"
	rm -f "$obj/cur.map" "$obj/all.syms"
}

# dk_build FLAVOUR: build (or reuse) the debug kernel of a stock flavour
# (bookworm, backports). Sets DK_DIR, DK_KVER, DK_VERSION.
dk_build()
{
	local flavour=$1 target series ver sroot skver sconf tmp='' hash dir t0 secs t
	kernel_fetch "$flavour"
	ver=$KPKG_VERSION sroot=$KROOT skver=$KVER sconf=$KCONFIG
	series=$(echo "$ver" | cut -d. -f1,2)
	target=$(apt_target "$flavour")
	command -v gcc-12 >/dev/null || die "gcc-12 missing (apt-get install gcc-12)"
	for t in flex bison bc perl; do
		command -v $t >/dev/null || die "$t missing: run tests/vm/deps"
	done
	[[ -f /usr/include/libelf.h && -f /usr/include/openssl/ssl.h ]] ||
		die "libelf-dev / libssl-dev missing: run tests/vm/deps"
	mkdir -p "$DK_CACHE"
	# one configure/build at a time per cache
	exec 8>"$DK_CACHE/.lock"
	flock 8 || die "locking $DK_CACHE"
	dk_source "$ver" "$series" "$target"

	# Making the config takes a minute: remember which build the same
	# inputs (stock config, this file, source version, compiler) gave.
	local memo
	memo=$DK_CACHE/.memo/$( (cat "$sconf" "${BASH_SOURCE[0]}"; echo "$ver $(dk_wanted_modules)"
		gcc-12 --version | head -1) | sha256sum | cut -c1-16)
	if [[ -f $memo && -f $DK_CACHE/$(cat "$memo")/.done ]]; then
		hash=$(cat "$memo") && hash=${hash##*-}
	else
		tmp=$DK_CACHE/.config-$$
		rm -rf "$tmp"
		dk_config "$sconf" "$sroot" "$skver" "$tmp"
		hash=$(sha256sum <"$tmp/.config" | cut -c1-12)
	fi
	dir=$DK_CACHE/$ver-$hash
	DK_VERSION=$ver-$hash
	if [[ -f $dir/.done ]]; then
		rm -rf "${tmp:-}"
	else
		rm -rf "$dir" && mkdir -p "$dir/build"
		cp "$tmp/.config" "$dir/build/.config"
		cp "$tmp/config-diff" "$tmp/lsmod.wanted" "$tmp/config.log" "$tmp/modules.count" "$dir/"
		rm -rf "$tmp"
		dk_make O="$dir/build" olddefconfig >>"$dir/config.log" 2>&1 || die "make olddefconfig failed"
		[[ $(sha256sum <"$dir/build/.config" | cut -c1-12) == "$hash" ]] ||
			die "the config changed when moved to $dir/build"
		log "building the debug kernel $series ($ver, config $hash) in $dir: $(cat "$dir/modules.count") modules; log in $dir/build.log"
		t0=$(date +%s)
		if ! dk_make O="$dir/build" -j"$DK_JOBS" bzImage modules >"$dir/build.log" 2>&1; then
			grep -E 'error|Error' "$dir/build.log" | tail -20 >&2
			die "debug kernel build failed (see $dir/build.log)"
		fi
		dk_make O="$dir/build" INSTALL_MOD_PATH="$dir/root" modules_install >>"$dir/build.log" 2>&1 ||
			die "modules_install failed (see $dir/build.log)"
		secs=$(($(date +%s) - t0))
		DK_KVER=$(cat "$dir/build/include/config/kernel.release")
		[[ -n $DK_KVER && -d $dir/root/lib/modules/$DK_KVER ]] || die "no modules for '$DK_KVER' in $dir/root"
		mkdir -p "$dir/root/boot"
		cp "$dir/build/arch/x86/boot/bzImage" "$dir/bzImage"
		cp "$dir/build/arch/x86/boot/bzImage" "$dir/root/boot/vmlinuz-$DK_KVER"
		cp "$dir/build/.config" "$dir/config"
		cp "$dir/build/.config" "$dir/root/boot/config-$DK_KVER"
		cp "$dir/build/System.map" "$dir/root/boot/System.map-$DK_KVER"
		depmod -b "$dir/root" "$DK_KVER"
		echo "$DK_KVER" >"$dir/kernelrelease"
		printf '%s\n' "build_seconds=$secs" "jobs=$DK_JOBS" "source=linux-source-$series $ver" \
			"config=$hash" "date=$(date -u +%FT%TZ)" "host=$(nproc) cpus, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
			>"$dir/build-time"
		touch "$dir/root/.done" "$dir/.done"
		log "debug kernel $DK_KVER built in $((secs / 60)) min $((secs % 60)) s"
	fi
	mkdir -p "$DK_CACHE/.memo" && echo "$ver-$hash" >"$memo"
	exec 8>&-
	DK_DIR=$dir
	DK_KVER=$(cat "$dir/kernelrelease")
	log "debug kernel $DK_KVER: $dir ($(sed -n 's/^build_seconds=//p' "$dir/build-time") s to build)"
}
