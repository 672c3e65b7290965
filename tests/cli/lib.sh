# SPDX-License-Identifier: MIT
# Shared by the tests/cli scripts: pass/fail counting and expect.
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '  %s\n' "$@"; }
# check NAME CMD...: CMD succeeds.
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else ko "$name" "command failed: $*"; fi; }
# expect NAME WANT_RC REGEX CMD...: CMD exits WANT_RC and its output
# (stdout and stderr) matches REGEX.
expect() {
	local name=$1 want_rc=$2 re=$3 out rc
	shift 3
	out=$("$@" 2>&1); rc=$?
	if [ $rc -ne "$want_rc" ]; then ko "$name" "exit $rc, want $want_rc" "$out"
	elif ! grep -Eq -- "$re" <<<"$out"; then ko "$name" "no /$re/ in:" "$out"
	else ok "$name"; fi
}
