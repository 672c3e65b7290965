#!/bin/bash
# SPDX-License-Identifier: MIT
# ipectl keygen/sign/verify against OpenSSL's own smime.
# Usage: test_sign.sh PATH/TO/ipectl
set -u
IPECTL=${1:?usage: $0 ipectl}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '  %s\n' "$@"; }
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else ko "$name" "command failed: $*"; fi; }
# expect NAME WANT_RC REGEX CMD...
expect() {
	local name=$1 want_rc=$2 re=$3 out rc
	shift 3
	out=$("$@" 2>&1); rc=$?
	if [ $rc -ne "$want_rc" ]; then ko "$name" "exit $rc, want $want_rc" "$out"
	elif ! grep -Eq -- "$re" <<<"$out"; then ko "$name" "no /$re/ in:" "$out"
	else ok "$name"; fi
}
SMIME="openssl smime -sign -noattr -nodetach -nosmimecap -binary -outform der"

mkdir rsa ec other
expect "keygen RSA" 0 "mokutil --import" "$IPECTL" keygen -d rsa --cn "ipe test"
expect "keygen refuses to overwrite" 1 "--force replaces it" "$IPECTL" keygen -d rsa
expect "keygen ECDSA" 0 "Certificate:" "$IPECTL" keygen -d ec --ecdsa
"$IPECTL" keygen -d other --cn other >/dev/null
expect "key is private (0600)" 0 "^600$" stat -c %a rsa/policy-signing.key
expect "certificate: codeSigning" 0 "Code Signing" openssl x509 -in rsa/policy-signing.crt -noout -text
expect "DER certificate parses" 0 "ipe test" openssl x509 -inform der -in rsa/policy-signing.der -noout -subject

printf 'policy_name=t policy_version=1.0.0\nDEFAULT action=ALLOW\n# \x00 binary after a NUL\n' >p.pol
K="-k rsa/policy-signing.key -c rsa/policy-signing.crt"
expect "sign" 0 "signed p.pol -> p.p7s" "$IPECTL" sign $K p.pol
$SMIME -in p.pol -signer rsa/policy-signing.crt -inkey rsa/policy-signing.key -out o.p7s
if cmp -s p.p7s o.p7s; then ok "sign writes exactly what openssl smime -sign writes"; else ko "sign writes exactly what openssl smime -sign writes" "$(cmp p.p7s o.p7s)"; fi
check "openssl smime -verify accepts ipectl's signature" \
	openssl smime -verify -inform der -in p.p7s -CAfile rsa/policy-signing.crt -purpose any -binary -out rec.pol
if cmp -s rec.pol p.pol; then ok "openssl recovers the exact policy bytes"; else ko "openssl recovers the exact policy bytes"; fi
expect "ipectl verify accepts openssl's signature" 0 "OK: signed by CN = ipe test, chains" "$IPECTL" verify -c rsa/policy-signing.crt o.p7s
"$IPECTL" verify --show o.p7s >shown.pol
if cmp -s shown.pol p.pol; then ok "verify --show gives the exact bytes"; else ko "verify --show gives the exact bytes"; fi
expect "ECDSA sign and openssl verify" 0 "" sh -c "'$IPECTL' sign -k ec/policy-signing.key -c ec/policy-signing.crt -o e.p7s p.pol && openssl smime -verify -inform der -in e.p7s -CAfile ec/policy-signing.crt -purpose any -binary -out /dev/null"
expect "wrong certificate" 1 "does not verify against other/policy-signing.crt.*\(EKEYREJECTED\)" "$IPECTL" verify -c other/policy-signing.crt p.p7s
expect "key and certificate mismatch" 1 "does not belong to" "$IPECTL" sign -k rsa/policy-signing.key -c other/policy-signing.crt -o x.p7s p.pol
printf 'garbage' >g.p7s
expect "garbage" 1 "not a DER PKCS#7 signed message.*\(EBADMSG\)" "$IPECTL" verify g.p7s
head -c 300 p.p7s >t.p7s
expect "truncated" 1 "not a DER PKCS#7 signed message.*\(EBADMSG\)" "$IPECTL" verify t.p7s
$SMIME -in p.pol -signer rsa/policy-signing.crt -inkey rsa/policy-signing.key -out d.p7s 2>/dev/null
openssl smime -sign -noattr -nosmimecap -binary -outform der -in p.pol -signer rsa/policy-signing.crt -inkey rsa/policy-signing.key -out det.p7s
expect "detached signature" 1 "not inside the message" "$IPECTL" verify det.p7s
# flip one byte of the signature (near the end)
python3 -c "import sys; b=bytearray(open('p.p7s','rb').read()); b[-5]^=1; open('bad.p7s','wb').write(b)"
expect "corrupted signature" 1 "does not verify" "$IPECTL" verify bad.p7s
head -c 70000 /dev/zero >big.p7s
expect "oversized" 1 "over 65535 bytes \(EMSGSIZE\)" "$IPECTL" verify big.p7s
{ echo "policy_name=big policy_version=1.0.0"; echo "DEFAULT action=ALLOW"
  for i in $(seq 1 700); do printf 'op=EXECUTE fsverity_digest=sha256:%064x action=ALLOW\n' $i; done; } >big.pol
expect "sign refuses a policy the kernel would refuse (EMSGSIZE)" 1 "refuses more than 65535 \(EMSGSIZE\)" "$IPECTL" sign $K -o big.p7s big.pol
printf 'policy_name=t policy_version=1.0.0\nbogus\n' >inv.pol
expect "sign checks first" 1 "not a valid policy: not signed" "$IPECTL" sign $K -o inv.p7s inv.pol
[ ! -e inv.p7s ] && ok "nothing written for an invalid policy" || ko "nothing written for an invalid policy"
expect "sign keeps an existing output" 1 "--force replaces it" "$IPECTL" sign $K -o o.p7s p.pol
expect "missing key" 1 "cannot open key" "$IPECTL" sign -k nokey -c rsa/policy-signing.crt -o y.p7s p.pol
out=$("$IPECTL" verify --json -c rsa/policy-signing.crt p.p7s g.p7s)
if python3 -c '
import json, sys
a, b = (json.loads(l) for l in sys.argv[1].splitlines())
assert a["valid"] and a["policy"] == {"name": "t", "version": "1.0.0"} and "ipe test" in a["signer"], a
assert not b["valid"] and b["errno"] == "EBADMSG", b
' "$out"; then ok "verify --json parses"; else ko "verify --json parses" "$out"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
