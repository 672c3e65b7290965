#!/bin/bash
# SPDX-License-Identifier: MIT
# module/gen-inc.sh and the boot policy check: odd file names embedded
# correctly, bad certificates and bad boot policies a clear build failure.
#   tests/kbuild/gen-inc.sh [KDIR]
set -u
cd "$(dirname "$0")/../.."
TOP=$PWD
KDIR=${1:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | head -1)}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '  %s\n' "$@"; }
GEN="sh $TOP/module/gen-inc.sh"
CERT=$TOP/tests/kbuild/test-cert.der

# certs.inc compiled on the host: the names and bytes as embedded
names_of() {
	cat >"$T/show.c" <<'CEOF'
#include <stdio.h>
#include <stddef.h>
typedef unsigned char u8;
#define __maybe_unused __attribute__((unused))
struct embedded_cert { const u8 *data; size_t len; const char *name; };
#include "certs.inc"
int main(void)
{
	size_t i;
	for (i = 0; i < embedded_certs_n; i++)
		printf("%zu %s\n", embedded_certs[i].len, embedded_certs[i].name);
	return 0;
}
CEOF
	cp "$1" "$T/certs.inc"
	gcc -Wall -Werror -o "$T/show" "$T/show.c" && "$T/show"
}

mkdir "$T/k1"
cp "$CERT" "$T/k1/a b\"c\\d\$(touch pwned).der"
cp "$CERT" "$T/k1/plain.der"
(cd "$T" && $GEN certs "$T/k1" >"$T/c1.inc") && out=$(cd "$T" && names_of "$T/c1.inc")
size=$(wc -c <"$CERT")
if [ "$out" = "$size a b\"c\\d\$(touch pwned).der
$size plain.der" ] && [ ! -e "$T/pwned" ]; then
	ok "a name with spaces, quotes, a backslash and \$(...) is embedded as it is"
else
	ko "a name with spaces, quotes, a backslash and \$(...) is embedded as it is" "$out"
fi

# expect_fail NAME REGEX CMD...: fails, and says REGEX
expect_fail() {
	local name=$1 re=$2 out
	shift 2
	if out=$("$@" 2>&1 >/dev/null); then ko "$name" "succeeded"
	elif grep -Eq -- "$re" <<<"$out"; then ok "$name"
	else ko "$name" "no /$re/ in:" "$out"; fi
}
mkdir "$T/k2" && : >"$T/k2/empty.der"
expect_fail "an empty .der fails, named" "k2/empty.der is empty" $GEN certs "$T/k2"
mkdir "$T/k3" && openssl x509 -inform DER -in "$CERT" -out "$T/k3/pem.der"
expect_fail "a PEM file named .der fails" "k3/pem.der is not a DER certificate \(a PEM file" $GEN certs "$T/k3"
mkdir "$T/k4" && head -c 300 "$CERT" >"$T/k4/cut.der"
expect_fail "a truncated .der fails" "k4/cut.der is not a DER certificate: 300 bytes" $GEN certs "$T/k4"
mkdir "$T/k5" && python3 -c "import sys; d=bytearray(open('$CERT','rb').read()); d[4]^=0x01; open('$T/k5/bad.der','wb').write(d)"
expect_fail "a corrupt certificate fails (openssl)" "k5/bad.der is not an X.509 certificate" $GEN certs "$T/k5"

# the boot policy, checked by the module's parser built for the host
gcc -O1 -I"$TOP/module/host" -I"$TOP/module/engine" -o "$T/check-policy" \
	"$TOP/module/host/check-policy.c" "$TOP"/module/engine/*.c || ko "host checker builds"
printf 'policy_name=boot policy_version=0.0.1\nDEFAULT action=ALLOW\n' >"$T/good.pol"
if $GEN policy "$T/good.pol" "$T/check-policy" >"$T/p.inc" && grep -q 'boot_policy = boot_policy_text' "$T/p.inc"; then
	ok "a valid boot policy is embedded"
else
	ko "a valid boot policy is embedded"
fi
printf 'policy_name=boot policy_version=0.0.1\nDEFAULT action=ALLOW\nop=EXECUTE bogus=1 action=ALLOW\n' >"$T/bad.pol"
expect_fail "an invalid boot policy fails with its line" "bad.pol:3: not a valid boot policy" \
	$GEN policy "$T/bad.pol" "$T/check-policy"
printf 'policy_name=boot policy_version=0.0.1\nDEFAULT action=ALLOW\n\0# hidden\n' >"$T/nul.pol"
expect_fail "a boot policy with a NUL byte fails" "holds a NUL byte" $GEN policy "$T/nul.pol" "$T/check-policy"
expect_fail "an unreadable boot policy fails" "not readable" $GEN policy "$T/none.pol" "$T/check-policy"

# the same through the module build, as DKMS runs it
if [ -n "$KDIR" ] && [ -f "$KDIR/Makefile" ]; then
	b=$T/mod && cp -r "$TOP/module" "$b"
	if out=$(make -C "$b" KDIR="$KDIR" IPE_LKM_KEYS_DIR= IPE_LKM_BOOT_POLICY="$T/bad.pol" 2>&1); then
		ko "make fails on an invalid boot policy" "built"
	elif grep -q "bad.pol:3: not a valid boot policy" <<<"$out" && [ ! -f "$b/ipe_lkm.ko" ] &&
		[ ! -s "$b/boot_policy.inc" ]; then
		ok "make fails on an invalid boot policy, no module, no half-written boot_policy.inc"
	else
		ko "make fails on an invalid boot policy, no module, no half-written boot_policy.inc" "$(tail -5 <<<"$out")"
	fi
	b2=$T/mod2 && cp -r "$TOP/module" "$b2"
	if make -C "$b2" KDIR="$KDIR" IPE_LKM_KEYS_DIR= IPE_LKM_BOOT_POLICY= >"$T/b2.log" 2>&1 &&
		[ -f "$b2/ipe_lkm.ko" ] && [ ! -e "$b2/check-policy" ]; then
		ok "without a boot policy no checker is built (no C library needed)"
	else
		ko "without a boot policy no checker is built (no C library needed)" "$(tail -5 "$T/b2.log")"
	fi
	if out=$(make -C "$b" KDIR="$KDIR" IPE_LKM_KEYS_DIR="$T/k2" IPE_LKM_BOOT_POLICY= 2>&1); then
		ko "make fails on an empty certificate" "built"
	elif grep -q "k2/empty.der is empty" <<<"$out"; then
		ok "make fails on an empty certificate"
	else
		ko "make fails on an empty certificate" "$(tail -5 <<<"$out")"
	fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
