# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/58-cache.sh: the decision cache (module/cache.c) against no
# cache, differentially, with helpers/cachediff.c (ipe_lkm only).
#
# cachediff performs, from a seed it prints, a random sequence of
# mmap(PROT_EXEC) / mprotect(+PROT_EXEC) / execve of trusted and untrusted
# files (rootfs, the two dm-verity volumes, signed, unsigned and plain
# fs-verity files, tmpfs), file rewrites (same inode) and renames, files
# created, fs-verity enabled (signed or not) and deleted, drop_caches, and
# less often deploy/update/activate/delete of the pre-signed policies
# ca..cd (lib/fixtures.sh cache_policy_set), enforce and success_audit
# switches, and table swaps of its own dm-verity volume (/mnt/cdm, pair
# 2): verity, and verity with ignore_zero_blocks or check_at_most_once
# (no root hash for ipe_lkm) or restart_on_corruption (trusted).  (verity
# is an immutable target: no other target type can replace it.)
#
# The verdicts come from the test build (/lib/ipet/enforcer-fault.ko):
# - cache_check=1 evaluates every decision the cache answers afresh too
#   and counts the differences (cache_stats "mismatches"): the
#   differential test on every single cached decision;
# - for the audit side, the same seed is replayed twice on fresh
#   fixtures, cache=1 then cache=0: the errno of every step, the 1420,
#   1421, 1422 and 1404 records (pid and ino normalised) and every
#   policy's rule_hits must be the same;
# - cache_bug=NAME leaves one invalidation out on purpose: the same driver
#   must then see mismatches (the differential test seen failing).
# Decisions are counted as cache_stats' hits + misses (the decisions the
# cache was asked about: every one on a file while the cache is on).

CACHE_KO=/lib/ipet/enforcer-fault.ko
CACHE_DRIVE_ARGS=
CACHE_PAR=/sys/module/ipe_lkm/parameters
COVL=/untrusted/c/ovl

# cache_fixture: what cachediff works on (idempotent).
cache_fixture() {
	need module
	[ -f $CACHE_KO ] || fail "no test build staged"
	is_mounted /mnt/dmv || fail "dm-verity fixture missing"
	fsv_prepare
	CPOL=/lib/ipet/stress/$DMV_ROOTHASH/cache
	[ -f $CPOL/ca_1.p7s ] || fail "no cache test policies for the root hash $DMV_ROOTHASH"
	dmv_dev c_dm >/dev/null || expect_eq "$(dmv_open c_dm 2)" OK "open c_dm"
	mkdir -p /mnt/cdm /untrusted/c /mnt/fsv/scratch/c
	is_mounted /mnt/cdm || mount -t ext4 -o ro $(dmv_dev c_dm) /mnt/cdm
	audit_mark
	cp /run/ipet.amark /run/ipet.cache.amark
	trap cache_cleanup EXIT
}

# cache_cleanup: at the test's exit, whatever its verdict.  A passing
# test's audit records are dropped (tens of thousands with success_audit:
# the runner would copy them over the serial line for minutes).
cache_cleanup() {
	rc=$?
	set +e
	if [ $rc = 0 ]; then
		cp /run/ipet.cache.amark /run/ipet.amark
		audit_drop_since_mark "passed"
	fi
	echo 0 >$T/enforce 2>/dev/null
	is_mounted $COVL/m && umount $COVL/m
	is_mounted /mnt/cdm && umount /mnt/cdm
	dmv_dev c_dm >/dev/null && dmv_close c_dm
	rm -rf /untrusted/c /mnt/fsv/scratch/c
	restore_module >/dev/null 2>&1 || echo "cache_cleanup: restore_module failed"
}

# cache_load [PARAM...]: the test build, enforcing, success_audit off, the
# cache counters at zero.
cache_load() {
	swap_module $CACHE_KO "$@"
	expect_eq "$(ipet writes $T/enforce 1)" OK "enforce 1"
	expect_eq "$(ipet writes $T/success_audit 0)" OK "success_audit 0"
}

