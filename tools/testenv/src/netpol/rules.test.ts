import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ensureJump, filterChains, removeAll, restore, type Exec } from './iptables.ts';
import type { Isolation } from './policy.ts';
import { chainsIn, podChain, renderCleanup, renderRestore } from './rules.ts';

const isolations: Isolation[] = [
  {
    direction: 'egress',
    pod: 'a/client',
    ip: '10.244.0.11',
    allows: [{ peer: '10.0.0.10/32', proto: 'udp', ports: '53' }, { proto: 'tcp' }],
  },
  {
    direction: 'ingress',
    pod: 'a/web',
    ip: '10.244.0.10',
    allows: [{ peer: '10.244.0.11/32', proto: 'tcp', ports: '8000:8080' }, {}],
  },
  { direction: 'ingress', pod: 'a/db', ip: '10.244.0.12', allows: [] },
];
const opts = { alwaysAllowed: ['10.250.0.2', '10.244.0.1'], existingChains: [] };

describe('the iptables-restore text', () => {
  it('names per-pod chains within the kernel limit, stable per pod', () => {
    const c = podChain('ingress', 'some-long-namespace-name/some-long-pod-name-abcdef-12345');
    assert.match(c, /^PMS-NETPOL-I-[0-9a-f]{12}$/);
    assert.ok(c.length <= 28);
    assert.equal(
      c,
      podChain('ingress', 'some-long-namespace-name/some-long-pod-name-abcdef-12345'),
    );
    assert.notEqual(podChain('egress', 'a/b'), podChain('ingress', 'a/b'));
  });

  it('lets replies and the node through, checks egress then ingress, rejects the rest', () => {
    const e = podChain('egress', 'a/client');
    const w = podChain('ingress', 'a/web');
    const d = podChain('ingress', 'a/db');
    assert.equal(
      renderRestore(isolations, opts),
      [
        '*filter',
        ':PMS-NETPOL - [0:0]',
        ':PMS-NETPOL-EGRESS - [0:0]',
        ':PMS-NETPOL-INGRESS - [0:0]',
        ':PMS-NETPOL-REJECT - [0:0]',
        `:${e} - [0:0]`,
        `:${w} - [0:0]`,
        `:${d} - [0:0]`,
        '-A PMS-NETPOL -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
        '-A PMS-NETPOL -s 10.250.0.2/32 -m comment --comment "from the node" -j RETURN',
        '-A PMS-NETPOL -s 10.244.0.1/32 -m comment --comment "from the node" -j RETURN',
        '-A PMS-NETPOL -j PMS-NETPOL-EGRESS',
        '-A PMS-NETPOL -j PMS-NETPOL-INGRESS',
        '-A PMS-NETPOL-REJECT -j REJECT --reject-with icmp-port-unreachable',
        `-A PMS-NETPOL-EGRESS -s 10.244.0.11/32 -m comment --comment "egress of a/client" -j ${e}`,
        `-A ${e} -d 10.0.0.10/32 -p udp -m udp --dport 53 -j RETURN`,
        `-A ${e} -p tcp -m tcp -j RETURN`,
        `-A ${e} -j PMS-NETPOL-REJECT`,
        `-A PMS-NETPOL-INGRESS -d 10.244.0.10/32 -m comment --comment "ingress of a/web" -j ${w}`,
        `-A ${w} -s 10.244.0.11/32 -p tcp -m tcp --dport 8000:8080 -j RETURN`,
        `-A ${w} -j RETURN`,
        `-A ${w} -j PMS-NETPOL-REJECT`,
        `-A PMS-NETPOL-INGRESS -d 10.244.0.12/32 -m comment --comment "ingress of a/db" -j ${d}`,
        `-A ${d} -j PMS-NETPOL-REJECT`,
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('empties and deletes chains of ours that are no longer wanted, and only those', () => {
    const stale = podChain('ingress', 'gone/pod');
    const text = renderRestore([], { ...opts, existingChains: ['FORWARD', 'KUBE-FORWARD', stale] });
    assert.ok(text.includes(`:${stale} - [0:0]\n`));
    assert.ok(text.includes(`-X ${stale}\n`));
    assert.ok(!text.includes('KUBE-FORWARD'));
    assert.equal(
      renderCleanup(['INPUT', 'PMS-NETPOL', 'PMS-NETPOL-REJECT', 'PMS-NETPOLX']),
      '*filter\n:PMS-NETPOL - [0:0]\n:PMS-NETPOL-REJECT - [0:0]\n-X PMS-NETPOL\n-X PMS-NETPOL-REJECT\nCOMMIT\n',
    );
  });
});

// The same texts through the real iptables-restore (nf_tables backend) in a scratch network
// namespace: what the kernel accepts, and what is left after each step.
describe('applied to a scratch network namespace', () => {
  const netns = `pms-netpol-test-${process.pid}`;
  const exec: Exec = (cmd, args, input) => {
    const r = spawnSync('ip', ['netns', 'exec', netns, cmd, ...args], { encoding: 'utf8', input });
    return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
  };
  const forward = () =>
    exec('iptables', ['-S', 'FORWARD'])
      .out.split('\n')
      .filter((l) => l.startsWith('-A'));
  const ours = () => filterChains(exec).filter((c) => c.startsWith('PMS-NETPOL'));

  before(() => {
    const r = spawnSync('ip', ['netns', 'add', netns], { encoding: 'utf8' });
    assert.equal(r.status, 0, `ip netns add (needs root): ${r.stderr}`);
  });
  after(() => {
    spawnSync('ip', ['netns', 'del', netns]);
  });

  it('applies, replaces and removes the chains, keeping the jump first', () => {
    restore(exec, renderRestore(isolations, { ...opts, existingChains: filterChains(exec) }));
    assert.equal(ours().length, 7);
    // Someone (kube-proxy) put a rule first; our jump goes in front of it, once.
    exec('iptables', ['-N', 'KUBE-FORWARD']);
    exec('iptables', ['-A', 'FORWARD', '-j', 'KUBE-FORWARD']);
    assert.equal(ensureJump(exec), true);
    exec('iptables', ['-I', 'FORWARD', '1', '-j', 'KUBE-FORWARD']);
    assert.equal(ensureJump(exec), true);
    assert.equal(ensureJump(exec), false);
    assert.deepEqual(forward(), [
      '-A FORWARD -m comment --comment "pms-netpol: NetworkPolicies" -j PMS-NETPOL',
      '-A FORWARD -j KUBE-FORWARD',
      '-A FORWARD -j KUBE-FORWARD',
    ]);
    const save = exec('iptables-save', ['-t', 'filter']).out;
    assert.ok(
      save.includes(
        `-A ${podChain('ingress', 'a/web')} -s 10.244.0.11/32 -p tcp -m tcp --dport 8000:8080 -j RETURN`,
      ),
      save,
    );

    // One pod less: its chain goes, in the same transaction.
    const fewer = isolations.filter((i) => i.pod !== 'a/db');
    restore(exec, renderRestore(fewer, { ...opts, existingChains: filterChains(exec) }));
    assert.equal(ours().length, 6);
    assert.ok(!ours().includes(podChain('ingress', 'a/db')));

    removeAll(exec);
    assert.deepEqual(ours(), []);
    assert.deepEqual(forward(), ['-A FORWARD -j KUBE-FORWARD', '-A FORWARD -j KUBE-FORWARD']);
    assert.deepEqual(chainsIn(exec('iptables-save', ['-t', 'filter']).out).sort(), [
      'FORWARD',
      'INPUT',
      'KUBE-FORWARD',
      'OUTPUT',
    ]);
  });
});
