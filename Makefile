# SPDX-License-Identifier: MIT
# ipe-lkm: top-level build.
#   make            build userspace/ipectl/ipectl
#   make check      every test the project has; last line "N passed, N failed"
#   make demo       the main job on a stock Debian kernel in QEMU (later work)
#   make module     build module/ipe_lkm.ko for KDIR (default: running kernel)
#   make bench      policy engine benchmark table
#   make fuzz       run the parser fuzzer for FUZZ_SECONDS (default 3600)

PREFIX ?= /usr
DESTDIR ?=

all: ipectl

ipectl:
	$(MAKE) -C userspace/ipectl

check:
	tests/run-all

bench:
	$(MAKE) -C bench run

fuzz:
	$(MAKE) -C tests/engine fuzz-run FUZZ_SECONDS=$${FUZZ_SECONDS:-3600}

module:
	$(MAKE) -C module $(if $(KDIR),KDIR=$(KDIR))

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

clean:
	$(MAKE) -C userspace/ipectl clean
	rm -rf build

.PHONY: all ipectl check bench fuzz module demo install clean