# cache_stat FIELD: hits, misses, stores or mismatches.
cache_stat() {
	awk -v f=$1 '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }' $CACHE_PAR/cache_stats
}

# cache_drive SEED STEPS [ARG...]: one cachediff run; its summary line on
# stdout and in /tmp/cd.out.
cache_drive() {
	s=$1 n=$2
	shift 2
	cachediff -s $s -n $n -t $T -P $CPOL -E 100 -U /untrusted/c -S /mnt/fsv/scratch/c \
		-x /usr/bin/ipet -l /lib/ipet/libipetlib.so \
		-g /mnt/fsv/sig/ipet.sig -G /mnt/fsv/sig/libipetlib.so.sig \
		-d c_dm -T "0 $DMV_SECTORS verity $(dmv_table 2)" \
		-T "0 $DMV_SECTORS verity $(dmv_table 2 '1 ignore_zero_blocks')" \
		-T "0 $DMV_SECTORS verity $(dmv_table 2 '1 check_at_most_once')" \
		-T "0 $DMV_SECTORS verity $(dmv_table 2 '1 restart_on_corruption')" \
		-b 65536 $CACHE_DRIVE_ARGS "$@" \
		x:/usr/bin/ipet m:/lib/ipet/libipetlib.so \
		x:/mnt/dmv/ipet m:/mnt/dmv/libipetlib.so \
		x:/mnt/cdm/ipet m:/mnt/cdm/libipetlib.so m:/mnt/cdm/uselib \
		x:/mnt/fsv/signed/ipet m:/mnt/fsv/signed/libipetlib.so m:/mnt/fsv/signed/fixture.ko \
		x:/mnt/fsv/unsigned/ipet m:/mnt/fsv/unsigned/libipetlib.so \
		m:/mnt/fsv/unsigned/ipet-test.bin \
		x:/mnt/fsv/plain/ipet m:/mnt/fsv/plain/libipetlib.so >/tmp/cd.out 2>&1 ||
		{ cat /tmp/cd.out; fail "cachediff failed"; }
	tail -n 1 /tmp/cd.out
}

# cache_report WHAT: the counters, to the host and the test's output.
cache_report() {
	line="$IPET_KERNEL $(uname -m) $1: $(cat $CACHE_PAR/cache_stats)"
	echo "$line"
	report "@@SAY       cache: $line"
}

# cache_diff SEED STEPS MIN [PARAM...]: cachediff runs from SEED on (SEED,
# SEED+1, ...), each in a freshly loaded test build with cache_check=1 and
# PARAMs (so that each has policy versions left), until the cache was
# asked MIN times in all; no mismatch, the cache really used.
cache_diff() {
	seed0=$1 seed=$1 steps=$2 min=$3
	shift 3
	t0=$(now_cs)
	hits=0 misses=0
	while :; do
		cache_load cache_check=1 "$@"
		cache_drive $seed $steps
		cat /tmp/cd.out
		expect_match "$(tail -n 1 /tmp/cd.out)" ' odd=0 ' "decisions other than OK/EACCES"
		expect_eq "$(cache_stat mismatches)" 0 "mismatches after seed $seed ($(dmesg | grep 'ipe_lkm: cache:' | head -n 3))"
		hits=$((hits + $(cache_stat hits))) misses=$((misses + $(cache_stat misses)))
		[ $((hits + misses)) -lt $min ] || break
		seed=$((seed + 1))
	done
	dt=$(($(now_cs) - t0))
	line="$IPET_KERNEL $(uname -m) $*: seeds $seed0..$seed, $((hits + misses)) decisions, $((dt / 100)) s: hits $hits misses $misses mismatches 0"
	echo "$line"
	report "@@SAY       cache: $line"
	report "@@SAY       cache: last run: $(tail -n 1 /tmp/cd.out)"
	grep '^cachediff\[' /tmp/cd.out | head -n 4 | while read -r l; do report "@@SAY       cache: $l"; done
	[ $hits -gt 0 ] || fail "no cache hit"
	# the cache answers most decisions on files that stay: at least a
	# third here (what is decided on a suspended dm device, or after a
	# change, is not)
	[ $((hits * 3)) -ge $((hits + misses)) ] || fail "only $hits hits of $((hits + misses))"
}

