# SPDX-License-Identifier: GPL-2.0
# tests/vm/guest/lib.sh: the in-guest test library (busybox ash).
#
# A test is a shell function t_<area>_<what> in /lib/ipet/tests/*.sh. It runs
# in a subshell with `set -e`; it passes by returning 0, fails through `fail`
# (or any failing command) and is skipped through `skip`/`need`.
#
# Configuration (from /etc/ipet.conf, written by tests/vm/run):
#   IPET_KERNEL    bookworm | backports
#   IPET_ENFORCER  builtin | module | none
#   IPET_TREE      the securityfs tree, e.g. /sys/kernel/security/ipe
#   IPET_MODULE    the enforcer .ko inside the guest (module enforcer)
#   IPET_OVMF      1 when booted through OVMF with the test CA in db
#   IPET_SECUREBOOT 1 when booted under Secure Boot (shim, signed grub) with
#                  the test CA as a MOK (.machine), modules signed with it
#   IPET_TESTS     the test functions to run, in order

K=/lib/ipet/keys
RES=${IPET_RES:-/dev/ttyS1}
FIX=/lib/ipet/fixtures.env
[ -f $FIX ] && . $FIX

# ---------------------------------------------------------------- assertions
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
expect_eq() { [ "$1" = "$2" ] || fail "${3:-value}: got '$1', want '$2'"; }
expect_ne() { [ "$1" != "$2" ] || fail "${3:-value}: got '$1', want anything else"; }
# expect_match STRING ERE [what]
expect_match() {
	echo "$1" | grep -Eq -- "$2" || fail "${3:-value}: '$1' does not match /$2/"
}
# expect_line FILE LINE [what]: FILE holds exactly LINE as one of its lines.
expect_line() {
	grep -Fqx -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "${3:-line} missing: $2"; }
}

# enforcer_part: what follows needs an enforcer. Without one the test ends
# here and passes on the baseline it checked so far (the same operations
# succeed when nothing enforces).
enforcer_part() {
	[ -n "$IPET_TREE" ] && [ -d "$IPET_TREE" ] && return 0
	[ "$IPET_ENFORCER" = none ] || fail "enforcer $IPET_ENFORCER expected but $IPET_TREE is missing"
	echo "PASS: baseline only (no enforcer)"
	exit 0
}

# need FEATURE...: skip unless the guest has it.
need() {
	for f; do
		case $f in
		ipe)
			[ -n "$IPET_TREE" ] && [ -d "$IPET_TREE" ] && continue
			[ "$IPET_ENFORCER" = none ] || fail "enforcer $IPET_ENFORCER: $IPET_TREE is missing"
			skip "no enforcer"
			;;
		builtin) [ "$IPET_ENFORCER" = builtin ] || skip "built-in IPE only" ;;
		module) [ "$IPET_ENFORCER" = module ] || skip "ipe_lkm only" ;;
		ovmf) [ "$IPET_OVMF" = 1 ] || skip "needs the OVMF boot (test CA in db)" ;;
		secureboot)
			sb_on && continue
			[ "$IPET_SECUREBOOT" = 1 ] &&
				fail "booted for Secure Boot, but lockdown is '$(cat /sys/kernel/security/lockdown 2>&1)'"
			skip "needs the Secure Boot boot (run --secureboot)"
			;;
		kexec_file) grep -q '^CONFIG_KEXEC_FILE=y' /lib/ipet/config ||
			skip "no kexec_file_load() in this kernel (CONFIG_KEXEC_FILE unset: Debian's arm64)" ;;
		platform_dmverity) grep -q '^CONFIG_DM_VERITY_VERIFY_ROOTHASH_SIG_PLATFORM_KEYRING=y' /lib/ipet/config &&
			[ "$IPET_OVMF" = 1 ] || skip "dm-verity does not consult .platform here" ;;
		*) fail "need: unknown feature $f" ;;
		esac
	done
}

# sb_on: booted by tests/vm/run --secureboot and the kernel saw Secure Boot
# (its lockdown is at least integrity).
sb_on() {
	[ "$IPET_SECUREBOOT" = 1 ] &&
		grep -Eq '\[(integrity|confidentiality)\]' /sys/kernel/security/lockdown 2>/dev/null
}

