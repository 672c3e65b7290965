# SPDX-License-Identifier: GPL-2.0
# tests/vm/lib/fixtures.sh: keys, OVMF variable store and disk images, made on
# the host without root tricks (mkfs.ext4 -d, veritysetup on plain files).

# A fixed owner GUID for our db entry (any GUID works for db).
CA_OWNER_GUID=4a3e9c02-6b1d-4f0e-9d2a-1e5f00c0ffee

# keys_make DIR: the test CA (codeSigning EKU), an unrelated "other" key, and
# an OVMF vars store with the CA enrolled in db (→ the kernel's .platform).
keys_make()
{
	local d=$1 k
	if [[ -f $d/.done ]]; then
		keys_embed "$d"
		return 0
	fi
	log "making test keys"
	mkdir -p "$d"
	for k in ca other; do
		openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
			-subj "/CN=ipe-test-$k/O=ipe-lkm tests" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,digitalSignature,keyCertSign" \
			-addext "extendedKeyUsage=codeSigning" \
			-keyout "$d/$k.key" -out "$d/$k.crt" 2>/dev/null || die "openssl req ($k)"
		openssl x509 -in "$d/$k.crt" -outform der -out "$d/$k.der"
	done
	arch_fw_vars "$d/vars.fd" "$CA_OWNER_GUID" "$d/ca.crt" ||
		die "virt-fw-vars --add-db (run tests/vm/deps?)"
	touch "$d/.done"
	keys_embed "$d"
}

# keys_embed DIR: DIR/embed, the certificates the harness's module builds
# embed (IPE_LKM_KEYS_DIR): the CA, which the default trust then accepts.
keys_embed()
{
	[[ -f $1/embed/ca.der && ! $1/embed/ca.der -ot $1/ca.der ]] && return 0
	mkdir -p "$1/embed"
	cp "$1/ca.der" "$1/embed/ca.der"
}

