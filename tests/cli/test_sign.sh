#!/bin/bash
# SPDX-License-Identifier: MIT
# ipectl keygen/sign/verify against OpenSSL's own smime.
# Usage: test_sign.sh PATH/TO/ipectl
set -u
. "$(dirname "$0")/lib.sh"
IPECTL=${1:?usage: $0 ipectl}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
SMIME="openssl smime -sign -noattr -nodetach -nosmimecap -binary -outform der"

mkdir rsa ec other
expect "keygen RSA" 0 "Private key: .*not encrypted" "$IPECTL" keygen -d rsa --cn "ipe test"
expect "keygen refuses to overwrite" 1 "--force replaces them" "$IPECTL" keygen -d rsa
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
# a device (-o /dev/null) is written to, never renamed over: a device node
# of our own, so that a regression does not replace the system's /dev/null
if mknod null c 1 3 2>/dev/null; then
	check "sign -o DEVICE writes to the device" "$IPECTL" sign $K -o null --force p.pol
	if [ -c null ]; then ok "the device is still a device"; else ko "the device is still a device" "$(ls -l null)"; fi
fi
mkdir odir
expect "sign -o DIR: a usage error (exit 1), the directory kept" 1 "cannot write odir: Is a directory" "$IPECTL" sign $K -o odir --force p.pol
[ -d odir ] && [ -z "$(ls -A odir)" ] && ok "-o DIR: the directory is untouched" || ko "-o DIR: the directory is untouched" "$(ls -la odir)"
expect "sign DIR: exit 1, says why" 1 "odir: cannot read: Is a directory" "$IPECTL" sign $K -o o2.p7s odir
mkfifo fifo && { timeout 10 cat fifo >fifo.out & }
check "sign -o FIFO writes to the pipe" "$IPECTL" sign $K -o fifo p.pol
wait
if [ -p fifo ] && [ -s fifo.out ]; then ok "the pipe got the signature"; else ko "the pipe got the signature" "$(ls -l fifo fifo.out)"; fi
expect "missing key" 1 "cannot read key" "$IPECTL" sign -k nokey -c rsa/policy-signing.crt -o y.p7s p.pol
out=$("$IPECTL" verify --json -c rsa/policy-signing.crt p.p7s g.p7s)
if python3 -c '
import json, sys
a, b = (json.loads(l) for l in sys.argv[1].splitlines())
assert a["valid"] and a["policy"] == {"name": "t", "version": "1.0.0"} and "ipe test" in a["signer"], a
assert not b["valid"] and b["errno"] == "EBADMSG", b
' "$out"; then ok "verify --json parses"; else ko "verify --json parses" "$out"; fi

# --- the appended-signature format (ipectl sign --appended) ---------------
# split.py BLOB TEXT SIG: the parts of an appended-signature blob, checked
# against docs/policy-formats.md independently of ipectl.
cat >split.py <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read()
magic = b'~IPE policy signature appended~\n'
assert b.endswith(magic), 'no magic at the end'
t = b[:-len(magic)]
algo, hsh, id_type, signer_len, key_id_len = t[-12:-7]
assert (algo, hsh, id_type, signer_len, key_id_len) == (0, 0, 2, 0, 0), t[-12:]
assert t[-7:-4] == b'\0\0\0', 'padding'
sig_len = struct.unpack('>I', t[-4:])[0]
open(sys.argv[2], 'wb').write(t[:-12 - sig_len])
open(sys.argv[3], 'wb').write(t[-12 - sig_len:-12])
PY
# mk.py OUT TEXT SIG [id_type [sig_len [magic]]]: assemble a blob by hand.
cat >mk.py <<'PY'
import struct, sys
text = open(sys.argv[2], 'rb').read()
sig = open(sys.argv[3], 'rb').read()
id_type = int(sys.argv[4]) if len(sys.argv) > 4 else 2
sig_len = int(sys.argv[5]) if len(sys.argv) > 5 else len(sig)
magic = sys.argv[6].encode() + b'\n' if len(sys.argv) > 6 else b'~IPE policy signature appended~\n'
open(sys.argv[1], 'wb').write(text + sig + bytes([0, 0, id_type, 0, 0, 0, 0, 0]) + struct.pack('>I', sig_len) + magic)
PY
expect "sign --appended" 0 "signed p.pol -> a.sig \(.*appended signature\)" "$IPECTL" sign --appended $K -o a.sig p.pol
expect "sign --appended: default output .sig" 0 "signed p.pol -> p.sig" "$IPECTL" sign --appended $K p.pol
if python3 split.py a.sig a.txt a.p7d; then ok "the blob has the documented layout"; else ko "the blob has the documented layout"; fi
if cmp -s a.txt p.pol; then ok "the text comes first, unchanged"; else ko "the text comes first, unchanged"; fi
check "openssl verifies the detached signature over the text" \
	openssl smime -verify -inform der -in a.p7d -content p.pol -CAfile rsa/policy-signing.crt -purpose any -binary -out /dev/null