# ---------------------------------------------------------------- utilities
now_cs() { read up _ </proc/uptime; echo "${up%.*}${up#*.}"; }
msleep() { usleep $(($1 * 1000)); }
is_mounted() { grep -q " $1 " /proc/mounts; }

# ---------------------------------------------------------------- audit
# The guest runs `ipet auditd` as the audit daemon; /run/audit.log holds one
# "TYPE SERIAL TEXT" line per record. An AUDIT_USER message is a barrier: once
# it is in the log, every record queued before it is too.
AUDIT_LOG=/run/audit.log
# ... and the same records in auditd's RAW log format (tests/cli/data/audit).
AUDIT_RAW=/run/audit.raw
audit_sync() {
	tag="ipet_sync=$RANDOM$RANDOM"
	ipet auditmsg "$tag" >/dev/null || fail "auditmsg"
	i=0
	while ! grep -q "$tag" $AUDIT_LOG; do
		i=$((i + 1))
		[ $i -lt 400 ] || fail "audit barrier $tag never arrived"
		usleep 10000
	done
}
audit_mark() { audit_sync; wc -l <$AUDIT_LOG >/run/ipet.amark; }
# audit_since: records after the mark, barriers removed, as "TYPE SERIAL TEXT".
audit_since() {
	audit_sync
	tail -n +$(($(cat /run/ipet.amark) + 1)) $AUDIT_LOG | grep -v ' msg=.ipet_sync=' || true
}
# audit_recs TYPE: the text of each TYPE record since the mark, one per line.
audit_recs() { audit_since | awk -v t="$1" '$1 == t { sub(/^[0-9]+ [0-9]+ ?/, ""); print }'; }
# audit_expect TYPE TEXT: exactly one TYPE record since the mark, equal to TEXT.
audit_expect() {
	audit_recs "$1" >/tmp/audit.$$
	expect_eq "$(grep -c '' /tmp/audit.$$)" 1 "number of $1 records (got: $(cat /tmp/audit.$$))"
	expect_eq "$(cat /tmp/audit.$$)" "$2" "$1 record"
}
audit_none() {
	audit_recs "$1" >/tmp/audit.$$
	[ ! -s /tmp/audit.$$ ] || fail "unexpected $1 record: $(cat /tmp/audit.$$)"
}

