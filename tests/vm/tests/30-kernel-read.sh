# SPDX-License-Identifier: GPL-2.0
# tests/vm/tests/30-kernel-read.sh: KMODULE, FIRMWARE, KEXEC_IMAGE and
# KEXEC_INITRAMFS (kernel_read_file / kernel_load_data). Without an enforcer
# the same calls must succeed: that is the baseline the denials are read against.

FWTRIG=/sys/devices/virtual/misc/test_firmware/trigger_request
FWPATH=/sys/module/firmware_class/parameters/path

# the fixture module's name (tests/vm/lib/initramfs.sh picks one per kernel)
fixture_mod() { cat /lib/ipet/fixture.name; }
mod_unload() { rmmod "$(fixture_mod)" 2>/dev/null || true; }

t_kread_module() { # smoke
	mkdir -p /untrusted/ko
	cp /lib/ipet/fixture.ko /untrusted/ko/
	mod_unload
	expect_eq "$(ipet finit /untrusted/ko/fixture.ko)" OK "finit_module, no policy"
	mod_unload
	expect_eq "$(ipet init /untrusted/ko/fixture.ko)" OK "init_module, no policy"
	mod_unload
	enforcer_part
	ipe_use t_kmod "DEFAULT action=ALLOW" "DEFAULT op=KMODULE action=DENY" "op=KMODULE boot_verified=TRUE action=ALLOW"
	expect_eq "$(ipet finit /lib/ipet/fixture.ko)" OK "finit_module from rootfs"
	mod_unload
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet finit /untrusted/ko/fixture.ko)" EACCES "finit_module from tmpfs"
	audit_expect 1420 "ipe_op=KMODULE ipe_hook=KERNEL_READ enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=\"/untrusted/ko/fixture.ko\" dev=\"tmpfs\" ino=$(stat -c %i /untrusted/ko/fixture.ko) rule=\"DEFAULT op=KMODULE action=DENY\""
	audit_mark
	# init_module(2) hands over a buffer: no file, so boot_verified is false.
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet init /lib/ipet/fixture.ko)" EACCES "init_module from a buffer"
	audit_expect 1420 "ipe_op=KMODULE ipe_hook=KERNEL_LOAD enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=? dev=? ino=? rule=\"DEFAULT op=KMODULE action=DENY\""
	mod_unload
}

# A compressed module the kernel unpacks itself (finit_module with
# MODULE_INIT_COMPRESSED_FILE, as kmod loads .ko.xz): 7.x reads it as
# READING_MODULE_COMPRESSED, which upstream decides as op=KERNEL_MODULE.
t_kread_module_compressed() {
	mkdir -p /untrusted/ko
	cp /lib/ipet/fixture.ko.xz /untrusted/ko/
	mod_unload
	r=$(ipet finitz /untrusted/ko/fixture.ko.xz || true)
	if [ "$r" != OK ]; then
		grep -q '^CONFIG_MODULE_DECOMPRESS=y' /lib/ipet/config &&
			fail "finit_module of a compressed module: $r"
		skip "this kernel does not unpack modules itself"
	fi
	mod_unload
	enforcer_part
	ipe_use t_kmodz "DEFAULT action=ALLOW" "DEFAULT op=KMODULE action=DENY" "op=KMODULE boot_verified=TRUE action=ALLOW"
	expect_eq "$(ipet finitz /lib/ipet/fixture.ko.xz)" OK "compressed module from rootfs"
	mod_unload
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet finitz /untrusted/ko/fixture.ko.xz)" EACCES "compressed module from tmpfs"
	audit_expect 1420 "ipe_op=KMODULE ipe_hook=KERNEL_READ enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=\"/untrusted/ko/fixture.ko.xz\" dev=\"tmpfs\" ino=$(stat -c %i /untrusted/ko/fixture.ko.xz) rule=\"DEFAULT op=KMODULE action=DENY\""
	mod_unload
}

# fw_request NAME: prints OK or the errno of request_firmware(NAME).
fw_request() { ipet writes $FWTRIG "$1"; }

