#!/bin/bash
# SPDX-License-Identifier: MIT
# ipectl check: output format, errno names, exit codes, --json.
# Usage: test_check.sh PATH/TO/ipectl
set -u
. "$(dirname "$0")/lib.sh"
IPECTL=${1:?usage: $0 ipectl}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

H='policy_name=t policy_version=1.2.3'
printf '%s\nDEFAULT action=ALLOW\n' "$H" >"$T/good.pol"
printf '%s\nDEFAULT action=ALLOW\nop=EXECUTE bogus action=ALLOW\n' "$H" >"$T/ebadmsg.pol"
printf 'policy_name=t policy_version=1.x.3\nDEFAULT action=ALLOW\n' >"$T/einval.pol"
printf 'policy_name=t policy_version=1.70000.3\nDEFAULT action=ALLOW\n' >"$T/erange.pol"
printf '%s\r\nDEFAULT action=ALLOW\r\nop=EXECUTE fsverity_digest=sha256:abc action=ALLOW\r\n' "$H" >"$T/crlf.pol"
printf '%s\nDEFAULT action=ALLOW\n\0op=bogus\n' "$H" >"$T/nul.pol"
printf 'policy_name=a/b policy_version=1.2.3\nDEFAULT action=ALLOW\n' >"$T/slash.pol"
printf '%s\nDEFAULT action=ALLOW\nop=EXECUTE fsverity_digest=SHA256:abcd action=ALLOW\n' "$H" >"$T/warn.pol"
printf '%s\nDEFAULT action=ALLOW\nop=EXECUTE bogus action=ALLOW\nop=KMODULE fsverity_digest=x:zz action=ALLOW\n' "$H" >"$T/two.pol"
: >"$T/empty.pol"

expect "valid policy: exit 0, summary" 0 "good.pol: OK: policy 't' version 1.2.3, 0 rules" "$IPECTL" check "$T/good.pol"
expect "EBADMSG: FILE:LINE: message (ERRNO)" 1 "^$T/ebadmsg.pol:3: unknown property: 'bogus' \(EBADMSG\)$" "$IPECTL" check "$T/ebadmsg.pol"
expect "EINVAL for a bad version part" 1 "einval.pol:1: .*'x' \(EINVAL\)$" "$IPECTL" check "$T/einval.pol"
expect "ERANGE for a version part > 65535" 1 "erange.pol:1: .*'70000' \(ERANGE\)$" "$IPECTL" check "$T/erange.pol"
expect "CR LF counted as one line" 1 "crlf.pol:3: digest has an odd number of hex digits" "$IPECTL" check "$T/crlf.pol"
expect "empty file: EBADMSG" 1 "empty.pol:1: the policy is empty \(EBADMSG\)" "$IPECTL" check "$T/empty.pol"
expect "NUL: the rest is ignored, with a warning" 0 "nul.pol:3: warning: NUL byte: the kernel ignores it and the 9 bytes after it" "$IPECTL" check "$T/nul.pol"
expect "name with '/': EACCES" 1 "slash.pol:1: .* \(EACCES\)$" "$IPECTL" check "$T/slash.pol"
expect "algorithm case warning does not fail" 0 "warn.pol:3: warning: fs-verity names its digests sha256 or sha512" "$IPECTL" check "$T/warn.pol"
expect "every bad line reported" 1 "two.pol:4: digest has a character that is not a hex digit" "$IPECTL" check "$T/two.pol"
expect "several files: any invalid fails" 1 "good.pol: OK" "$IPECTL" check "$T/good.pol" "$T/ebadmsg.pol"
expect "missing file: exit 1, says why" 1 "cannot read: No such file or directory" "$IPECTL" check "$T/none.pol"
# every command reads the file it is given the same way (ipectl_read_input)
for c in check deploy verify; do
	expect "$c DIR: exit 1, says why" 1 "$T: cannot read: Is a directory" "$IPECTL" $c "$T"
done
expect "explain --policy DIR: exit 1, says why" 1 "$T: cannot read: Is a directory" "$IPECTL" explain --policy "$T" "$T/good.pol"
expect "stdin with -" 0 "^-: OK" "$IPECTL" check - <"$T/good.pol"
expect "no file given: usage, exit 1" 1 "no policy file given" "$IPECTL" check
expect "unknown option: exit 1" 1 "Usage: ipectl check" "$IPECTL" check --bogus "$T/good.pol"
expect "--help: exit 0" 0 "FILE:LINE: message \(ERRNO\)" "$IPECTL" check --help
expect "--quiet hides warnings and the summary" 0 "^$" "$IPECTL" check --quiet "$T/warn.pol"
expect "unknown command: exit 1" 1 "unknown command 'frobnicate'" "$IPECTL" frobnicate

# --json: one object per file, and it parses
out=$("$IPECTL" check --json "$T/good.pol" "$T/two.pol" "$T/warn.pol")
rc=$?
if [ $rc -ne 1 ]; then
	ko "--json exit status" "exit $rc"
elif ! python3 - "$out" <<'PY'
import json, sys
lines = sys.argv[1].splitlines()
assert len(lines) == 3, lines
g, t, w = (json.loads(l) for l in lines)
assert g["valid"] is True and g["errno"] is None and g["policy"] == {"name": "t", "version": "1.2.3", "rules": 0}, g
assert t["valid"] is False and t["errno"] == "EBADMSG" and "policy" not in t, t
assert [(e["line"], e["errno"]) for e in t["errors"]] == [(3, "EBADMSG"), (4, "EINVAL")], t
assert t["errors"][0]["column"] == 12 and t["errors"][0]["token"] == "bogus", t
assert w["valid"] is True and w["warnings"][0]["line"] == 3, w
PY
then
	ko "--json parses and says what happened" "$out"
else
	ok "--json parses and says what happened"
fi

# explain against a policy file, on this host (no enforcer needed): a
# plain file is not boot_verified, has no verity; the rule that decides
printf 'policy_name=ex policy_version=0.0.1\nDEFAULT action=ALLOW\nop=EXECUTE boot_verified=FALSE action=DENY\n' >"$T/ex.pol"
echo data >"$T/ex.file"
expect "explain: the deciding rule and its line" 0 "decided by:  line 3: op=EXECUTE boot_verified=FALSE action=DENY" "$IPECTL" explain --policy "$T/ex.pol" "$T/ex.file"
expect "explain --json" 0 '"policy":"ex","action":"DENY","rule":"op=EXECUTE boot_verified=FALSE action=DENY","line":3' "$IPECTL" explain --json --policy "$T/ex.pol" "$T/ex.file"
expect "explain --op KMODULE: the DEFAULT decides" 0 "decision:    ALLOW" "$IPECTL" explain --op KMODULE --policy "$T/ex.pol" "$T/ex.file"
expect "explain: unknown op" 1 "unknown op 'NOPE'" "$IPECTL" explain --op NOPE --policy "$T/ex.pol" "$T/ex.file"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
