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
	[[ -f $d/.done ]] && return 0
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
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$d/vars.fd"
	virt-fw-vars --inplace "$d/vars.fd" --add-db "$CA_OWNER_GUID" "$d/ca.crt" \
		>/dev/null 2>&1 || die "virt-fw-vars --add-db (run tests/vm/deps?)"
	touch "$d/.done"
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
	gcc -O1 -I"$top/module/engine" -I"$top/userspace/lib" -o "$bin" \
		"$top/tests/engine/test_parse.c" "$top"/module/engine/*.c ||
		die "cannot build the parser case dumper"
	rm -rf "$d" && mkdir -p "$d"
	"$bin" --dump "$d" || die "parser case dump failed"
}

# stress_policies DIR KEYDIR: policies s_a and s_b at versions 60000.0.1-N,
# signed by the test CA, for tests/95-stress.sh (ipestress).  s_a and s_b
# decide EXECUTE alike (rootfs allowed, the rest denied) with different
# rule shapes, s_b through the digest index.
stress_policies()
{
	local d=$1 k=$2 n=130 v i
	[[ -f $d/.done && $d/.done -nt $k/ca.key ]] && return 0
	rm -rf "$d" && mkdir -p "$d"
	for v in $(seq 1 $n); do
		printf 'policy_name=s_a policy_version=60000.0.%d\nDEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\n' $v >"$d/a.txt"
		{
			printf 'policy_name=s_b policy_version=60000.0.%d\nDEFAULT action=ALLOW\n' $v
			for i in $(seq 1 40); do
				printf 'op=EXECUTE fsverity_digest=sha256:%064x action=ALLOW\n' $((v * 100 + i))
			done
			printf 'op=EXECUTE boot_verified=FALSE action=DENY\nop=EXECUTE action=ALLOW\n'
		} >"$d/b.txt"
		for p in a b; do
			openssl smime -sign -in "$d/$p.txt" -signer "$k/ca.crt" -inkey "$k/ca.key" \
				-noattr -nodetach -nosmimecap -binary -outform der -out "$d/${p}_$v.p7s" ||
				die "signing stress policies"
		done
	done
	rm -f "$d/a.txt" "$d/b.txt"
	touch "$d/.done"
}