t_kread_firmware() { # smoke
	[ -e $FWTRIG ] || fail "test_firmware not loaded"
	mkdir -p /untrusted/fw /lib/firmware
	cp /lib/ipet/keys/ca.der /untrusted/fw/ipet-untrusted.bin
	cp /lib/ipet/keys/ca.der /lib/firmware/ipet-trusted.bin
	echo -n /untrusted/fw >$FWPATH
	expect_eq "$(fw_request ipet-untrusted.bin)" OK "firmware from tmpfs, no policy"
	expect_eq "$(fw_request ipet-trusted.bin)" OK "firmware from rootfs, no policy"
	expect_eq "$(fw_request ipet-missing.bin)" ENOENT "missing firmware"
	enforcer_part
	ipe_use t_fw "DEFAULT action=ALLOW" "DEFAULT op=FIRMWARE action=DENY" "op=FIRMWARE boot_verified=TRUE action=ALLOW"
	expect_eq "$(fw_request ipet-trusted.bin)" OK "firmware from rootfs"
	audit_mark
	# The loader goes on to the next search path after the denial, so the
	# requester sees ENOENT, not EACCES.
	expect_eq "$(fw_request ipet-untrusted.bin)" ENOENT "firmware from tmpfs"
	audit_recs 1420 >/tmp/r
	grep -Eq "^ipe_op=FIRMWARE ipe_hook=KERNEL_READ enforcing=1 pid=[0-9]+ comm=\"ipet\" path=\"/untrusted/fw/ipet-untrusted.bin\" dev=\"tmpfs\" ino=$(stat -c %i /untrusted/fw/ipet-untrusted.bin) rule=\"DEFAULT op=FIRMWARE action=DENY\"$" /tmp/r ||
		{ cat /tmp/r; fail "no FIRMWARE 1420"; }
}

kexec_files() {
	mkdir -p /untrusted/kx /tmp/kx
	[ -f /tmp/kx/vmlinuz ] || cp /mnt/dmv/vmlinuz /mnt/dmv/initrd /tmp/kx/
	[ -f /untrusted/kx/vmlinuz ] || cp /mnt/dmv/vmlinuz /mnt/dmv/initrd /untrusted/kx/
}

t_kread_kexec_image() { # smoke
	need kexec_file
	kexec_files
	expect_eq "$(ipet kexec /untrusted/kx/vmlinuz /untrusted/kx/initrd)" OK "kexec_file_load, no policy"
	enforcer_part
	ipe_use t_kx "DEFAULT action=ALLOW" "DEFAULT op=KEXEC_IMAGE action=DENY" "op=KEXEC_IMAGE boot_verified=TRUE action=ALLOW"
	expect_eq "$(ipet kexec /tmp/kx/vmlinuz /untrusted/kx/initrd)" OK "kernel from rootfs (files copied at run time count)"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet kexec /untrusted/kx/vmlinuz /tmp/kx/initrd)" EACCES "kernel from tmpfs"
	audit_expect 1420 "ipe_op=KEXEC_IMAGE ipe_hook=KERNEL_READ enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=\"/untrusted/kx/vmlinuz\" dev=\"tmpfs\" ino=$(stat -c %i /untrusted/kx/vmlinuz) rule=\"DEFAULT op=KEXEC_IMAGE action=DENY\""
	expect_eq "$(ipet kexec /mnt/dmv/vmlinuz)" EACCES "kernel from dm-verity without a rule for it"
}

t_kread_kexec_initramfs() {
	need kexec_file
	kexec_files
	expect_eq "$(ipet kexec /tmp/kx/vmlinuz)" OK "kexec_file_load without an initrd, no policy"
	enforcer_part
	ipe_use t_kxi "DEFAULT action=ALLOW" "DEFAULT op=KEXEC_INITRAMFS action=DENY" "op=KEXEC_INITRAMFS boot_verified=TRUE action=ALLOW"
	expect_eq "$(ipet kexec /untrusted/kx/vmlinuz /tmp/kx/initrd)" OK "initrd from rootfs"
	audit_mark
	expect_eq "$(IPET_PID_FILE=/tmp/pid ipet kexec /tmp/kx/vmlinuz /untrusted/kx/initrd)" EACCES "initrd from tmpfs"
	audit_expect 1420 "ipe_op=KEXEC_INITRAMFS ipe_hook=KERNEL_READ enforcing=1 pid=$(cat /tmp/pid) comm=\"ipet\" path=\"/untrusted/kx/initrd\" dev=\"tmpfs\" ino=$(stat -c %i /untrusted/kx/initrd) rule=\"DEFAULT op=KEXEC_INITRAMFS action=DENY\""
}
