# SPDX-License-Identifier: GPL-2.0
# tests/vm/lib/common.sh: paths and messages shared by the harness scripts.

VM_DIR=${VM_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
CACHE=${IPET_CACHE:-$VM_DIR/.cache}
OUT=${IPET_OUT:-$VM_DIR/out}

log() { printf 'vm: %s\n' "$*" >&2; }
die() { printf 'vm: error: %s\n' "$*" >&2; exit 2; }

# The guest architecture (lib/arch.sh); run --arch sets another.
. "$VM_DIR/lib/arch.sh"
arch_set "${IPET_ARCH:-amd64}"
