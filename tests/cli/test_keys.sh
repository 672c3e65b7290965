#!/bin/bash
# SPDX-License-Identifier: MIT
# ipectl keygen and the signing key: files no one else can have opened or
# redirected, directories no one else can write, encrypted keys, no
# default key path.
# Usage: test_keys.sh PATH/TO/ipectl
set -u
. "$(dirname "$0")/lib.sh"
IPECTL=$(realpath "${1:?usage: $0 ipectl}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
chmod 755 "$T"
# is NAME VALUE WANT
is() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', want '$3'"; fi; }
# Run without a controlling terminal, as a script or a service would.
notty() { setsid -w "$@" </dev/null; }
private() { mkdir -m 700 "$1"; }
KG() { notty "$IPECTL" keygen --ecdsa "$@"; }

printf 'policy_name=t policy_version=1.0.0\nDEFAULT action=ALLOW\n' >p.pol

# --- where the key may go
private d0
expect "keygen in a private directory" 0 "keep it off the machines that enforce" KG -d d0
is "key 0600" "$(stat -c %a d0/policy-signing.key)" 600
is "certificate 0644" "$(stat -c %a d0/policy-signing.crt)" 644
is "no temporary file left" "$(ls -A d0 | grep -c '^\.')" 0
expect "a leaf: CA:FALSE" 0 "CA:FALSE" openssl x509 -in d0/policy-signing.crt -noout -ext basicConstraints
expect "keyUsage digitalSignature only" 0 "^ *Digital Signature$" openssl x509 -in d0/policy-signing.crt -noout -ext keyUsage
for d in 10x 0 -5 "" 36501 99999999999; do
	private "dd$d"
	expect "keygen --days '$d' refused" 1 "--days '$d': not a number of days" KG -d "dd$d" --days "$d"
	is "--days '$d': nothing written" "$(ls -A "dd$d" | wc -l)" 0
done
private dd7
expect "keygen --days 7" 0 "CN=" KG -d dd7 --days 7 --cn seven
is "--days 7: notAfter 7 days on" "$(( ($(date -d "$(openssl x509 -in dd7/policy-signing.crt -noout -enddate | cut -d= -f2)" +%s) - $(date +%s) + 3600) / 86400 ))" 7
expect "codeSigning" 0 "Code Signing" openssl x509 -in d0/policy-signing.crt -noout -ext extendedKeyUsage
expect "the default CN names the host and day" 0 "CN ?= ?IPE policy signing $(hostname | cut -c1-64) [0-9]{4}-[0-9]{2}-[0-9]{2}" \
	openssl x509 -in d0/policy-signing.crt -noout -subject
mkdir -m 777 shared
expect "a directory others can write is refused" 1 "can be written by its group or by others \(mode 0777\)" KG -d shared
chmod 1777 shared
expect "a sticky world-writable directory too" 1 "mode 1777" KG -d shared
mkdir -m 770 grp
expect "a group-writable directory is refused" 1 "mode 0770" KG -d grp
is "nothing written there" "$(ls -A shared grp | grep -c policy)" 0
private theirs
chown nobody theirs
expect "another user's directory is refused" 1 "belongs to another user" KG -d theirs
expect "a missing directory" 1 "nope: No such file" KG -d nope

# --- what is already there
private d1
: >d1/policy-signing.key
chmod 666 d1/policy-signing.key
ln d1/policy-signing.key held.key	# a handle kept on the pre-created file
expect "a pre-created key file is refused" 1 "already holds a signing key" KG -d d1
expect "--force replaces it, with a warning" 0 "could be read by others \(mode 0666\)" KG -d d1 --force
is "the new key is 0600" "$(stat -c %a d1/policy-signing.key)" 600
is "the pre-created file never got the key" "$(stat -c %s held.key)" 0
if [ "$(stat -c %i d1/policy-signing.key)" != "$(stat -c %i held.key)" ]; then ok "the key is a new file"; else ko "the key is a new file"; fi

private d2
ln -s "$T/planted.key" d2/policy-signing.key
expect "a dangling symlink counts as existing" 1 "already holds" KG -d d2
expect "--force over a dangling symlink" 0 "Private key" KG -d d2 --force
[ -e planted.key ] && ko "the symlink was not followed" "planted.key created" || ok "the symlink was not followed"
[ -L d2/policy-signing.key ] && ko "the symlink is replaced" || ok "the symlink is replaced"
is "the key is 0600" "$(stat -c %a d2/policy-signing.key)" 600

private d3
echo victim >victim
chmod 600 victim
ln -s "$T/victim" d3/policy-signing.crt
expect "--force over a .crt symlink" 0 "Certificate" KG -d d3 --force
is "the symlink's target is untouched" "$(cat victim)" victim
is "and keeps its mode" "$(stat -c %a victim)" 600
[ -f d3/policy-signing.crt ] && [ ! -L d3/policy-signing.crt ] && ok ".crt is a regular file" || ko ".crt is a regular file"

private d4
mkdir d4/policy-signing.der
expect "a directory in the way fails (a usage error, exit 1, as for sign -o DIR) and leaves no half set" 1 "cannot write d4/policy-signing.der" KG -d d4 --force
is "no key left behind" "$(ls d4)" policy-signing.der

# --- encrypted keys
private e
export IPET_PASS='correct horse'
expect "keygen --passphrase-env" 0 "\(encrypted;" KG -d e --passphrase-env IPET_PASS
expect "the key is encrypted (PKCS#8)" 0 "BEGIN ENCRYPTED PRIVATE KEY" cat e/policy-signing.key
K="-k e/policy-signing.key -c e/policy-signing.crt"
expect "sign: no passphrase and no terminal" 1 "is encrypted and its passphrase could not be read: no terminal" \
	notty "$IPECTL" sign $K -o /dev/null --force p.pol
export WRONG='battery staple'
expect "sign: a wrong passphrase is said so" 1 "wrong passphrase for e/policy-signing.key" \
	notty "$IPECTL" sign $K --passphrase-env WRONG -o w.p7s p.pol
[ -e w.p7s ] && ko "nothing written on a wrong passphrase" || ok "nothing written on a wrong passphrase"
expect "sign --passphrase-env" 0 "signed p.pol -> e.p7s" notty "$IPECTL" sign $K --passphrase-env IPET_PASS -o e.p7s p.pol
expect "the signature verifies" 0 "OK: signed by" "$IPECTL" verify -c e/policy-signing.crt e.p7s
expect "sign --passphrase-fd" 0 "signed p.pol -> f.p7s" \
	notty sh -c "printf 'correct horse\n' | '$IPECTL' sign $K --passphrase-fd 0 -o f.p7s p.pol"
expect "sign --passphrase-fd, wrong" 1 "wrong passphrase" \
	notty sh -c "echo nope | '$IPECTL' sign $K --passphrase-fd 0 -o g.p7s p.pol"
expect "--passphrase-fd that is not open" 1 "not an open file descriptor" "$IPECTL" sign $K --passphrase-fd 9 -o h.p7s p.pol
expect "--passphrase-env unset" 1 "not set" notty "$IPECTL" sign $K --passphrase-env NO_SUCH_VAR -o h.p7s p.pol
export EMPTY=
expect "an empty passphrase is refused" 1 "empty" KG -d "$(private d5; echo d5)" --passphrase-env EMPTY
is "and writes nothing" "$(ls -A d5 | wc -l)" 0
expect "keygen --encrypt without a terminal" 1 "no terminal" KG -d d5 --encrypt
expect "deploy signs with --passphrase-env too" 1 "wrong passphrase" \
	notty "$IPECTL" deploy $K --passphrase-env WRONG --tree "$T/no-tree" p.pol

# --- no default key
expect "sign without a key says so" 1 "no signing key: give -k KEY -c CERT" \
	env -u IPECTL_KEY -u IPECTL_CERT "$IPECTL" sign p.pol
expect "sign with IPECTL_KEY/IPECTL_CERT" 0 "signed" \
	env IPECTL_KEY=d0/policy-signing.key IPECTL_CERT=d0/policy-signing.crt "$IPECTL" sign -o k.p7s p.pol
cp d0/policy-signing.key loose.key
chmod 644 loose.key
expect "a key others can read: a warning" 0 "loose.key can be read by others \(mode 0644\)" \
	"$IPECTL" sign -k loose.key -c d0/policy-signing.crt -o l.p7s p.pol

# --- deploy names DKMS's MOK as the signer
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=DKMS module signing key" \
	-keyout mok.key -outform DER -out mok.pub 2>/dev/null
openssl x509 -inform DER -in mok.pub -out mok.crt
openssl smime -sign -noattr -nodetach -nosmimecap -binary -outform der -in p.pol \
	-signer mok.crt -inkey mok.key -out mok.p7s
mkdir fake-tree
expect "deploy warns about a policy signed by DKMS's MOK" 2 "signed by DKMS's Machine Owner Key \(mok.pub\)" \
	env IPECTL_DKMS_MOK=mok.pub "$IPECTL" deploy --tree "$T/fake-tree" mok.p7s
"$IPECTL" sign -k d0/policy-signing.key -c d0/policy-signing.crt -o own.p7s p.pol 2>/dev/null
out=$(IPECTL_DKMS_MOK=mok.pub "$IPECTL" deploy --tree "$T/fake-tree" own.p7s 2>&1)
grep -q "Machine Owner Key" <<<"$out" && ko "no warning for another signer" "$out" || ok "no warning for another signer"
"$IPECTL" sign --appended -k mok.key -c mok.crt -o mok.sig p.pol 2>/dev/null
expect "... also with an appended signature" 1 "signed by DKMS's Machine Owner Key" \
	env IPECTL_DKMS_MOK=mok.pub "$IPECTL" deploy --tree "$T/fake-tree" mok.sig

# --- verify: what it checks without -c, and with -c the kernel's rules
"$IPECTL" sign -k d0/policy-signing.key -c d0/policy-signing.crt -o v.p7s p.pol 2>/dev/null
expect "verify without -c: intact, signer not verified, exit 3" 3 "INTACT, SIGNER NOT VERIFIED: signed by .*pass -c CERT" "$IPECTL" verify v.p7s
expect "verify --json without -c" 3 '"valid":true,"signer_verified":false' "$IPECTL" verify --json v.p7s
expect "verify -c: OK, exit 0" 0 "OK: signed by .*chains to the given certificate" "$IPECTL" verify -c d0/policy-signing.crt v.p7s
expect "verify --json -c" 0 '"valid":true,"signer_verified":true' "$IPECTL" verify --json -c d0/policy-signing.crt v.p7s
printf 'x' >junk.p7s
expect "an error outranks an unverified signer" 1 "" "$IPECTL" verify v.p7s junk.p7s
# a subject with a C1 control (U+009B, CSI in UTF-8 terminals), a C0 one
# and an accented letter
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -utf8 \
	-subj "/CN=$(printf 'ctl\xc2\x9b[31m-\x1b-\xc3\xa9')" -keyout ctl.key -out ctl.crt 2>/dev/null
openssl smime -sign -noattr -nodetach -nosmimecap -binary -outform der -in p.pol \
	-signer ctl.crt -inkey ctl.key -out ctl.p7s
out=$("$IPECTL" verify -c ctl.crt ctl.p7s 2>&1)
if grep -q $'\xc2\x9b\|\x1b' <<<"$out"; then ko "no control character reaches the terminal" "$(od -c <<<"$out" | head -5)"
else ok "no control character reaches the terminal"; fi
expect "C1 escaped, é kept" 0 'ctl\\xC2\\x9B\[31m-\\x1B-é|ctl\\xC2\\x9B\[31m-\\1B-é' "$IPECTL" verify -c ctl.crt ctl.p7s
# -c as the kernel: validity dates are not checked
mkdir -p ca/new && : >ca/index.txt && echo 01 >ca/serial
cat >ca/ca.cnf <<'CNF'
[ca]
default_ca = d
[d]
dir = ca
new_certs_dir = ca/new
database = ca/index.txt
serial = ca/serial
default_md = sha256
policy = p
x509_extensions = ext
[p]
commonName = supplied
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
CNF
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=expired \
	-keyout old.key -out old.csr 2>/dev/null
openssl ca -batch -config ca/ca.cnf -selfsign -keyfile old.key -in old.csr -out old.crt \
	-startdate 20200101000000Z -enddate 20200102000000Z 2>/dev/null
openssl smime -sign -noattr -nodetach -nosmimecap -binary -outform der -in p.pol \
	-signer old.crt -inkey old.key -out old.p7s
expect "an expired signer verifies, as in the kernel" 0 "OK: signed by CN ?= ?expired" "$IPECTL" verify -c old.crt old.p7s
# every certificate of a bundle is an anchor, not just the first
cat ctl.crt d0/policy-signing.crt >bundle.pem
expect "the signer's certificate second in a bundle" 0 "OK: signed by" "$IPECTL" verify -c bundle.pem v.p7s
# content that is not id-data: the kernel refuses it
openssl cms -sign -nodetach -binary -outform der -noattr -econtent_type 1.2.3.4 -in p.pol \
	-signer d0/policy-signing.crt -inkey d0/policy-signing.key -out other-type.p7s 2>/dev/null
expect "signed content not of type id-data is refused" 1 "not of type id-data" "$IPECTL" verify -c d0/policy-signing.crt other-type.p7s

# --- bash completion never evaluates a policy name
COMPL=$(dirname "$IPECTL")/completion/ipectl
mkdir -p tree/policies
mkdir 'tree/policies/$(touch pwned)' 'tree/policies/a b' tree/policies/site
out=$(cd "$T" && IPECTL_TREE=$T/tree bash -c '
	. "$1"
	COMP_WORDS=(ipectl activate ""); COMP_CWORD=2; _ipectl
	printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPL" 2>&1)
[ -e pwned ] && ko "completion does not run a policy name" "pwned created" ||
	ok "completion does not run a policy name"
has() { if grep -qxF -- "$3" <<<"$2"; then ok "$1"; else ko "$1" "no line '$3' in:" "$2"; fi; }
has "completion offers every name, quoted" "$out" '\$\(touch\ pwned\)'
has "... a name with a space" "$out" 'a\ b'
out=$(IPECTL_TREE=$T/tree bash -c '. "$1"; COMP_WORDS=(ipectl show s); COMP_CWORD=2; _ipectl
	printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPL")
is "completion filters by prefix" "$out" site

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
