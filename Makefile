# SPDX-License-Identifier: MIT
# ipe-lkm: top-level build.
#   make            build userspace/ipectl/ipectl
#   make check      every test the project has; last line "N passed, N failed"
#   make check-debug the VM suite with ipe_lkm on a KASAN/lockdep build of
#                   Debian's 6.1 source (first run: builds it, ~2 h)
#   make check-full check, check-debug, and what does not fit CI's time:
#                   10 minutes of stress per kernel, the plain install
#                   tier, 10 million runs of each fuzzer
#   make demo       the main job on a stock Debian kernel in QEMU (later work)
#   make module     build module/ipe_lkm.ko for KDIR (default: running kernel)
#   make bench      policy engine benchmark table, then the VM benchmark on
#                   stock kernels (bench/vm/, writes docs/performance.md);
#                   BENCH_VM_KERNELS="all bullseye trixie-bpo" adds
#                   bullseye's 5.10 and trixie-backports' 7.3 with its
#                   built-in IPE (root: their build chroots)
#   make bench-report  ipectl report on a log of 3 million records, one core
#                   (bench/report/run, its section of docs/performance.md)
#   make bench-vm-arm64  the VM benchmark on Debian's arm64 kernels
#                   (qemu-system-aarch64, icount; its docs/performance.md section)
#   make fuzz       run each engine fuzzer (policies, dm-verity table lines,
#                   signature trailers) for FUZZ_SECONDS (default 3600)
#   make deb        ipe-lkm-dkms and ipectl .debs in build/deb/, lintian-checked
#                   (DEB_HOST_ARCH=arm64: ipectl cross-built, in build/deb-arm64/)
#   make rpm        SRPM, ipe-lkm-dkms and ipectl RPMs in build/rpm/, rpmlint-checked

PREFIX ?= /usr
DESTDIR ?=

all: ipectl

ipectl:
	$(MAKE) -C userspace/ipectl

check:
	tests/run-all

bench: bench-engine bench-vm

bench-engine:
	$(MAKE) -C bench run

bench-report:
	bench/report/run --update-doc

# The VM benchmark (bench/vm/): host packages from bench/vm/deps (root).
# BENCH_VM_KERNELS: bench/vm/run --kernel's list (all: bookworm backports).
BENCH_VM_KERNELS ?= all
bench-vm:
	bench/vm/run --kernel "$(BENCH_VM_KERNELS)"
	bench/vm/run --kernel bookworm --mode icount --fapolicyd
	bench/vm/report bench/vm/out/*.log $(wildcard bench/vm/out/arm64/*.log)

# The same on Debian's arm64 kernels (qemu-system-aarch64, cross-built:
# bench/vm/README.md); icount only.  BENCH_VM_ARM64_KERNELS="all bullseye"
# adds 5.10 (root: its build chroot).
BENCH_VM_ARM64_KERNELS ?= all
bench-vm-arm64:
	bench/vm/run --arch arm64 --mode icount --kernel "$(BENCH_VM_ARM64_KERNELS)"
	bench/vm/report $(wildcard bench/vm/out/*.log) bench/vm/out/arm64/*.log

fuzz:
	$(MAKE) -C tests/engine fuzz-run FUZZ_SECONDS=$${FUZZ_SECONDS:-3600}

module:
	$(MAKE) -C module $(if $(KDIR),KDIR=$(KDIR))

# The VM suite with ipe_lkm on a debug build of Debian's own 6.1 source
# (KASAN, lockdep, debug objects, kmemleak, UBSAN, fault injection):
# tests/vm/lib/debugkernel.sh. The first run builds the kernel (cached in
# /var/cache/ipe-lkm/debug-kernel, IPE_LKM_DEBUG_CACHE); not part of check.
check-debug:
	tests/vm/debug-kernel debug
	tests/vm/run --kernel debug --enforcer module

# Before resolving an issue: make check, then what CI has no time for.
check-full:
	tests/run-all
	tests/run-all vm_debug vm_stress_long vm_install_plain vm_kernels_full \
		vm_arm64_full vm_install_arm64 vm_cache_full fuzz_long

# The main job on a stock Debian 12 kernel in QEMU: installs the host
# packages it needs (root), builds the module and ipectl, tells the story.
demo:
	bash tests/vm/deps
	tests/vm/run --demo

install: ipectl
	install -D -m 0755 userspace/ipectl/ipectl $(DESTDIR)$(PREFIX)/sbin/ipectl
	install -D -m 0644 docs/man/ipectl.8 $(DESTDIR)$(PREFIX)/share/man/man8/ipectl.8
	install -D -m 0644 docs/man/ipe-policy.5 $(DESTDIR)$(PREFIX)/share/man/man5/ipe-policy.5
	install -D -m 0644 userspace/ipectl/completion/ipectl \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/ipectl

# Debian packages from a clean copy of the tree (packaging/debian/).
deb:
	bash packaging/debian/build-deb.sh

# RPM packages with a private %_topdir (packaging/rpm/).
rpm:
	bash packaging/rpm/build.sh

clean:
	$(MAKE) -C userspace/ipectl clean
	rm -rf build

.PHONY: all ipectl check check-debug check-full bench bench-engine bench-vm bench-vm-arm64 bench-report fuzz module demo install clean
.PHONY: deb
.PHONY: rpm