# kernel_at_least MAJOR MINOR: the booted kernel is that version or newer.
kernel_at_least() {
	kv=$(uname -r)
	km=${kv%%.*}
	kn=${kv#*.}
	kn=${kn%%[!0-9]*}
	[ "$km" -gt "$1" ] || { [ "$km" -eq "$1" ] && [ "$kn" -ge "$2" ]; }
}
# Upstream 6.16 changed 1422: a load's record ends in " errno=0", and failed
# loads and updates are audited too.  ipe_lkm writes the newest upstream's
# text on every kernel; a built-in IPE its own kernel's.
audit_1422_errno() { [ "$IPET_ENFORCER" = module ] || kernel_at_least 6 16; }
# load_rec TEXT: the 1422 text of a successful load, TEXT ending in res=1.
load_rec() {
	if audit_1422_errno; then echo "$1 errno=0"; else echo "$1"; fi
}
# audit_failed_loads ERRNO...: the 1422 records since the mark are exactly
# one per failed write, with these errnos (e.g. -74), in order; none before
# 6.16.
audit_failed_loads() {
	audit_1422_errno || { audit_none 1422; return 0; }
	audit_recs 1422 >/tmp/audit.$$
	: >/tmp/audit.want.$$
	for e; do
		echo "policy_name=? policy_version=? policy_digest=? auid=4294967295 ses=4294967295 lsm=ipe res=0 errno=$e" >>/tmp/audit.want.$$
	done
	cmp -s /tmp/audit.$$ /tmp/audit.want.$$ ||
		fail "1422 records of failed loads: got '$(cat /tmp/audit.$$)', want '$(cat /tmp/audit.want.$$)'"
}

# ---------------------------------------------------------------- policies
T=$IPET_TREE
# ipe_ws FILE STRING: one write() of STRING to $T/FILE; prints OK or the errno.
ipe_ws() { ipet writes "$T/$1" "$2"; }
# ipe_w FILE DATAFILE: one write() of DATAFILE's bytes.
ipe_w() { ipet write "$T/$1" "$2"; }
ipe_r() { cat "$T/$1"; }

# pol_sign IN OUT [KEYNAME]: PKCS#7 as upstream documents it.
pol_sign() {
	openssl smime -sign -in "$1" -signer "$K/${3:-ca}.crt" -inkey "$K/${3:-ca}.key" \
		-noattr -nodetach -nosmimecap -binary -outform der -out "$2" ||
		fail "openssl smime -sign"
}
# pol_file BASE LINE...: BASE.txt (the lines, newline-terminated) and BASE.p7s.
pol_file() {
	b=$1
	shift
	: >"$b.txt"
	for l; do printf '%s\n' "$l" >>"$b.txt"; done
	pol_sign "$b.txt" "$b.p7s"
}
# ipe_load NAME VERSION RULE...: sign and write to new_policy; prints the result.
ipe_load() {
	n=$1 v=$2
	shift 2
	b=/tmp/pol.$(echo "$n" | tr -c 'A-Za-z0-9_\n' _ | cut -c1-64)
	pol_file "$b" "policy_name=$n policy_version=$v" "$@"
	ipe_w new_policy "$b.p7s"
}
ipe_activate() { ipe_ws "policies/$1/active" 1; }
ipe_delete() { ipe_ws "policies/$1/delete" 1; }
# ipe_use NAME RULE...: load a policy with a fresh version and activate it.
ipe_use() {
	n=$1
	shift
	expect_eq "$(ipe_load "$n" "$(ver_next).0" "$@")" OK "load $n"
	expect_eq "$(ipe_activate "$n")" OK "activate $n"
}
# ver_next: a "0.N" version prefix above every version used so far. Policies
# can never be deactivated and activation refuses older versions, so the
# whole run shares one counter; tests add the last field themselves.
ver_next() {
	n=$(cat /run/ipet.ver 2>/dev/null || echo 0)
	n=$((n + 1))
	echo $n >/run/ipet.ver
	echo "0.$n"
}
sha256_hex() { sha256sum "$1" | cut -d' ' -f1 | tr a-f A-F; }

# ipe_reset: back to "allow everything, enforcing, no success audit" with
# only the harness's own policy loaded.
ipe_reset() {
	[ -n "$T" ] && [ -d "$T" ] || return 0
	# A shell builtin first: a test may have left a policy that denies
	# every program, including ipet and openssl.
	echo 0 >$T/enforce
	base=ipet_base
	# (ipe_reset also runs inside tests, under set -e: no failing status here)
	cur=$(for p in $T/policies/*; do [ "$(cat $p/active 2>/dev/null)" = 1 ] && basename $p; done; true)
	if [ -z "$cur" ] || [ "$cur" != "$(cat /run/ipet.base 2>/dev/null)" ] ||
		[ "$(ls $T/policies | wc -l)" != 1 ]; then
		base=ipet_base_$(cat /run/ipet.ver 2>/dev/null || echo 0)
		if [ "$base" != "$cur" ]; then
			r=$(ipe_load $base "$(ver_next).9" "DEFAULT action=ALLOW")
			[ "$r" = OK ] || [ "$r" = EEXIST ] || echo "ipe_reset: load $base: $r"
			r=$(ipe_activate $base)
			[ "$r" = OK ] || echo "ipe_reset: activate $base: $r"
		fi
		echo $base >/run/ipet.base
		for p in $T/policies/*; do
			[ -d "$p" ] || continue
			[ "${p##*/}" = "$base" ] || ipet writes "$p/delete" 1 >/dev/null ||
				echo "ipe_reset: delete ${p##*/} failed"
		done
	fi
	ipet writes $T/success_audit 0 >/dev/null || echo "ipe_reset: success_audit <- 0 failed"
	ipet writes $T/enforce 1 >/dev/null || echo "ipe_reset: enforce <- 1 failed"
}

# ---------------------------------------------------------------- fixtures
# Disks are found by their virtio serial (see run: -drive ...,serial=NAME).
disk() {
	for b in /sys/block/vd*; do
		[ "$(cat $b/serial 2>/dev/null)" = "$1" ] && { echo /dev/${b##*/}; return 0; }
	done
	return 1
}

# dmv_open NAME INDEX [SIGFILE]: open the dm-verity fixture pair INDEX as
# /dev/mapper-less NAME; with SIGFILE the root-hash signature is passed through
# the user keyring (root_hash_sig_key_desc). Prints OK or the errno.
dmv_open() {
	data=$(disk dmvdata$2) && hash=$(disk dmvhash$2) || { echo ENODEV; return; }
	opt=""
	if [ -n "$3" ]; then
		keyctl padd user "ipet:$1" @u <"$3" >/dev/null || { echo EKEYCTL; return; }
		opt=" 2 root_hash_sig_key_desc ipet:$1"
	fi
	ipet dmcreate "$1" $DMV_SECTORS verity \
		"1 $data $hash 4096 4096 $DMV_BLOCKS 0 sha256 $DMV_ROOTHASH $DMV_SALT$opt" 2>/dev/null
}
# dmv_dev NAME: /dev/dm-N of an open device.
dmv_dev() {
	for d in /sys/block/dm-*; do
		[ "$(cat $d/dm/name 2>/dev/null)" = "$1" ] && { echo /dev/${d##*/}; return 0; }
	done
	return 1
}
dmv_close() { ipet dmremove "$1" >/dev/null; }
# dmv_table INDEX [OPTS]: the verity table parameters of fixture pair
# INDEX, with "COUNT OPT..." optional arguments appended.
dmv_table() {
	data=$(disk dmvdata$1) && hash=$(disk dmvhash$1) || return 1
	echo "1 $data $hash 4096 4096 $DMV_BLOCKS 0 sha256 $DMV_ROOTHASH $DMV_SALT${2:+ $2}"
}
# dmv_open_opts NAME INDEX OPTS: dmv_open with optional arguments.
dmv_open_opts() {
	ipet dmcreate "$1" $DMV_SECTORS verity "$(dmv_table $2 "$3")" 2>/dev/null
}
# dmv_reload NAME INDEX: load the device's own table again and resume it,
# as ipectl load does for volumes activated before the module.
dmv_reload() {
	r=$(ipet dmload "$1" "0 $DMV_SECTORS verity $(dmv_table $2)")
	[ "$r" = OK ] || { echo "dmload: $r"; return; }
	ipet dmresume "$1"
}
# ipe_lkm_insmod [KO] [PARAM...]: load ipe_lkm again (by default the module
# under test) and let it learn the fixture volume, as ipectl load would.
ipe_lkm_insmod() {
	ko=$IPET_MODULE
	case ${1:-} in *.ko) ko=$1; shift ;; esac
	insmod "$ko" "$@" || return 1
	[ -n "$DMV_ROOTHASH" ] && is_mounted /mnt/dmv && dmv_reload ipet_dmv 1 >/dev/null
	# fs-verity infos created before the load are unknown to the module:
	# evict the unused inodes, so that their next open creates new ones
	sync
	echo 3 >/proc/sys/vm/drop_caches
	[ -d "$T" ]
}

# ipe_lkm built without embedded certificates (the harness embeds the CA in
# $IPET_MODULE): its default trust then knows no test key.
NOEMBED_KO=/lib/ipet/enforcer-noembed.ko
# swap_module KO [PARAM...]: replace the loaded ipe_lkm (permissive first).
swap_module() {
	echo 0 >$T/enforce
	rmmod ipe_lkm 2>/tmp/rmmod.err || fail "rmmod ipe_lkm: $(cat /tmp/rmmod.err)"
	ipe_lkm_insmod "$@" || fail "insmod $*"
}
# restore_module: the module under test again, enforcing, as the next tests
# expect (ipe_reset then loads their base policy).
restore_module() {
	if grep -q '^ipe_lkm ' /proc/modules; then
		echo 0 >$T/enforce
		rmmod ipe_lkm || return 1
	fi
	ipe_lkm_insmod
}
loaded() { grep -q '^ipe_lkm ' /proc/modules; }

# fsv_prepare: enable fs-verity on the fixture files once per boot:
#   /mnt/fsv/plain/ipet  no verity      /mnt/fsv/unsigned/ipet  verity, no signature
#   /mnt/fsv/signed/ipet verity + built-in signature (cert in .fs-verity)
fsv_prepare() {
	[ -f /run/fsv.done ] && return 0
	is_mounted /mnt/fsv || fail "fs-verity fixture disk not mounted"
	r=$(keyctl padd asymmetric ipet-fsv %keyring:.fs-verity <$K/ca.der) ||
		fail "adding the test cert to .fs-verity"
	for f in ipet libipetlib.so fixture.ko ipet-test.bin; do
		[ -f /mnt/fsv/unsigned/$f ] || continue
		expect_eq "$(ipet venable /mnt/fsv/unsigned/$f)" OK "enable verity (unsigned $f)"
		expect_eq "$(ipet venable /mnt/fsv/signed/$f /mnt/fsv/sig/$f.sig)" OK "enable verity (signed $f)"
	done
	touch /run/fsv.done
}

# ---------------------------------------------------------------- runner
report() { echo "$*" >$RES; }

ipet_setup() {
	IPET_KVER=$(uname -r)
	# The module enforcer comes first, before any fixture it must observe
	# (e.g. the dm-verity root hash is recorded when the device is resumed).
	if [ "$IPET_ENFORCER" = module ]; then
		insmod "$IPET_MODULE" || echo "setup: insmod $IPET_MODULE failed"
		# The module takes "ipe" where no built-in IPE holds that name.
		if [ ! -d "$IPET_TREE" ] && [ -d /sys/kernel/security/ipe ] &&
		   ! grep -q ipe /sys/kernel/security/lsm; then
			IPET_TREE=/sys/kernel/security/ipe
			T=$IPET_TREE
		fi
	fi
	# Fixture disks.
	mkdir -p /mnt/fsv /mnt/dmv
	d=$(disk fsv) && mount -t ext4 $d /mnt/fsv
	if [ -n "$DMV_ROOTHASH" ]; then
		r=$(dmv_open ipet_dmv 1)
		[ "$r" = OK ] && mount -t ext4 -o ro $(dmv_dev ipet_dmv) /mnt/dmv ||
			echo "setup: dm-verity fixture: $r"
	fi
	if [ -n "$T" ] && [ -d "$T" ]; then
		ipet auditd $AUDIT_LOG $AUDIT_RAW >/run/auditd.out 2>&1 &
		i=0
		while ! grep -q ready /run/auditd.out 2>/dev/null && [ $i -lt 200 ]; do
			usleep 10000
			i=$((i + 1))
		done
	fi
	for f in /lib/ipet/tests/*.sh; do . $f; done
}

# t NAME: run one test in a subshell; prints its result line.
t() {
	name=$1
	kstart=$(dmesg | wc -l)
	t0=$(now_cs)
	(set -ex; cd /tmp; $name) >/tmp/t.out 2>&1 </dev/null
	rc=$?
	t1=$(now_cs)
	last=$(tail -n 1 /tmp/t.out)
	ipe_reset >>/tmp/t.out 2>&1
	# A kernel splat during the test fails it, whatever the test said.
	dmesg | tail -n +$((kstart + 1)) |
		grep -E 'Oops|BUG:|BUG [^ ]+ \((Not t|T)ainted|WARNING:|kernel BUG|Missing ENDBR|circular locking|possible recursive locking|lockdep is turned off|lockdep:|lockdep bfs|needs lockdep annotation|locking correctness validator|suspicious RCU usage|sleeping function called|general protection|Kernel panic|UBSAN:|KASAN:|ODEBUG:|RCU.*stall|detected stall|hard LOCKUP|soft lockup|workqueue lockup|hung_task|blocked for more than' >/tmp/t.kern && {
		echo "kernel log:"; cat /tmp/t.kern
	} >>/tmp/t.out && rc=99
	case $rc in
	0) st=PASS ;;
	77) st=SKIP ;;
	*) st=FAIL ;;
	esac
	dt=$((t1 - t0))
	why=$(grep -E '^(FAIL|SKIP|PASS): ' /tmp/t.out | head -1 | cut -c7-)
	[ $st = FAIL ] && [ -z "$why" ] && why="exit status $rc (last output: $last)"
	echo "@@RESULT $name $st $((dt / 100)).$(printf %02d $((dt % 100))) $why"
	[ $st = FAIL ] && tail -n 40 /tmp/t.out | sed "s/^/@@OUT $name | /"
}

# ipet_kmemleak: where the kernel has kmemleak (the debug kernels), scan
# once the tests are done and report a "kmemleak" result. A leak whose
# allocation backtrace runs through ipe_lkm, or through a module that is
# gone (a bare address in module space: ipe_lkm is what the tests unload),
# fails it. The stock kernel's own leaks (boot, drivers) are listed but do
# not fail: they are not ours to fix, and the run without an enforcer shows
# the same ones. Every record goes to the result channel as @@KMEMLEAK lines
# (out/<kernel>/results.log).
ipet_kmemleak() {
	grep -q '^CONFIG_DEBUG_KMEMLEAK=y' /lib/ipet/config 2>/dev/null || return 0
	is_mounted /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	k=/sys/kernel/debug/kmemleak
	t0=$(now_cs)
	# objects younger than 5 s are not reported; the second scan drops
	# what was only in flight during the first
	sleep 6
	if ! { echo scan >$k && echo scan >$k && cat $k >/tmp/kml; } 2>/tmp/kml.err; then
		echo "@@RESULT kmemleak FAIL 0 kmemleak is off: $(cat /tmp/kml.err) $(dmesg | grep kmemleak | tail -n 2 | tr '\n' ' ')"
		return 0
	fi
	dt=$(($(now_cs) - t0))
	awk -v secs="$((dt / 100)).$(printf %02d $((dt % 100)))" '
		function flush() {
			if (!inrec) return
			if (mine) { ours++; if (nout < 80) { printf "%s", rec; nout += lines } }
			else stock++
			rec = ""; mine = 0; lines = 0; inrec = 0
		}
		{ print "@@KMEMLEAK " $0 }
		/^unreferenced object/ { flush(); inrec = 1 }
		{ rec = rec "@@OUT kmemleak | " $0 "\n"; lines++ }
		/\[ipe_lkm\]/ || /\] 0xffffffff[a-f][0-9a-f]+$/ { mine = 1 }
		END {
			flush()
			if (ours) printf "@@RESULT kmemleak FAIL %s %d leak(s) allocated through ipe_lkm (or an unloaded module), %d in the stock kernel\n", secs, ours, stock
			else printf "@@RESULT kmemleak PASS %s\n", secs
			if (!ours && stock) printf "@@SAY       kmemleak: %d suspected leak(s) in the stock kernel, none through ipe_lkm (@@KMEMLEAK in results.log)\n", stock
		}' /tmp/kml >/tmp/kml.out
	# the result line before the records it refers to
	grep -v '^@@OUT ' /tmp/kml.out
	grep '^@@OUT ' /tmp/kml.out
}

ipet_run_plan() {
	report "@@BEGIN kernel=$(uname -r) enforcer=$IPET_ENFORCER tree=$IPET_TREE"
	ipe_reset
	for name in $IPET_TESTS; do
		t $name >$RES
	done
	ipet_kmemleak >$RES
	[ -n "$T" ] && [ -d "$T" ] && echo 0 >$T/enforce
	[ -n "$T" ] && [ -f $AUDIT_LOG ] && sed 's/^/@@AUDIT /' $AUDIT_LOG >$RES
	[ -n "$T" ] && [ -f $AUDIT_RAW ] && sed 's/^/@@AUDITRAW /' $AUDIT_RAW >$RES
	report "@@DMESG-BEGIN"
	dmesg >$RES
	report "@@DMESG-END"
	report "@@END"
}
