#!/bin/bash
# SPDX-License-Identifier: MIT
# ipectl sign with a key on a PKCS#11 token: SoftHSM through OpenSSL's
# pkcs11 provider (pkcs11-provider, bookworm-backports) and p11-kit's proxy.
# Run against an ipectl built without sanitizers: the provider dlopens the
# token's module with RTLD_DEEPBIND, which AddressSanitizer refuses.
# Usage: test_pkcs11.sh PATH/TO/ipectl
set -u
. "$(dirname "$0")/lib.sh"
IPECTL=$(realpath "${1:?usage: $0 ipectl}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
# is NAME VALUE WANT
is() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', want '$3'"; fi; }
notty() { setsid -w "$@" </dev/null; }
private() { mkdir -m 700 "$1"; }

printf 'policy_name=t policy_version=1.0.0\nDEFAULT action=ALLOW\n' >p.pol
private k
notty "$IPECTL" keygen --ecdsa -d k >/dev/null 2>&1 || ko "ipectl keygen" "failed"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj /CN=other -keyout other.key -out other.crt 2>/dev/null

# --- a key on a PKCS#11 token (SoftHSM through OpenSSL's pkcs11 provider)
p11prov=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')/pkcs11.so
if ! command -v softhsm2-util >/dev/null || [ ! -e "$p11prov" ]; then
	ko "PKCS#11: softhsm2 and pkcs11-provider are installed" \
		"apt install softhsm2 p11-kit; apt install -t bookworm-backports pkcs11-provider"
else
	private hsm
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$T/hsm" >hsm.conf
	export SOFTHSM2_CONF=$T/hsm.conf
	softhsm2-util --init-token --free --label ipetest --pin 4711 --so-pin 0815 >/dev/null
	openssl pkcs8 -topk8 -nocrypt -in k/policy-signing.key -out hsm/k8.pem
	softhsm2-util --import hsm/k8.pem --token ipetest --label signer --id 01 --pin 4711 >/dev/null
	rm -f hsm/k8.pem
	uri="pkcs11:token=ipetest;object=signer;type=private"
	echo 4711 >hsm/pin
	echo 0000 >hsm/bad
	expect "PKCS#11: sign with a token's key, PIN from a file descriptor" 0 "signed p.pol -> hsm.p7s" \
		eval 'notty "$IPECTL" sign -k "$uri" -c k/policy-signing.crt --passphrase-fd 3 -o hsm.p7s p.pol 3<hsm/pin'
	expect "PKCS#11: the signature verifies against the certificate" 0 "OK: signed by" \
		"$IPECTL" verify -c k/policy-signing.crt hsm.p7s
	expect "PKCS#11: PIN from the environment, appended signature" 0 "signed" \
		env PIN=4711 "$IPECTL" sign --appended -k "$uri" -c k/policy-signing.crt --passphrase-env PIN -o hsm.sig p.pol
	expect "PKCS#11: a wrong PIN is said" 1 "wrong PIN" \
		eval 'notty "$IPECTL" sign -k "$uri" -c k/policy-signing.crt --passphrase-fd 3 -o bad.p7s p.pol 3<hsm/bad'
	expect "PKCS#11: no PIN and no terminal is said" 1 "PIN could not be read: no terminal" \
		notty "$IPECTL" sign -k "$uri" -c k/policy-signing.crt -o bad.p7s p.pol
	expect "PKCS#11: another token's certificate does not belong" 1 "does not belong to" \
		eval 'notty "$IPECTL" sign -k "$uri" -c other.crt --passphrase-fd 3 -o bad.p7s p.pol 3<hsm/pin'
	expect "PKCS#11: no such object" 1 "no such private key|wrong PIN" \
		eval 'notty "$IPECTL" sign -k "pkcs11:token=ipetest;object=nosuch;type=private" -c k/policy-signing.crt --passphrase-fd 3 -o bad.p7s p.pol 3<hsm/pin'
	expect "PKCS#11: no provider is the system's fault (exit 2), and says what to install" 2 "pkcs11 provider cannot be loaded.*pkcs11-provider" \
		env OPENSSL_MODULES=$T/none "$IPECTL" sign -k "$uri" -c k/policy-signing.crt -o bad.p7s p.pol
	is "PKCS#11: nothing written on failure" "$(ls bad.* 2>/dev/null | wc -l)" 0
	unset SOFTHSM2_CONF
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