# A few thousand decisions without a difference, then one bug injected on
# purpose that the same driver must see.
t_cache_diff_smoke() { # smoke
	cache_fixture
	cache_diff $(now_cs) 3000 2000
	cache_load cache_check=1 cache_bug=policy
	CACHE_DRIVE_ARGS=-A cache_drive 1 3000
	cache_report "cache_bug=policy"
	[ "$(cache_stat mismatches)" -gt 0 ] || fail "cache_bug=policy: no mismatch"
}

# >= 100 000 decisions, every cached one checked afresh.
t_cache_diff_long() {
	cache_fixture
	cache_diff $(now_cs) 20000 100000
}

# The same with the fs-verity signature set limited to 2 records: evictions
# must invalidate (the control of cache_bug=fsverity).
t_cache_diff_evict() {
	cache_fixture
	cache_diff $(now_cs) 3000 4000 signed_max=2
}

# cache_audit_run CACHE SEED STEPS OUT: a fresh test build with the cache
# CACHE, one run; OUT.trace, OUT.audit (normalised), OUT.hits.
cache_audit_run() {
	cache_load cache=$1
	audit_mark
	cache_drive $2 $3 -o $4.trace
	expect_match "$(tail -n 1 /tmp/cd.out)" ' audit_lost=0$' "audit records lost"
	audit_since | awk '$1 == 1420 || $1 == 1421 || $1 == 1422 || $1 == 1404 || $1 == 1405 {
		$2 = ""; print }' | sed -E 's/ pid=[0-9]+/ pid=N/; s/ ino=[0-9]+/ ino=N/' >$4.audit
	for p in $T/policies/*; do
		echo "${p##*/}"
		cat $p/rule_hits
	done >$4.hits
	echo 0 >$T/enforce
	echo "cache=$1: $(cache_stat hits) hits, $(cache_stat misses) misses," \
		"$(grep -c '' $4.trace) steps, $(grep -c '^1420 ' $4.audit) 1420 records"
}

# cache_cmp A B WHAT: identical files, or the first differences.
cache_cmp() {
	cmp -s $1 $2 && return 0
	diff $1 $2 | head -n 20
	fail "$3 differ with and without the cache"
}

# The audit side: the same seed, cache on then off, fresh fixtures each
# time: the same errno at every step, the same audit records, the same hit
# counts.
t_cache_diff_audit() {
	cache_fixture
	seed=$(now_cs)
	cache_audit_run 1 $seed 4000 /tmp/cda1
	h=$(cache_stat hits)
	cache_audit_run 0 $seed 4000 /tmp/cda0
	[ "$h" -gt 0 ] || fail "the cache=1 run had no hit"
	[ "$(cache_stat hits)" = 0 ] || fail "cache=0 and yet $(cache_stat hits) hits"
	[ $(grep -c '^1420 ' /tmp/cda1.audit) -ge 100 ] || fail "too few 1420 records"
	cache_cmp /tmp/cda1.trace /tmp/cda0.trace "decisions (seed $seed)"
	cache_cmp /tmp/cda1.audit /tmp/cda0.audit "audit records (seed $seed)"
	cache_cmp /tmp/cda1.hits /tmp/cda0.hits "rule_hits (seed $seed)"
	cache_report "audit replay seed $seed: $(grep -c '' /tmp/cda1.audit) records equal, cache=1 run: $h hits; cache=0 run"
}

