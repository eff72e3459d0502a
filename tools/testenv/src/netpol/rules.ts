// The iptables side: isolations (policy.ts) → an `iptables-restore --noflush` text for the
// filter table that touches only the engine's own chains. Pure, so the exact rules are tested.
//
//   FORWARD (first rule) -j PMS-NETPOL
//   PMS-NETPOL          replies (ESTABLISHED,RELATED) and the node's own traffic RETURN;
//                       then egress of the source pod, then ingress of the destination pod
//   PMS-NETPOL-EGRESS   -s <pod ip> -j PMS-NETPOL-E-<id>   (one line per egress-isolated pod)
//   PMS-NETPOL-INGRESS  -d <pod ip> -j PMS-NETPOL-I-<id>   (one line per ingress-isolated pod)
//   PMS-NETPOL-E/I-<id> one RETURN per allowed peer/port, then -j PMS-NETPOL-REJECT
//   PMS-NETPOL-REJECT   ICMP port unreachable, for TCP too: clients fail at once
//                       (ECONNREFUSED). Not a TCP reset: a client connecting to a ClusterIP
//                       never got the reset (it waited out its timeout in the smoke test; the
//                       reset is made after the DNAT and seems not to be translated back),
//                       while the ICMP error, whose inner header NAT does translate, reached it.
//
// An allowed packet only ever RETURNs: it goes on through the rest of FORWARD (kube-proxy's
// chains) as if the engine were not there. No packet marks are used.
import { createHash } from 'node:crypto';
import type { Allow, Isolation } from './policy.ts';

export const ENTRY_CHAIN = 'PMS-NETPOL';
export const CHAIN_PREFIX = 'PMS-NETPOL';
const EGRESS = 'PMS-NETPOL-EGRESS';
const INGRESS = 'PMS-NETPOL-INGRESS';
const REJECT = 'PMS-NETPOL-REJECT';

/** Per-pod chain: at most 28 characters (the kernel's limit), stable for a pod's name. */
export function podChain(direction: Isolation['direction'], pod: string): string {
  const id = createHash('sha256').update(pod).digest('hex').slice(0, 12);
  return `${CHAIN_PREFIX}-${direction === 'ingress' ? 'I' : 'E'}-${id}`;
}

/** Whether an existing chain is the engine's (anything named PMS-NETPOL or PMS-NETPOL-…). */
export const isOwnChain = (chain: string): boolean =>
  chain === ENTRY_CHAIN || chain.startsWith(`${CHAIN_PREFIX}-`);

/** Chain names in an `iptables-save -t filter` text. */
export function chainsIn(save: string): string[] {
  return save
    .split('\n')
    .filter((l) => l.startsWith(':'))
    .map((l) => l.slice(1).split(' ')[0] ?? '')
    .filter(Boolean);
}

function match(a: Allow, direction: Isolation['direction']): string {
  const parts: string[] = [];
  if (a.peer) parts.push(direction === 'ingress' ? `-s ${a.peer}` : `-d ${a.peer}`);
  if (a.proto) {
    parts.push(`-p ${a.proto} -m ${a.proto}`);
    if (a.ports) parts.push(`--dport ${a.ports}`);
  }
  return parts.join(' ');
}

export interface RenderOptions {
  /** Sources always allowed: the node's own addresses (kubelet probes, the pod gateway). */
  alwaysAllowed: string[];
  /** The filter table's chains now (chainsIn(iptables-save)): stale ones of ours are deleted. */
  existingChains: string[];
}

/** The full restore text for the desired state: every chain of ours replaced at once. */
export function renderRestore(isolations: Isolation[], opts: RenderOptions): string {
  const chains = [ENTRY_CHAIN, EGRESS, INGRESS, REJECT];
  const rules: string[] = [
    `-A ${ENTRY_CHAIN} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`,
    ...opts.alwaysAllowed.map(
      (ip) => `-A ${ENTRY_CHAIN} -s ${ip}/32 -m comment --comment "from the node" -j RETURN`,
    ),
    `-A ${ENTRY_CHAIN} -j ${EGRESS}`,
    `-A ${ENTRY_CHAIN} -j ${INGRESS}`,
    `-A ${REJECT} -j REJECT --reject-with icmp-port-unreachable`,
  ];
  for (const iso of isolations) {
    const chain = podChain(iso.direction, iso.pod);
    chains.push(chain);
    const [from, addr] = iso.direction === 'ingress' ? [INGRESS, '-d'] : [EGRESS, '-s'];
    rules.push(
      `-A ${from} ${addr} ${iso.ip}/32 -m comment --comment "${iso.direction} of ${iso.pod}" -j ${chain}`,
    );
    for (const a of iso.allows)
      rules.push([`-A ${chain}`, match(a, iso.direction), '-j RETURN'].filter(Boolean).join(' '));
    rules.push(`-A ${chain} -j ${REJECT}`);
  }
  const wanted = new Set(chains);
  const stale = opts.existingChains.filter((c) => isOwnChain(c) && !wanted.has(c));
  return [
    '*filter',
    // Declaring a chain in a --noflush restore creates it or empties it.
    ...[...chains, ...stale].map((c) => `:${c} - [0:0]`),
    ...rules,
    // Emptied above, and no chain of ours jumps to them any more.
    ...stale.map((c) => `-X ${c}`),
    'COMMIT',
    '',
  ].join('\n');
}

/** Removes every chain of ours (the FORWARD jump must be deleted first). */
export function renderCleanup(existingChains: string[]): string {
  const ours = existingChains.filter(isOwnChain);
  return [
    '*filter',
    ...ours.map((c) => `:${c} - [0:0]`),
    ...ours.map((c) => `-X ${c}`),
    'COMMIT',
    '',
  ].join('\n');
}
