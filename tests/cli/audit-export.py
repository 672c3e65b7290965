#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# audit-export.py LOG HOST: auditd's RAW lines as journal export format,
# with the fields journald 252 stores for an audit record
# (src/journal/journald-audit.c, process_audit_string()): _TRANSPORT=audit,
# _AUDIT_TYPE, _AUDIT_ID, SYSLOG_FACILITY=4, SYSLOG_IDENTIFIER=audit,
# _AUDIT_TYPE_NAME (AUDITnnnn for a type its headers do not name, as
# bookworm's for 1420-1422), MESSAGE="NAME text", _SOURCE_REALTIME_TIMESTAMP,
# a few _AUDIT_FIELD_*, and the trusted fields.  Records with no text are
# not stored (journald drops them: the empty MAC_STATUS after IPE's).
import re, sys
host = sys.argv[2]
out = sys.stdout
mono = 1000000
for line in open(sys.argv[1], encoding='latin-1'):
    m = re.match(r'(?:node=\S+ )?type=(\S+) msg=audit\((\d+)\.(\d+):(\d+)\): ?(.*)$', line.rstrip('\n'))
    if not m or not m.group(5).strip():
        continue
    t, sec, ms, ident, text = m.groups()
    u = re.match(r'UNKNOWN\[(\d+)\]', t)
    num = {'MAC_STATUS': 1404, 'SYSCALL': 1300, 'PROCTITLE': 1327, 'PATH': 1302, 'CWD': 1307,
           'EXECVE': 1309, 'USER': 1005, 'CONFIG_CHANGE': 1305}.get(t) if not u else int(u.group(1))
    if num is None:
        continue
    name = 'AUDIT%d' % num if u else t
    us = int(sec) * 1000000 + int(ms) * 1000
    mono += 1000
    fields = [('__REALTIME_TIMESTAMP', us + 5), ('__MONOTONIC_TIMESTAMP', mono),
              ('_BOOT_ID', '0123456789abcdef0123456789abcdef'), ('_TRANSPORT', 'audit'),
              ('_AUDIT_TYPE', num), ('_AUDIT_ID', ident), ('SYSLOG_FACILITY', 4),
              ('SYSLOG_IDENTIFIER', 'audit'), ('_AUDIT_TYPE_NAME', name),
              ('MESSAGE', name + ' ' + text.strip()), ('_SOURCE_REALTIME_TIMESTAMP', us),
              ('_MACHINE_ID', 'fedcba9876543210fedcba9876543210'), ('_HOSTNAME', host)]
    for k, v in re.findall(r'(\w+)=("[^"]*"|\S+)', text):
        if k in ('pid', 'comm', 'auid', 'ses', 'res'):
            fields.append(('_AUDIT_FIELD_' + k.upper(), v.strip('"')))
    for k, v in fields:
        out.write('%s=%s\n' % (k, v))
    out.write('\n')
