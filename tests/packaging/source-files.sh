#!/bin/bash
# SPDX-License-Identifier: MIT
# packaging/source-files.sh: what the source packages hold never includes a
# private key, with git and without.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
LS=$TOP/packaging/source-files.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '  %s\n' "$@"; }
listed() { tr '\0' '\n' <"$T/out"; }

mk() {
	rm -rf "$T/tree" && mkdir -p "$T/tree/sub"
	cp "$TOP/.gitignore" "$T/tree/"
	echo 'int x;' >"$T/tree/a.c"
	echo 'static const char *m = "-----BEGIN PRIVATE KEY-----";' >"$T/tree/quoted.c"
	openssl genpkey -algorithm ed25519 -out "$T/tree/sub/policy-signing.key" 2>/dev/null
	cp "$T/tree/sub/policy-signing.key" "$T/tree/sub/signer.pem"
}

for mode in git plain; do
	mk
	if [ $mode = git ]; then
		git -C "$T/tree" init -q && git -C "$T/tree" add -A >/dev/null 2>&1
	fi
	if bash "$LS" "$T/tree" >"$T/out" 2>"$T/err"; then
		ok "$mode: a tree with keygen's files is listed"
	else
		ko "$mode: a tree with keygen's files is listed" "$(cat "$T/err")"
	fi
	listed | grep -q '\.key$\|\.pem$' && ko "$mode: no .key or .pem listed" "$(listed)" ||
		ok "$mode: no .key or .pem listed"
	listed | grep -qx a.c && listed | grep -qx quoted.c && ok "$mode: the sources are listed" ||
		ko "$mode: the sources are listed" "$(listed)"
	cp "$T/tree/sub/signer.pem" "$T/tree/sub/notes.txt"
	[ $mode = git ] && git -C "$T/tree" add sub/notes.txt
	if bash "$LS" "$T/tree" >"$T/out" 2>"$T/err"; then
		ko "$mode: a private key under another name fails the listing"
	elif grep -q "sub/notes.txt holds a private key" "$T/err"; then
		ok "$mode: a private key under another name fails the listing"
	else
		ko "$mode: a private key under another name fails the listing" "$(cat "$T/err")"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