# cache_bug NAME MAXRUNS [PARAM...]: with that invalidation left out, the
# driver must see mismatches within MAXRUNS runs of 3000 steps.
cache_bug() {
	bug=$1 max=$2
	shift 2
	cache_load cache_check=1 cache_bug=$bug "$@"
	dmesg -c >/dev/null
	i=1
	while [ "$(cache_stat mismatches)" = 0 ] && [ $i -le $max ]; do
		cache_drive $i 3000
		i=$((i + 1))
	done
	dmesg | grep 'ipe_lkm: cache:' | head -n 5
	cache_report "cache_bug=$bug $*, seeds 1..$((i - 1))"
	[ "$(cache_stat mismatches)" -gt 0 ] || fail "cache_bug=$bug: no mismatch in $max runs"
}

# cache_bug=policy serves a decision another policy made (its slot read
# against the active one; the test build counts a slot beyond it as a
# difference): cachediff -A frees none, so that stale entries abound.
t_cache_bug_policy() { cache_fixture; CACHE_DRIVE_ARGS=-A cache_bug policy 3; }
t_cache_bug_verity() { cache_fixture; cache_bug verity 5; }
t_cache_bug_free() { cache_fixture; cache_bug free 5; }
t_cache_bug_dm() { cache_fixture; cache_bug dm 5; }
t_cache_bug_fsverity() { cache_fixture; cache_bug fsverity 5 signed_max=2; }

# overlayfs: the cache keys a file by its real inode, the layer's
# (d_real_inode()), which the inline lookup leaves to the out-of-line one
# (module/cache.h, ipe_lkm_cache_lookup_quick()).  cache_overlay [PARAM...]
# mounts an overlay whose lower layer is the dm-verity volume: a mapping
# through it is allowed, and answered from the cache as one of the volume
# itself is (each checked afresh: cache_check=1); then the file is
# rewritten through the overlay, which copies it up (its real inode is now
# the upper layer's, on tmpfs), and mapped again: $COVL_AFTER.
cache_overlay() {
	grep -qw overlay /proc/filesystems || skip "no overlayfs in this kernel"
	cache_fixture
	mkdir -p $COVL/upper $COVL/work $COVL/m
	mount -t overlay overlay -o lowerdir=/mnt/dmv,upperdir=$COVL/upper,workdir=$COVL/work $COVL/m
	cache_load cache_check=1 "$@"
	ipe_use t_covl "DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
		"op=EXECUTE boot_verified=TRUE action=ALLOW" \
		"op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW"
	for f in /mnt/dmv/libipetlib.so $COVL/m/libipetlib.so; do
		expect_eq "$(ipet mmap $f)" OK "mmap $f"
	done
	h0=$(cache_stat hits)
	expect_eq "$(ipet mmap /mnt/dmv/libipetlib.so)" OK "mmap from the volume, again"
	h1=$(cache_stat hits)
	expect_eq "$(ipet mmap $COVL/m/libipetlib.so)" OK "mmap through the overlay, again"
	h2=$(cache_stat hits)
	expect_eq $((h2 - h1)) $((h1 - h0)) "cache hits of a run mapping through the overlay, and of one mapping from the volume"
	cat /mnt/dmv/libipetlib.so >$COVL/m/libipetlib.so
	[ -f $COVL/upper/libipetlib.so ] || fail "no copy-up"
	COVL_AFTER=$(ipet mmap $COVL/m/libipetlib.so || true)
	umount $COVL/m
	cache_report "overlay $*: copied up, then $COVL_AFTER"
}

t_cache_overlay() { # smoke
	cache_overlay
	expect_eq "$COVL_AFTER" EACCES "mmap after the copy-up"
	expect_eq "$(cache_stat mismatches)" 0 "mismatches"
}

# cache_bug=overlay keys by the overlay's own inode, which the copy-up does
# not change: the copied-up file's decision comes from the cache, stale.
t_cache_bug_overlay() {
	cache_overlay cache_bug=overlay
	[ "$(cache_stat mismatches)" -gt 0 ] || fail "cache_bug=overlay: no mismatch"
}
