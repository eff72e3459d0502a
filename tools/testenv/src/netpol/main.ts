// The NetworkPolicy engine of the test environment's real node:
//   node main.ts <config.json>
// started by the `node` service inside the node's network namespace. It lists and watches pods,
// namespaces and NetworkPolicies, renders the iptables rules for the pods of its node
// (policy.ts → rules.ts) at most every 100 ms, applies them in one iptables-restore, logs one
// line per change, writes a status file after each sync (the service waits for the first), and
// removes its rules on SIGTERM. Why it exists instead of kube-network-policies: README.md.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ensureJump, filterChains, localExec, removeAll, restore } from './iptables.ts';
import { isolations } from './policy.ts';
import { renderRestore } from './rules.ts';
import { slimNamespace, slimPod, slimPolicy } from './slim.ts';
import type { EngineConfig } from './types.ts';
import { Reflector } from './watch.ts';

const configFile = process.argv[2];
if (!configFile) {
  process.stderr.write('usage: main.ts <config.json>\n');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configFile, 'utf8')) as EngineConfig;
const log = (m: string) => process.stdout.write(`${new Date().toISOString()} ${m}\n`);

// Bridged pod-to-pod packets (same node, same cni0) only reach FORWARD through br_netfilter.
// The switch is per network namespace (kernel ≥ 5.3); /proc/sys/net is the caller's namespace.
const bridgeSysctl = '/proc/sys/net/bridge/bridge-nf-call-iptables';
if (!existsSync(bridgeSysctl)) localExec('modprobe', ['br_netfilter']);
writeFileSync(bridgeSysctl, '1');
if (readFileSync(bridgeSysctl, 'utf8').trim() !== '1')
  throw new Error(`${bridgeSysctl} did not take 1: same-bridge pod traffic would bypass policies`);

let timer: NodeJS.Timeout | undefined;
let lastText = '';
/** Re-apply even when nothing changed (after a failure, and once a minute). */
let forceApply = true;
let syncs = 0;
/** Debounced: a burst of events (a namespace of pods starting) becomes one sync. */
const schedule = (ms = 100) => {
  if (timer === undefined) timer = setTimeout(sync, ms);
};

const pods = new Reflector(config, '/api/v1/pods', slimPod, schedule, log);
const namespaces = new Reflector(config, '/api/v1/namespaces', slimNamespace, schedule, log);
const policies = new Reflector(
  config,
  '/apis/networking.k8s.io/v1/networkpolicies',
  slimPolicy,
  schedule,
  log,
);
const reflectors = [pods, namespaces, policies];

function sync(): void {
  timer = undefined;
  // Until every list is in, a sync would enforce a partial view (e.g. policies without pods).
  if (!reflectors.every((r) => r.listed)) return;
  const started = Date.now();
  try {
    const iso = isolations(
      {
        pods: [...pods.items.values()],
        namespaces: [...namespaces.items.values()],
        policies: [...policies.items.values()],
      },
      config.nodeName,
    );
    const options = { alwaysAllowed: config.alwaysAllowed, existingChains: [] };
    // Compared without the stale-chain deletions, which differ once after every removal.
    const desired = renderRestore(iso, options);
    const changed = desired !== lastText;
    if (changed || forceApply) {
      restore(
        localExec,
        renderRestore(iso, { ...options, existingChains: filterChains(localExec) }),
      );
    }
    const moved = ensureJump(localExec);
    lastText = desired;
    forceApply = false;
    syncs++;
    if (changed || moved || syncs === 1) {
      const count = (d: string) => iso.filter((i) => i.direction === d).length;
      log(
        `sync ${syncs}: ${policies.items.size} policies; ${count('ingress')} pods isolated for ingress, ` +
          `${count('egress')} for egress; ${iso.reduce((n, i) => n + i.allows.length, 0)} allow rules` +
          `${moved ? '; FORWARD jump (re)placed first' : ''}; ${Date.now() - started} ms`,
      );
    }
    const status = {
      syncs,
      at: new Date().toISOString(),
      resourceVersions: {
        pods: pods.resourceVersion,
        namespaces: namespaces.resourceVersion,
        networkpolicies: policies.resourceVersion,
      },
    };
    writeFileSync(`${config.statusFile}.tmp`, JSON.stringify(status));
    renameSync(`${config.statusFile}.tmp`, config.statusFile);
  } catch (err) {
    log(`sync failed: ${(err as Error).message}; retrying in 1 s`);
    forceApply = true;
    schedule(1000);
  }
}

// kube-proxy (or anyone) could put a rule in front of our jump, or flush our chains: check the
// jump every 10 s and re-apply everything once a minute.
const jumpCheck = setInterval(() => schedule(0), 10_000);
const resync = setInterval(() => {
  forceApply = true;
  schedule(0);
}, 60_000);

function shutdown(): void {
  clearInterval(jumpCheck);
  clearInterval(resync);
  if (timer) clearTimeout(timer);
  for (const r of reflectors) r.close();
  try {
    removeAll(localExec);
    log('rules removed; exiting');
  } catch (err) {
    log(`removing the rules failed: ${(err as Error).message}`);
  }
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

log(`watching pods, namespaces and networkpolicies for node ${config.nodeName}`);
for (const r of reflectors) void r.run();
