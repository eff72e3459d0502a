// RBAC proven by the API server: run the operator's integration suites against a test API
// server that writes an audit log (PMS_TESTENV_AUDIT_LOG, tools/testenv kube.ts), collect
// every (API group, resource, verb) the operator's ServiceAccount used, and fail when
// config/rbac grants anything that was never used, or when a request of it was denied.
//
//   PMS_TESTENV_DIR=/tmp/te PMS_TESTENV_AUDIT_LOG=/tmp/te-audit.log \
//     node tools/testenv/src/cli.ts up --only kube,kwok,s3
//   PMS_TESTENV_DIR=/tmp/te PMS_TESTENV_AUDIT_LOG=/tmp/te-audit.log npm run test:rbac-audit -w operator
//
// `--no-run` only analyses the log as it is: `npm test -w operator` ends with it, after every
// suite ran against the environment (which writes the log by default, TESTENV_AUDIT_LOG).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubernetesObject } from '@kubernetes/client-node';
import { PRUNED_KINDS } from '../src/controller/owned.ts';

/**
 * The suites that run the operator's controllers or runtime under its own RBAC: every test
 * file that starts the operator (so a new suite is included without editing this list), plus
 * the event recorder's.
 */
export function suites(testDir: string): string[] {
  return readdirSync(testDir)
    .filter((f) => f.endsWith('.test.ts'))
    .filter(
      (f) =>
        f === 'runtime-events.test.ts' ||
        /startOperator|instance-harness/.test(readFileSync(join(testDir, f), 'utf8')),
    )
    .sort()
    .map((f) => `test/${f}`);
}

export interface AuditEvent {
  verb?: string;
  responseStatus?: { code?: number };
  user?: { username?: string };
  objectRef?: { apiGroup?: string; resource?: string; subresource?: string };
  annotations?: Record<string, string>;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

/** `group resource verb`, the unit both sides are compared in (core group is ""). */
export const accessKey = (group: string, resource: string, verb: string) =>
  `${group || '""'} ${resource} ${verb}`;

/** Every (group, resource[/subresource], verb) the ClusterRoles and Roles among `objects` grant. */
export function grantList(
  objects: KubernetesObject[],
): Array<{ group: string; resource: string; verb: string }> {
  const out: Array<{ group: string; resource: string; verb: string }> = [];
  for (const o of objects) {
    if (o.kind !== 'ClusterRole' && o.kind !== 'Role') continue;
    for (const r of (o as { rules?: Rule[] }).rules ?? []) {
      for (const group of r.apiGroups ?? [])
        for (const resource of r.resources ?? [])
          for (const verb of r.verbs ?? []) out.push({ group, resource, verb });
    }
  }
  return out;
}

export const granted = (objects: KubernetesObject[]): Set<string> =>
  new Set(grantList(objects).map((g) => accessKey(g.group, g.resource, g.verb)));

/**
 * What `isOperator` users did, from audit events: used (allowed) and denied accesses. Requests
 * without an object (discovery, /version) are not RBAC on resources; access reviews are what
 * every authenticated user may do (the test harness asks them).
 */
export function used(
  events: AuditEvent[],
  isOperator: (username: string) => boolean,
): { used: Set<string>; denied: Set<string> } {
  const out = { used: new Set<string>(), denied: new Set<string>() };
  for (const e of events) {
    const ref = e.objectRef;
    if (!isOperator(e.user?.username ?? '') || !ref?.resource || !e.verb) continue;
    if (ref.apiGroup === 'authorization.k8s.io') continue;
    const resource = ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource;
    const key = accessKey(ref.apiGroup ?? '', resource, e.verb);
    if (e.annotations?.['authorization.k8s.io/decision'] === 'forbid') out.denied.add(key);
    else {
      out.used.add(key);
      // A server-side apply that creates the object (201) is also authorized as `create`,
      // inside the same request: the audit log shows one `patch`.
      if (e.verb === 'patch' && e.responseStatus?.code === 201)
        out.used.add(accessKey(ref.apiGroup ?? '', resource, 'create'));
    }
  }
  return out;
}

export function parseAuditLog(text: string): AuditEvent[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AuditEvent);
}

/**
 * Grants no request shows in an audit log, each with why it is needed. The
 * OwnerReferencesPermissionEnforcement admission plugin (on e.g. OpenShift; not enabled on
 * the test API server) lets only a user who may `update` `<owner>/finalizers` set
 * `blockOwnerDeletion` on an owner reference, which every child of an instance, backup or
 * restore carries (render/labels.ts, render/backup-resources.ts).
 */
