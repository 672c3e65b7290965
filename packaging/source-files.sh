#!/bin/bash
# SPDX-License-Identifier: MIT
# source-files.sh TOP: the files that go into a source package of the tree
# at TOP, NUL-separated, sorted.  With git: the tracked and not-ignored files
# that exist (uncommitted new files included); without: the tree minus its
# build products.  Private key material never goes in: *.key and *.pem are
# left out (and ignored by git), and any other file holding a PEM private
# key fails the listing (exit 1) with its name.
set -euo pipefail
top=${1:?usage: source-files.sh TOP}

candidates()
{
	if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$top" ls-files -z -c -o --exclude-standard
	else
		(cd "$top" && find . \( -path ./.git -o -path ./build -o \
			-path ./tests/vm/.cache -o -path './tests/vm/out*' \) -prune -o \
			-type f ! -name '*.o' ! -name '*.ko' -print0 | sed -z 's|^\./||')
	fi
}

bad=0
while IFS= read -r -d '' f; do
	[ -e "$top/$f" ] || continue	# tracked, deleted in the tree
	case $f in
	*.key | *.pem)
		echo "source-files.sh: leaving out $f (private key material)" >&2
		continue
		;;
	esac
	if [ -f "$top/$f" ] && grep -qE -- '^-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----' "$top/$f"; then
		echo "source-files.sh: $f holds a private key: move it out of the tree" >&2
		bad=1
		continue
	fi
	printf '%s\0' "$f"
done < <(candidates | LC_ALL=C sort -z)
exit $bad
