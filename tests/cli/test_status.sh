#!/bin/bash
# SPDX-License-Identifier: MIT
# ipectl status --rules against a tree that is not ipe_lkm's (a directory
# standing for the built-in IPE's): per-rule counters are not available,
# exit 2, in text and in JSON.  The counts themselves need ipe_lkm: the VM
# test t_counters_exact (tests/vm/tests/57-counters.sh).
# Usage: test_status.sh PATH/TO/ipectl
set -u
. "$(dirname "$0")/lib.sh"
IPECTL=${1:?usage: $0 ipectl}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ -d /sys/module/ipe_lkm ]; then
	echo "SKIP test_status.sh: ipe_lkm is loaded here (every tree is taken for its)"
	exit 0
fi
mkdir -p "$T/ipe/policies/p"
printf 1 >"$T/ipe/enforce"
printf 0 >"$T/ipe/success_audit"
printf 1 >"$T/ipe/policies/p/active"
printf 0.1.0 >"$T/ipe/policies/p/version"
export IPE_POLICY_DIR=$T/none IPE_BOOT_POLICY=$T/none.pol

expect "status without --rules: exit 0" 0 "^active policy:  p 0.1.0$" "$IPECTL" status --tree "$T/ipe"
expect "--rules with the built-in IPE: not available, exit 2" 2 \
	"per-rule counters are an ipe_lkm extension: not available with the kernel's built-in IPE" \
	"$IPECTL" status --tree "$T/ipe" --rules
out=$("$IPECTL" status --tree "$T/ipe" --rules 2>/dev/null)
if grep -q "^rules\|hits" <<<"$out"; then ko "--rules prints no table it has not got" "$out"
else ok "--rules prints no table it has not got"; fi
expect "--rules --json: exit 2" 2 '"rules":null,"rules_unavailable":"per-rule counters are an ipe_lkm extension' \
	"$IPECTL" status --tree "$T/ipe" --rules --json
out=$("$IPECTL" status --tree "$T/ipe" --json --rules 2>/dev/null)
if python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); sys.exit(d["rules"] is not None or d["active"]["name"] != "p")' <<<"$out"; then
	ok "--rules --json is one JSON object"
else
	ko "--rules --json is one JSON object" "$out"
fi
expect "status --json without --rules has no rules member" 0 '^\{"enforcer":"builtin".*"configured":\{[^}]*\}\}$' \
	"$IPECTL" status --tree "$T/ipe" --json
expect "other tree commands take no --rules" 1 "'ipectl list' takes no option --rules" "$IPECTL" list --rules

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
