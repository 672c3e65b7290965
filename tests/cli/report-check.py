#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# report-check.py REPORT.json LOG NODES ALLOWED RECORDS: check every field of
# `ipectl report --json` against a recorded RAW log of t_report_workload
# (tests/vm/tests/55-report.sh), read here line by line the simplest way.
# NODES: the report's nodes, comma-separated, "-" for null, each holding the
# whole log; ALLOWED: 1 if --allowed; RECORDS: the expected totals.records,
# or "ipe" for as many as IPE's (the journal only has those read).
import json, re, sys
from datetime import datetime, timezone

rep_path, log, nodes, allowed, records = sys.argv[1:6]
rep = json.load(open(rep_path))
nodes = [None if n == '-' else n for n in nodes.split(',')]
allowed = allowed == '1'
ORDER = {'denied': 0, 'would-deny': 1, 'allowed': 2}


def iso(ms):
    return datetime.fromtimestamp(ms // 1000, timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%S') + '.%03dZ' % (ms % 1000)


def val(text, k):
    m = re.search(r'(?:^| )%s=("[^"]*"|\S+)' % k, text)
    return None if not m or m.group(1) == '?' else m.group(1).strip('"')


def pol(text, pre, dig):
    p = {'name': val(text, pre + 'name'), 'version': val(text, pre + 'version'),
         'digest': val(text, dig)}
    return p if any(p.values()) else None


def expected(allowed):
    lines = open(log, encoding='latin-1').read().splitlines()
    policy, groups, pev, eev, times, n = None, {}, [], [], [], [0, 0, 0]
    for line in lines:
        t, sec, ms, text = re.match(
            r'type=(\S+) msg=audit\((\d+)\.(\d+):\d+\): ?(.*)$', line).groups()
        ms = int(sec) * 1000 + int(ms)
        if t == 'UNKNOWN[1421]':
            new = pol(text, 'new_active_pol_', 'new_policy_digest')
            pev.append(dict(time=iso(ms), kind='activate', **new,
                            old=pol(text, 'old_active_pol_', 'old_policy_digest'),
                            result='ok', errno=0))
            policy = new
        elif t == 'UNKNOWN[1422]':
            pev.append(dict(time=iso(ms), kind='load',
                            **pol(text, 'policy_', 'policy_digest'), old=None,
                            result='ok', errno=0))
        elif t == 'MAC_STATUS' and 'lsm=ipe' in text:
            eev.append(dict(time=iso(ms), enforcing=int(val(text, 'enforcing')),
                            old_enforcing=int(val(text, 'old_enforcing'))))
        elif t == 'UNKNOWN[1420]':
            rule = re.search(r' rule="(.*)"$', text).group(1)
            deny = rule.endswith('action=DENY')
            dec = ('would-deny', 'denied')[int(val(text, 'enforcing'))] if deny else 'allowed'
            n[ORDER[dec]] += 1
            times.append(ms)
            if dec == 'allowed' and not allowed:
                continue
            g = dict(path=val(text, 'path'), dev=val(text, 'dev'),
                     ino=int(val(text, 'ino')), op=val(text, 'ipe_op'),
                     hook=val(text, 'ipe_hook'), decision=dec, rule=rule,
                     policy=policy)
            g = groups.setdefault(json.dumps(g), dict(g, count=0, first=iso(ms),
                                                      comms=[], more_comms=0))
            g['count'] += 1
            g['last'] = iso(ms)
            if val(text, 'comm') not in g['comms']:
                g['comms'].append(val(text, 'comm'))
        else:
            continue
        times.append(ms)
    acc = sorted(groups.values(), key=lambda g: (g['path'], g['op'], g['hook'],
                                                 ORDER[g['decision']], g['rule']))
    node = dict(first=iso(min(times)), last=iso(max(times)), accesses=acc,
                policy_events=pev, enforce_events=eev)
    return node, n, len(lines)


node, (denied, would, allow), nlines = expected(allowed)
# what the workload did (55-report.sh), whatever the oracle above reads
w = {(a['path'], a['hook'], a['decision']): a for a in node['accesses']}
facts = {('/untrusted/bin/ipet', 'BPRM_CHECK', 'would-deny'): (3, 't_report', ['ipet']),
         ('/untrusted/bin/ipet', 'MMAP', 'would-deny'): (3, 't_report', ['ipet']),
         ('/untrusted/lib/libipetlib.so', 'MMAP', 'would-deny'): (2, 't_report', ['uselib']),
         ('/untrusted/lib/libipetlib.so', 'MPROTECT', 'would-deny'): (1, 't_report', ['ipet']),
         ('/untrusted/bin/ipet', 'BPRM_CHECK', 'denied'): (1, 't_report2', ['ipet'])}
for k, (count, p, comms) in facts.items():
    a = w[k]
    assert (a['count'], a['policy']['name'], a['comms'], a['dev'], a['ino']) == \
        (count, p, comms, 'tmpfs', 4 if 'bin' in k[0] else 5), (k, a)
assert len([a for a in node['accesses'] if a['decision'] != 'allowed']) == 5
assert [e['name'] for e in node['policy_events'] if e['kind'] == 'load'] == \
    ['ipet_base_0', 't_report', 't_report2', 'ipet_base_3']
assert [e['enforcing'] for e in node['enforce_events']] == [0, 1, 0, 1, 0, 1, 0]

k = len(nodes)
loads = sum(e['kind'] == 'load' for e in node['policy_events'])
acts = len(node['policy_events']) - loads
ipe = denied + would + allow + len(node['policy_events']) + len(node['enforce_events'])
want_totals = dict(records=k * (ipe if records == 'ipe' else int(records)),
                   ipe_records=k * ipe, denied=k * denied, would_deny=k * would,
                   allowed=k * allow, nodes=k, files=k * (3 if allowed else 2),
                   groups=k * len(node['accesses']), policy_loads=k * loads,
                   policy_load_failures=0, activations=k * acts,
                   enforce_changes=k * len(node['enforce_events']), skipped=0)
assert rep['schema'] == 'ipectl-report/1', rep['schema']
assert rep['totals'] == want_totals, (rep['totals'], want_totals)
assert rep['skipped'] == {}, rep['skipped']
assert [n['node'] for n in rep['nodes']] == nodes, [n['node'] for n in rep['nodes']]
for got in rep['nodes']:
    want = dict(node=got['node'], **node)
    for key in want:
        assert got[key] == want[key], (key, got[key], want[key])
    assert set(got) == set(want), set(got) ^ set(want)