openssl smime -sign -noattr -nosmimecap -binary -outform der -in p.pol -signer rsa/policy-signing.crt -inkey rsa/policy-signing.key -out os.p7d
if openssl cms -cmsout -print -inform der -in a.p7d | grep -A1 "signedAttrs:" | grep -q "<ABSENT>"; then ok "no signed attributes (-noattr)"; else ko "no signed attributes (-noattr)"; fi
python3 mk.py o.sig p.pol os.p7d
expect "verify accepts a blob made with openssl" 0 "OK: appended signature, signed by CN = ipe test, chains" "$IPECTL" verify -c rsa/policy-signing.crt o.sig
expect "verify --appended, right certificate" 0 "a.sig: OK: appended signature, signed by CN = ipe test, chains" "$IPECTL" verify -c rsa/policy-signing.crt a.sig
expect "verify --appended, wrong certificate" 1 "does not verify against other/policy-signing.crt.*\(EKEYREJECTED\)" "$IPECTL" verify -c other/policy-signing.crt a.sig
"$IPECTL" verify --show a.sig >a.shown
if cmp -s a.shown p.pol; then ok "verify --show prints the exact text"; else ko "verify --show prints the exact text"; fi
expect "check reads the text of an appended-signature file" 0 "a.sig: OK: policy 't' version 1.0.0" "$IPECTL" check a.sig
expect "check says what it checked" 0 "appended signature; checking the [0-9]+ bytes of text" "$IPECTL" check a.sig
out=$("$IPECTL" verify --json a.sig)
if python3 -c '
import json, sys
a = json.loads(sys.argv[1])
assert a["valid"] and a["format"] == "appended" and a["policy"] == {"name": "t", "version": "1.0.0"}, a
' "$out"; then ok "verify --json: format appended"; else ko "verify --json: format appended" "$out"; fi
expect "explain --policy takes an appended-signature file" 0 "policy: +'t' 1.0.0, from a.sig" "$IPECTL" explain --policy a.sig /bin/sh
# tampered text: one byte flipped
python3 -c "import sys; b=bytearray(open('a.sig','rb').read()); b[13]^=1; open('at.sig','wb').write(b)"
expect "tampered text" 1 "does not verify.*\(EKEYREJECTED\)" "$IPECTL" verify at.sig
expect "explain --policy refuses a tampered file" 1 "does not verify" "$IPECTL" explain --policy at.sig /bin/sh
# a valid signature of other text spliced onto this text
printf 'policy_name=t policy_version=2.0.0\nDEFAULT action=DENY\n' >q.pol
"$IPECTL" sign --appended $K -o q.sig q.pol 2>/dev/null
python3 split.py q.sig q.txt q.p7d
python3 mk.py sp.sig p.pol q.p7d
expect "signature over other text" 1 "does not verify.*\(EKEYREJECTED\)" "$IPECTL" verify sp.sig
# the trailer
n=$(stat -c %s a.sig)
head -c $((n - 1)) a.sig >tr.sig
expect "truncated trailer (no magic: not this format)" 1 "not a DER PKCS#7 signed message.*\(EBADMSG\)" "$IPECTL" verify tr.sig
python3 mk.py bm.sig p.pol a.p7d 2 "$(stat -c %s a.p7d)" "~Module signature appended~"
expect "a module signature's magic" 1 "not a DER PKCS#7 signed message.*\(EBADMSG\)" "$IPECTL" verify bm.sig
python3 mk.py bl.sig p.pol a.p7d 2 $((n + 1))
expect "sig_len larger than the blob" 1 "trailer is malformed.*\(EBADMSG\)" "$IPECTL" verify bl.sig
python3 mk.py bz.sig p.pol a.p7d 2 0
expect "sig_len 0" 1 "trailer is malformed.*\(EBADMSG\)" "$IPECTL" verify bz.sig
python3 mk.py bs.sig p.pol a.p7d 2 $(($(stat -c %s a.p7d) - 1))
expect "sig_len one short" 1 "appended signature is not a DER PKCS#7.*\(EBADMSG\)" "$IPECTL" verify bs.sig
python3 mk.py bi.sig p.pol a.p7d 1
expect "id_type not PKCS#7" 1 "does not say PKCS#7 \(id_type 1\).*\(ENOPKG\)" "$IPECTL" verify bi.sig
printf 'abc~IPE policy signature appended~\n' >short.sig
expect "no room for the trailer" 1 "trailer is malformed.*\(EBADMSG\)" "$IPECTL" verify short.sig
python3 mk.py att.sig p.pol p.p7s
expect "a signature with content of its own" 1 "carries a policy of its own.*\(EBADMSG\)" "$IPECTL" verify att.sig
# zero-length text
: >empty.pol
openssl smime -sign -noattr -nosmimecap -binary -outform der -in empty.pol -signer rsa/policy-signing.crt -inkey rsa/policy-signing.key -out empty.p7d
python3 mk.py empty.sig empty.pol empty.p7d
expect "zero-length text: the signature verifies" 3 "INTACT, SIGNER NOT VERIFIED: appended signature" "$IPECTL" verify empty.sig
out=$("$IPECTL" verify --json empty.sig)
if grep -q '"policy":null,"policy_errno":"EBADMSG"' <<<"$out"; then ok "zero-length text: not a policy (EBADMSG)"; else ko "zero-length text: not a policy (EBADMSG)" "$out"; fi
expect "sign --appended refuses an empty policy" 1 "not a valid policy" "$IPECTL" sign --appended $K -o e2.sig empty.pol
# any size: the 700-rule policy refused above, and 100 000 rules (~11 MB)
expect "sign --appended takes what PKCS#7 cannot" 0 "signed big.pol -> bigA.sig" "$IPECTL" sign --appended $K -o bigA.sig big.pol
expect "verify a 700-rule appended policy" 0 "OK: appended signature" "$IPECTL" verify -c rsa/policy-signing.crt bigA.sig
{ echo "policy_name=huge policy_version=1.0.0"; echo "DEFAULT action=ALLOW"
  awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "op=EXECUTE fsverity_digest=sha256:%064x action=ALLOW\n", i }'; } >huge.pol
