# SPDX-License-Identifier: GPL-2.0
# bench/vm/fapolicyd-guest.sh: start and stop fapolicyd in the benchmark
# guest (busybox ash; sourced by bench/vm/guest-init).

# fapolicyd_start: start the daemon; ready once an untrusted ELF file can
# no longer be executed (its trust database is built and fanotify marked).
fapolicyd_start() {
	mkdir -p /run/fapolicyd /var/lib/fapolicyd
	chown 999:999 /run/fapolicyd /var/lib/fapolicyd
	fapolicyd >/run/fapolicyd.out 2>&1 || { cat /run/fapolicyd.out; return 1; }
	i=0
	while /untrusted/ipebench nop 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 600 ] || { cat /run/fapolicyd.out; return 1; }
		usleep 100000
	done
	return 0
}

fapolicyd_stop() {
	p=$(cat /run/fapolicyd.pid 2>/dev/null)
	[ -n "$p" ] && kill "$p"
	i=0
	while [ -n "$p" ] && [ -d /proc/$p ] && [ $i -lt 600 ]; do
		usleep 100000
		i=$((i + 1))
	done
	rm -f /run/fapolicyd.pid
}