# fixtures_make DIR KEYS: the per-kernel images (they carry this kernel's .ko
# and vmlinuz). Writes DIR/fixtures.env for the guest.
fixtures_make()
{
	local d=$1 keys=$2 h=$OUT/build/helpers src f size rh salt
	[[ -f $d/.done && $d/.done -nt $VM_DIR/lib/fixtures.sh && $d/.done -nt $h/ipet ]] && return 0
	log "making fixtures for $KVER"
	rm -rf "$d" && mkdir -p "$d"
	src=$d/files
	mkdir -p "$src"
	cp "$h/ipet" "$h/uselib" "$h/libipetlib.so" "$src/"
	cp "$(kmod_paths $FIXTURE_MODULE | tail -1)" "$src/fixture.ko"
	head -c 4096 /dev/urandom >"$src/ipet-test.bin"

	# fs-verity: the same files three times; the guest enables verity on
	# unsigned/ and signed/ (with the signatures made here).
	local fsv=$d/fsv-tree
	mkdir -p "$fsv"/{plain,unsigned,signed,sig}
	for f in ipet libipetlib.so fixture.ko ipet-test.bin; do
		cp "$src/$f" "$fsv/plain/" && cp "$src/$f" "$fsv/unsigned/" && cp "$src/$f" "$fsv/signed/"
		fsverity sign "$src/$f" "$fsv/sig/$f.sig" --key="$keys/ca.key" --cert="$keys/ca.crt" \
			>/dev/null || die "fsverity sign $f"
		fsverity sign "$src/$f" "$fsv/sig/$f.other.sig" --key="$keys/other.key" \
			--cert="$keys/other.crt" >/dev/null || die "fsverity sign $f (other)"
		echo "FSV_DIGEST_$(echo "$f" | tr -c 'A-Za-z0-9\n' _ | tr a-z A-Z)=$(fsverity digest "$src/$f" | cut -d' ' -f1)"
	done >"$d/fixtures.env"
	mkdir -p "$fsv/scratch"
	mkfs.ext4 -q -F -O verity -b 4096 -L ipet-fsv -d "$fsv" "$d/fsv.img" 64M >/dev/null 2>&1 ||
		die "mkfs.ext4 -O verity"
	# A tiny fs-verity volume the guest fills up, so that enabling verity
	# on its one-block file fails writing the descriptor (ENOSPC) after the
	# signature verified (tests/75-hardening.sh).
	local small=$d/fsvsmall-tree
	mkdir -p "$small"
	cp "$src/ipet-test.bin" "$fsv/sig/ipet-test.bin.sig" "$small/"
	mkfs.ext4 -q -F -O verity,^has_journal -m 0 -b 4096 -L ipet-fsvs -d "$small" \
		"$d/fsvsmall.img" 2M >/dev/null 2>&1 || die "mkfs.ext4 (small fs-verity volume)"

	# dm-verity: an ext4 data image and a separate hash image (no superblock).
	local dmv=$d/dmv-tree
	mkdir -p "$dmv/fw"
	cp "$src/ipet" "$src/uselib" "$src/libipetlib.so" "$src/fixture.ko" "$dmv/"
	cp "$src/ipet-test.bin" "$dmv/fw/"
	cp "$VMLINUZ" "$dmv/vmlinuz"
	head -c 65536 /dev/urandom >"$dmv/initrd"
	size=$(( ($(du -sk "$dmv" | cut -f1) / 1024 + 8) ))M
	mkfs.ext4 -q -F -b 4096 -L ipet-dmv -d "$dmv" "$d/dmv-data.img" "$size" >/dev/null 2>&1 ||
		die "mkfs.ext4 (dm-verity data)"
	salt=$(printf 'ipe-lkm' | sha256sum | cut -c1-64)
	rh=$(veritysetup format --no-superblock --hash=sha256 --data-block-size=4096 \
		--hash-block-size=4096 --salt="$salt" "$d/dmv-data.img" "$d/dmv-hash.img" |
		sed -n 's/^Root hash:[[:space:]]*//p')
	[[ -n $rh ]] || die "veritysetup format"
	local bytes
	bytes=$(stat -c %s "$d/dmv-data.img")
	{
		echo "DMV_ROOTHASH=$rh"
		echo "DMV_SALT=$salt"
		echo "DMV_BLOCKS=$((bytes / 4096))"
		echo "DMV_SECTORS=$((bytes / 512))"
	} >>"$d/fixtures.env"
	# The root-hash signature dm-verity checks: PKCS#7, detached, over the
	# hex string exactly as it appears in the table.
	printf '%s' "$rh" >"$d/roothash.txt"
	for k in ca other; do
		openssl smime -sign -nocerts -noattr -binary -in "$d/roothash.txt" \
			-inkey "$keys/$k.key" -signer "$keys/$k.crt" -outform der \
			-out "$d/roothash.$k.p7s" || die "signing the root hash"
	done
	touch "$d/.done"
}