expect "sign --appended, 100 000 rules" 0 "signed huge.pol -> huge.sig" "$IPECTL" sign --appended $K -o huge.sig huge.pol
[ "$(stat -c %s huge.sig)" -gt 10000000 ] && ok "100 000 rules: over 10 MB" || ko "100 000 rules: over 10 MB" "$(stat -c %s huge.sig)"
expect "verify, 100 000 rules" 0 "OK: appended signature" "$IPECTL" verify -c rsa/policy-signing.crt huge.sig
expect "check, 100 000 rules" 0 "OK: policy 'huge' version 1.0.0, 100000 rules" "$IPECTL" check huge.sig
"$IPECTL" verify --show huge.sig | cmp -s - huge.pol && ok "verify --show, 100 000 rules" || ko "verify --show, 100 000 rules"
expect "deploy needs a tree (checks the blob first)" 2 "no IPE policy tree" env IPECTL_TREE=/nonexistent "$IPECTL" deploy huge.sig
expect "deploy refuses a bad appended blob before the kernel" 1 "tampered|does not verify|EKEYREJECTED" "$IPECTL" deploy --tree /nonexistent at.sig

# --keyrings: the running kernel's keyrings the built-in IPE trusts.  A key
# made here is in none of them (exit 3, as verify without -c); an appended
# signature is refused there whatever its signer.  The positive path needs a
# key in .machine: tests/vm's Secure Boot tier and the install tier show it.
expect "verify --keyrings: a fresh signer is in no kernel keyring" 3 "p.p7s: NOT IN THE KERNEL'S KEYRINGS: signed by CN = ipe test" "$IPECTL" verify --keyrings p.p7s
expect "verify --keyrings --json" 3 '"signer_verified":false,"format":"pkcs7","kernel_keyring":null' "$IPECTL" verify --keyrings --json p.p7s
expect "verify --keyrings: appended signatures are ipe_lkm's only" 3 "NOT FOR THE KERNEL'S IPE: an appended signature.*EBADMSG" "$IPECTL" verify --keyrings bigA.sig
expect "verify: -c and --keyrings together" 1 "two different trust anchors" "$IPECTL" verify --keyrings -c rsa/policy-signing.crt p.p7s

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