export const NOT_IN_AUDIT: Record<string, string> = {
  [accessKey('pms.io', 'pmsinstances/finalizers', 'update')]: 'blockOwnerDeletion on children',
  [accessKey('pms.io', 'pmsbackups/finalizers', 'update')]: 'blockOwnerDeletion on backup Jobs',
  [accessKey('pms.io', 'pmsrestores/finalizers', 'update')]: 'blockOwnerDeletion on restore Jobs',
};

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/**
 * Grants a code path needs that the suites do not exercise for every kind, each with the code
 * that needs it: prune deletes any owned kind the spec stops rendering (controller/children.ts),
 * the drift check reads any applied kind once another writer changed it (drift-check.ts),
 * and the event recorder patches an Event's series on repeats (events.ts, at most every 30 s).
 */
export function declaredNeeds(): Record<string, string> {
  const out: Record<string, string> = {
    [accessKey('events.k8s.io', 'events', 'patch')]: 'events.ts: series.count of repeats',
  };
  for (const k of PRUNED_KINDS) {
    out[accessKey(groupOf(k.apiVersion) ?? '', k.plural, 'delete')] = 'prune of PRUNED_KINDS';
    out[accessKey(groupOf(k.apiVersion) ?? '', k.plural, 'get')] =
      'drift-check.ts: the full object after another writer';
  }
  return out;
}

/**
 * The operator's ServiceAccount in any test namespace (config/rbac's name), except those of
 * test/rbac.test.ts (namespaces `rbac-*`), which makes denied calls on purpose, should it run
 * against the same API server meanwhile, and of runtime-controller.test.ts's controller whose
 * kind is not served (`rt-ghost-*`): its informer lists a kind no role grants, on purpose.
 */
export const operatorUser = (saName: string) => (u: string) =>
  /^system:serviceaccount:[^:]+:/.test(u) &&
  !u.startsWith('system:serviceaccount:rbac-') &&
  !u.startsWith('system:serviceaccount:rt-ghost-') &&
  u.endsWith(`:${saName}`);

async function main(): Promise<number> {
  // The test environment writes the log by default and names it in TESTENV_AUDIT_LOG.
  const log = process.env.TESTENV_AUDIT_LOG ?? process.env.PMS_TESTENV_AUDIT_LOG;
  if (!log) {
    console.error(
      'no audit log: start the test environment with tools/testenv (it exports TESTENV_AUDIT_LOG; PMS_TESTENV_AUDIT_LOG=off turns it off)',
    );
    return 2;
  }
  let offset = 0;
  try {
    offset = statSync(log).size;
  } catch {
    console.error(
      `no audit log at ${log}: was the environment started with PMS_TESTENV_AUDIT_LOG?`,
    );
    return 2;
  }
  const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  if (!process.argv.includes('--no-run')) {
    const r = spawnSync(
      process.execPath,
      ['--test', '--test-concurrency=1', ...suites(join(here, 'test'))],
      {
        cwd: here,
        stdio: 'inherit',
      },
    );
    if (r.status !== 0) {
      console.error('the suites failed; the audit comparison needs them to pass');
      return 1;
    }
  } else offset = 0;
  const { rbacObjects } = await import('./support/operator-kubeconfig.ts');
  const objects = rbacObjects();
  const sa = objects.find((o) => o.kind === 'ServiceAccount')?.metadata?.name ?? 'pms-operator';
  const events = parseAuditLog(readFileSync(log).subarray(offset).toString('utf8'));
  const seen = used(events, operatorUser(sa));
  const grants = granted(objects);
  const needs = { ...declaredNeeds(), ...NOT_IN_AUDIT };
  const unused = [...grants].filter((g) => !seen.used.has(g) && !needs[g]).sort();
  const ungranted = [...seen.used].filter((u) => !grants.has(u)).sort();
  console.log(`audit events: ${events.length}; accesses used by ${sa}: ${seen.used.size}`);
  for (const k of [...seen.used].sort()) console.log(`  used     ${k}`);
  for (const [k, why] of Object.entries(needs))
    if (grants.has(k) && !seen.used.has(k)) console.log(`  needed   ${k} (${why})`);
  for (const k of unused) console.log(`  UNUSED   ${k}`);
  for (const k of [...seen.denied].sort()) console.log(`  DENIED   ${k}`);
  // Allowed but not in config/rbac: granted to every user (e.g. by system:basic-user).
  for (const k of ungranted) console.log(`  (allowed by default roles) ${k}`);
  return unused.length === 0 && seen.denied.size === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
