# SPDX-License-Identifier: GPL-2.0
# The policy engine's parser table (tests/engine/test_parse.c), replayed
# against the enforcer: every case, signed, must be accepted or refused by
# the kernel exactly as the engine says, errno for errno.

t_parser_conformance() {
	need ipe
	C=/lib/ipet/parser-cases
	[ -s $C/cases ] || fail "no parser cases in the initramfs"
	n=0 bad=0
	while read -r id err what; do
		case $err in
		0) want=OK ;;
		74) want=EBADMSG ;;
		22) want=EINVAL ;;
		34) want=ERANGE ;;
		*) want=errno$err ;;
		esac
		pol_sign $C/$id.pol /tmp/pc.p7s
		got=$(ipe_w new_policy /tmp/pc.p7s || true)
		if [ "$got" = OK ]; then
			# loaded: remove it again (names vary: "t", "a=b", ...)
			for p in $T/policies/*; do
				[ "$(cat $p/active)" = 1 ] || ipet writes $p/delete 1 >/dev/null || true
			done
		fi
		if [ "$got" != "$want" ]; then
			echo "case $id ($what): kernel $got, engine $want"
			bad=$((bad + 1))
		fi
		n=$((n + 1))
	done <$C/cases
	[ $n -gt 90 ] || fail "only $n parser cases ran"
	[ $bad -eq 0 ] || fail "$bad of $n parser cases differ from the engine"
}
