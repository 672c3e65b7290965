# SPDX-License-Identifier: GPL-2.0
# tests/vm/demo.sh: the guest side of `make demo` (tests/vm/run --demo): a
# short story on the console, told with the real commands on a stock kernel.

K=/lib/ipet/keys
say() { echo "@@SAY $*" >$RES; }
# run CMD...: show the command and its output
run() {
	say "  # $*"
	set +e
	"$@" >/tmp/demo.out 2>&1
	rc=$?
	set -e
	sed 's/^/@@SAY     /' /tmp/demo.out >$RES
	return 0
}
pause() { sleep "${1:-1}"; }

ipet_demo() {
	set -e
	report "@@BEGIN kernel=$(uname -r) enforcer=$IPET_ENFORCER tree=$IPET_TREE"
	say ""
	say "=== 1. IPE on a stock kernel: Debian's $(uname -r), no IPE built in"
	run sh -c "grep -o 'ipe' /sys/kernel/security/lsm || echo 'LSM list: '\$(cat /sys/kernel/security/lsm)"
	say "The ipe_lkm module is loaded; ipectl finds its policy tree:"
	run ipectl status
	say ""
	say "=== 2. A policy: run only what comes from the initramfs or from the"
	say "    dm-verity volume mounted on /mnt/dmv (root hash $DMV_ROOTHASH)"
	cat >/tmp/site.pol <<POL
policy_name=site policy_version=1.0.0
DEFAULT action=ALLOW
DEFAULT op=EXECUTE action=DENY
op=EXECUTE boot_verified=TRUE action=ALLOW
op=EXECUTE dmverity_roothash=sha256:$DMV_ROOTHASH action=ALLOW
POL
	run cat /tmp/site.pol
	run ipectl check /tmp/site.pol
	say "Signed with the fleet's key (its certificate is in the UEFI db, so the"
	say "kernel's platform keyring trusts it):"
	run ipectl sign -k $K/ca.key -c $K/ca.crt /tmp/site.pol
	run ipectl deploy --activate /tmp/site.p7s
	run ipectl list
	say ""
	say "=== 3. A program from the trusted dm-verity volume runs"
	run /mnt/dmv/ipet hello
	say "    ... and an identical copy outside it is denied:"
	mkdir -p /untrusted/bin && cp /mnt/dmv/ipet /untrusted/bin/ipet
	audit_mark
	run /untrusted/bin/ipet hello
	say "    the kernel's audit record of the denial:"
	audit_recs 1420 | sed 's/^/@@SAY     type=1420 /' >$RES
	run ipectl explain /untrusted/bin/ipet
	say ""
	say "=== 4. Permissive mode: the copy runs, and is still audited"
	run ipectl enforce off
	audit_mark
	run /untrusted/bin/ipet hello
	audit_recs 1420 | head -n 1 | sed 's/^/@@SAY     type=1420 /' >$RES
	run ipectl enforce on
	say ""
	say "=== 5. While it enforces a policy, the module cannot be removed"
	run rmmod -f ipe_lkm
	run ipectl unload
	say ""
	say "=== Shown: ipe_lkm enforced an upstream-IPE policy on Debian's stock"
	say "    $(uname -r): signed, deployed and activated with ipectl; a binary"
	say "    from a dm-verity volume ran, its untrusted copy was denied with an"
	say "    audit record (type 1420), permissive mode let it run and still"
	say "    audited it, and the module refused removal while enforcing."
	report "@@END"
}