# parser_cases DIR: the engine's parser table (tests/engine/test_parse.c
# --dump) as DIR/NNN.pol files and DIR/cases, for tests/15-parser.sh.
parser_cases()
{
	local d=$1 top=$VM_DIR/../.. bin=$OUT/build/parser-dump
	gcc -O1 -I"$top/module/engine" -I"$top/module/host" -I"$top/userspace/lib" -o "$bin" \
		"$top/tests/engine/test_parse.c" "$top"/module/engine/*.c ||
		die "cannot build the parser case dumper"
	rm -rf "$d" && mkdir -p "$d"
	"$bin" --dump "$d" || die "parser case dump failed"
}

# stress_policies DIR KEYDIR: the signed policies of tests/95-stress.sh
# (helpers/ipestress.c), signed by the test CA.
#  - DIR/<root hash>/, one set per dm-verity fixture in this output tree
#    ($OUT/*/fixtures/fixtures.env: the root hash differs per kernel, the
#    volume carrying that kernel's vmlinuz; the guest picks its own):
#      a_N.p7s, b_N.p7s  s_a and s_b at version 0.60000.N, N = 1..130
#      c_N.p7s           s_c at version 0.1.N, N = 1..4 (below any active
#                        policy of the stress test: never activated)
#    Every one of them decides EXECUTE alike.  Allowed: rootfs
#    (boot_verified=TRUE), the fixture volume (dmverity_roothash), a file
#    with a verified fs-verity signature (fsverity_signature=TRUE), and
#    libipetlib.so under fs-verity with or without a signature (its
#    fsverity_digest).  Denied: tmpfs, plain ext4, ipet under fs-verity
#    without a signature (its digest is in no policy), anonymous memory.
#    s_a says so rule by rule; s_b after 48 digest rules that never
#    match, through "boot_verified=FALSE DENY" then "ALLOW"; s_c in
#    another order, with a two-property rule.  Everything else ALLOW.
#  - DIR/rm.p7s: s_rm 0.1.0, "DEFAULT action=ALLOW", for the enforce/rmmod
#    race (loaded into a freshly inserted ipe_lkm).
#  - DIR/<root hash>/cache/: the policies of tests/58-cache.sh
#    (cache_policy_set).
stress_policies()
{
	local d=$1 k=$2 env rh lib ipet pset
	mkdir -p "$d"
	rm -f "$d"/[ab]_*.p7s	# the single set of older versions
	if [[ ! -f $d/rm.p7s || $d/rm.p7s -ot $k/ca.key ]]; then
		printf 'policy_name=s_rm policy_version=0.1.0\nDEFAULT action=ALLOW\n' |
			stress_sign "$k" >"$d/rm.p7s" || die "signing stress policies"
	fi
	local keep=()
	for env in "$OUT"/*/fixtures/fixtures.env; do
		[[ -f $env ]] || continue
		rh=$(sed -n 's/^DMV_ROOTHASH=//p' "$env")
		lib=$(sed -n 's/^FSV_DIGEST_LIBIPETLIB_SO=//p' "$env")
		ipet=$(sed -n 's/^FSV_DIGEST_IPET=//p' "$env")
		[[ -n $rh && -n $lib && -n $ipet ]] || continue
		keep+=("$rh")
		pset=$d/$rh
		if [[ ! -f $pset/cache/.done || $pset/cache/.done -ot $k/ca.key ||
			$(cat "$pset/cache/.done") != "$lib $ipet v1" ]]; then
			log "signing the cache test policies for root hash ${rh:0:12}…"
			rm -rf "$pset/cache" && mkdir -p "$pset/cache"
			cache_policy_set "$pset/cache" "$k" "$rh" "$lib" "$ipet"
			echo "$lib $ipet v1" >"$pset/cache/.done"
		fi
		[[ -f $pset/.done && $pset/.done -nt $k/ca.key &&
			$(cat "$pset/.done") == "$lib v2" ]] && continue
		log "signing the stress policies for root hash ${rh:0:12}…"
		find "$pset" -maxdepth 1 -type f -delete 2>/dev/null
		mkdir -p "$pset"
		stress_policy_set "$pset" "$k" "$rh" "$lib"
		echo "$lib v2" >"$pset/.done"
	done
	# forget the sets of fixtures that are gone
	for pset in "$d"/*/; do
		pset=${pset%/}
		[[ -d $pset && " ${keep[*]} " != *" ${pset##*/} "* ]] && rm -rf "$pset"
	done
	return 0
}

# stress_sign KEYDIR: PKCS#7 of stdin (as pol_sign in the guest) on stdout.
stress_sign()
{
	openssl smime -sign -signer "$1/ca.crt" -inkey "$1/ca.key" \
		-noattr -nodetach -nosmimecap -binary -outform der
}

# stress_policy_set DIR KEYDIR ROOTHASH LIBDIGEST: one set (see above).
stress_policy_set()
{
	local d=$1 k=$2 rh=$3 lib=$4 v i
	for v in $(seq 1 130); do
		printf '%s\n' "policy_name=s_a policy_version=0.60000.$v" \
			"DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
			"op=EXECUTE boot_verified=TRUE action=ALLOW" \
			"op=EXECUTE dmverity_roothash=sha256:$rh action=ALLOW" \
			"op=EXECUTE fsverity_signature=TRUE action=ALLOW" \
			"op=EXECUTE fsverity_digest=$lib action=ALLOW" |
			stress_sign "$k" >"$d/a_$v.p7s" || die "signing stress policies"
		{
			printf 'policy_name=s_b policy_version=0.60000.%d\nDEFAULT action=ALLOW\n' $v
			for i in $(seq 1 40); do
				printf 'op=EXECUTE fsverity_digest=sha256:%064x action=ALLOW\n' $((v * 100 + i))
			done
			for i in $(seq 1 8); do
				printf 'op=EXECUTE dmverity_roothash=sha256:%064x action=ALLOW\n' $((v * 100 + i))
			done
			printf '%s\n' "op=EXECUTE fsverity_digest=$lib action=ALLOW" \
				"op=EXECUTE dmverity_roothash=sha256:$rh action=ALLOW" \
				"op=EXECUTE fsverity_signature=TRUE action=ALLOW" \
				"op=EXECUTE boot_verified=FALSE action=DENY" "op=EXECUTE action=ALLOW"
		} | stress_sign "$k" >"$d/b_$v.p7s" || die "signing stress policies"
	done
	for v in 1 2 3 4; do
		printf '%s\n' "policy_name=s_c policy_version=0.1.$v" \
			"DEFAULT action=ALLOW" "DEFAULT op=EXECUTE action=DENY" \
			"op=EXECUTE fsverity_signature=TRUE fsverity_digest=$lib action=ALLOW" \
			"op=EXECUTE fsverity_signature=TRUE action=ALLOW" \
			"op=EXECUTE fsverity_digest=$lib action=ALLOW" \
			"op=EXECUTE dmverity_roothash=sha256:$rh action=ALLOW" \
			"op=EXECUTE boot_verified=TRUE action=ALLOW" |
			stress_sign "$k" >"$d/c_$v.p7s" || die "signing stress policies"
	done
}

# cache_policy_set DIR KEYDIR ROOTHASH LIBDIGEST IPETDIGEST: the policies
# ca, cb, cc, cd of tests/58-cache.sh (helpers/cachediff.c), each at
# version 0.1.E, E = 1..CACHE_POLICY_VERSIONS, as DIR/cX_E.p7s.  They
# decide the pool of files differently (rule by rule: a cached decision of
# one is seldom the decision of another, and never by the same rule); all
# allow the rootfs (boot_verified) first, so the guest's shell and helpers
# run whatever is active, and ALLOW every other operation.
#   ca  deny by default; allow dm-verity (root hash), a verified fs-verity
#       signature, libipetlib.so's fs-verity digest
#   cb  allow by default; deny a verified fs-verity signature, the dm-verity
#       root hash
#   cc  deny by default; allow dm-verity, ipet's fs-verity digest
#   cd  deny by default; allow libipetlib.so's digest without a signature,
#       dm-verity with its signature (never here: no file)
CACHE_POLICY_VERSIONS=100
cache_policy_set()
{
	local d=$1 k=$2 rh=$3 lib=$4 ipet=$5 e x dflt
	for e in $(seq 1 $CACHE_POLICY_VERSIONS); do
		for x in a b c d; do
			{
				echo "policy_name=c$x policy_version=0.1.$e"
				echo "DEFAULT action=ALLOW"
				dflt=DENY
				[ $x = b ] && dflt=ALLOW
				echo "DEFAULT op=EXECUTE action=$dflt"
				echo "op=EXECUTE boot_verified=TRUE action=ALLOW"
				case $x in
				a) printf '%s\n' \
					"op=EXECUTE dmverity_roothash=sha256:$rh action=ALLOW" \
					"op=EXECUTE fsverity_signature=TRUE action=ALLOW" \
					"op=EXECUTE fsverity_digest=$lib action=ALLOW" ;;
				b) printf '%s\n' \
					"op=EXECUTE fsverity_signature=TRUE action=DENY" \
					"op=EXECUTE dmverity_roothash=sha256:$rh action=DENY" ;;
				c) printf '%s\n' \
					"op=EXECUTE dmverity_roothash=sha256:$rh action=ALLOW" \
					"op=EXECUTE fsverity_digest=$ipet action=ALLOW" ;;
				d) printf '%s\n' \
					"op=EXECUTE fsverity_digest=$lib fsverity_signature=FALSE action=ALLOW" \
					"op=EXECUTE dmverity_roothash=sha256:$rh dmverity_signature=TRUE action=ALLOW" ;;
				esac
			} | stress_sign "$k" >"$d/c${x}_$e.p7s" || die "signing the cache test policies"
		done
	done
}
