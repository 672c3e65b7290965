#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# bench/report/gen.py LOG N: write about N audit records to stdout, the
# records of LOG (a recording of tests/cli/data/audit/) replayed over and
# over, each round with new serials and times, and pids, paths and inode
# numbers varied (2000 files per round cycle), as a busy fleet machine in
# permissive mode would log them.  The events of policy loads, activations
# and enforce switches are in the first round only: a machine's policy
# changes rarely, and the report lists each of them.
import re, sys

log, want = sys.argv[1], int(sys.argv[2])
recs = []
for line in open(log, encoding='latin-1'):
    m = re.match(r'type=(\S+) msg=audit\((\d+)\.(\d+):(\d+)\): ?(.*)$', line.rstrip('\n'))
    recs.append(m.groups())
t0 = int(recs[0][1]) * 1000 + int(recs[0][2])
admin = {r[3] for r in recs
         if r[0] in ('UNKNOWN[1421]', 'UNKNOWN[1422]', 'MAC_STATUS', 'CONFIG_CHANGE')}
out, n, rnd, serial = sys.stdout, 0, 0, 0
w = out.write
while n < want:
    last = None
    v = rnd % 2000
    for typ, sec, ms, ser, text in recs:
        if rnd and ser in admin:
            continue
        if ser != last:
            serial += 1
            last = ser
        t = t0 + rnd * 2000 + (int(sec) * 1000 + int(ms) - t0)
        text = re.sub(r' pid=(\d+)', lambda x: ' pid=%d' % (int(x.group(1)) + rnd % 30000), text)
        if typ == 'UNKNOWN[1420]':
            text = text.replace('/untrusted/bin/ipet"', '/untrusted/bin/ipet%d"' % v)
            text = re.sub(r' ino=(\d+)', lambda x: ' ino=%d' % (int(x.group(1)) + v), text)
        w('type=%s msg=audit(%d.%03d:%d): %s\n' % (typ, t // 1000, t % 1000, serial, text))
        n += 1
    rnd += 1
