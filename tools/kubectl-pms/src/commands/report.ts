import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { stringFlag } from '../args.ts';
import { note, type Command } from '../command.ts';
import { UserError, usageError } from '../errors.ts';
import { getInstance } from '../instances.ts';
import { ApiError, type Kube, type KObject } from '../kube.ts';
import { redact, scrub, secretValues } from '../redact.ts';
import { instanceLabels, R, resourcePath, selector, type Resource } from '../resources.ts';
import { tarGz, type TarEntry } from '../tar.ts';
import { VERSION } from '../version.ts';

/** Kinds the operator creates for an instance (children carry the instance labels). */
const CHILD_KINDS: Resource[] = [
  R.deployment,
  R.statefulSet,
  R.cronJob,
  R.job,
  R.pod,
  R.service,
  R.configMap,
  R.secret,
  R.pvc,
  R.ingress,
  R.networkPolicy,
  R.pdb,
];

/** Logs are capped per container so a chatty pod cannot make the bundle unusable. */
const LOG_LIMIT_BYTES = String(8 * 1024 * 1024);
const OPERATOR_LABEL = 'app.kubernetes.io/name=pms-operator';

const yamlList = (items: readonly KObject[]) =>
  stringify({ apiVersion: 'v1', kind: 'List', items: items.map(redact) });

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').slice(0, 15);
}

interface Collector {
  files: TarEntry[];
  errors: string[];
}

async function attempt<T>(c: Collector, what: string, f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    c.errors.push(`${what}: ${(e as Error).message}`);
    return undefined;
  }
}

async function podLogs(kube: Kube, c: Collector, dir: string, pod: KObject): Promise<void> {
  const spec = pod.spec ?? {};
  const containers = [
    ...((spec.initContainers as { name: string }[] | undefined) ?? []),
    ...((spec.containers as { name: string }[] | undefined) ?? []),
  ];
  const statuses = [
    ...((pod.status?.initContainerStatuses as
      { name: string; restartCount?: number }[] | undefined) ?? []),
    ...((pod.status?.containerStatuses as { name: string; restartCount?: number }[] | undefined) ??
      []),
  ];
  for (const { name } of containers) {
    const base = `${dir}/${pod.metadata.name}/${name}`;
    const ns = pod.metadata.namespace ?? kube.namespace;
    const get = (previous: boolean) =>
      kube.text(
        resourcePath(R.pod, ns, pod.metadata.name, 'log', {
          container: name,
          limitBytes: LOG_LIMIT_BYTES,
          previous: previous ? 'true' : undefined,
        }),
      );
    try {
      c.files.push({ path: `${base}.log`, content: await get(false) });
    } catch (e) {
      // A pending pod has no log yet: say so in the bundle instead of failing the report.
      c.files.push({ path: `${base}.log-unavailable.txt`, content: `${(e as Error).message}\n` });
    }
    if ((statuses.find((s) => s.name === name)?.restartCount ?? 0) > 0) {
      await get(true)
        .then((t) => c.files.push({ path: `${base}.previous.log`, content: t }))
        .catch(() => undefined);
    }
  }
}

async function operatorObjects(kube: Kube, c: Collector, root: string): Promise<void> {
  // Cluster-wide first (the operator's namespace is the installer's choice); a namespaced user
  // falls back to the default install namespace.
  let deployments: KObject[] | undefined;
  let pods: KObject[] = [];
  for (const ns of [undefined, 'pms-system']) {
    try {
      deployments = await kube.list(R.deployment, ns, OPERATOR_LABEL);
      pods = await kube.list(R.pod, ns, OPERATOR_LABEL);
      break;
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 403)) throw e;
    }
  }
  if (!deployments || deployments.length + pods.length === 0) {
    c.files.push({
      path: `${root}/operator/NOT-FOUND.txt`,
      content:
        `No pms-operator Deployment or pods (label ${OPERATOR_LABEL}) were visible with these credentials` +
        `${deployments ? '' : ' (listing them was forbidden)'}.\n`,
    });
    return;
  }
  c.files.push({ path: `${root}/operator/deployments.yaml`, content: yamlList(deployments) });
  c.files.push({ path: `${root}/operator/pods.yaml`, content: yamlList(pods) });
  for (const pod of pods) await podLogs(kube, c, `${root}/operator/logs`, pod);
}

export const report: Command = {
  name: 'report',
  summary: 'Write a support bundle (tar.gz) for an instance, Secrets redacted',
  usage: 'kubectl pms report NAME [-o FILE.tar.gz] [-n NAMESPACE]',
  help: `Collects what support needs into one tar.gz: the PmsInstance (spec and status), its
PmsBackups and PmsRestores, the namespace's events about it, every child object as YAML
(Deployments, StatefulSets, Pods, Services, ConfigMaps, Secrets, Jobs, CronJobs, PVCs, Ingress,
NetworkPolicies, PDBs), the logs of its pods, and the operator's Deployment, pods and logs when
they are visible with your credentials.

Secrets are redacted: their keys are listed, every value is replaced by REDACTED, and any
Secret value found anywhere else in the bundle (a ConfigMap, a log line) is replaced too.
Prints the archive's path. Default file: pms-report-NAME-<UTC time>.tar.gz.

Examples:
  kubectl pms report acme
  kubectl pms report acme -o /tmp/acme-report.tar.gz`,
  flags: [{ name: 'output', short: 'o', value: true, help: 'the archive to write (.tar.gz)' }],
  async run(ctx) {
    const [name, ...extra] = ctx.args.positionals;
    if (!name) throw usageError('report needs the instance NAME', 'report');
    if (extra.length > 0) throw usageError('report takes one NAME', 'report');
    const now = ctx.now();
    const file = resolve(
      stringFlag(ctx.args, 'output') ?? `pms-report-${name}-${stamp(now)}.tar.gz`,
    );
    if (!file.endsWith('.tar.gz') && !file.endsWith('.tgz')) {
      throw usageError(`-o must name a .tar.gz file (got ${file})`, 'report');
    }
    const kube = ctx.kube();
    const ns = kube.namespace;
    const instance = await getInstance(kube, name);
    const root = `pms-report-${name}-${stamp(now)}`;
    const c: Collector = { files: [], errors: [] };
    const refers = (o: KObject) =>
      (o.spec?.instanceRef as { name?: string } | undefined)?.name === name;

    c.files.push({ path: `${root}/pmsinstance.yaml`, content: stringify(redact(instance)) });
    for (const [res, file] of [
      [R.backup, 'pmsbackups.yaml'],
      [R.restore, 'pmsrestores.yaml'],
    ] as const) {
      const items = await attempt(c, res.plural, () => kube.list(res, ns));
      if (items) c.files.push({ path: `${root}/${file}`, content: yamlList(items.filter(refers)) });
    }

    const sel = selector(instanceLabels(name));
    const children: KObject[] = [];
    note(ctx, `collecting the objects of PmsInstance ${ns}/${name}…`);
    for (const res of CHILD_KINDS) {
      const items = await attempt(c, res.plural, () => kube.list(res, ns, sel));
      if (!items) continue;
      children.push(...items);
      c.files.push({ path: `${root}/children/${res.plural}.yaml`, content: yamlList(items) });
    }
    const names = new Set([name, ...children.map((o) => o.metadata.name)]);
    const events = await attempt(c, 'events', () => kube.list(R.event, ns));
    if (events) {
      const ours = events
        .filter((e) => names.has(String((e.involvedObject as { name?: string } | undefined)?.name)))
        .sort((a, b) =>
          String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(
            String(b.lastTimestamp ?? b.eventTime ?? ''),
          ),
        );
      c.files.push({ path: `${root}/events.yaml`, content: yamlList(ours) });
    }

    note(ctx, 'collecting pod logs…');
    for (const pod of children.filter((o) => o.kind === 'Pod')) {
      await podLogs(kube, c, `${root}/logs`, pod);
    }
    await attempt(c, 'operator', () => operatorObjects(kube, c, root));

    const readme = [
      `Support bundle for PmsInstance ${ns}/${name}`,
      `Made by kubectl-pms ${VERSION} at ${now.toISOString()}`,
      `Cluster: ${kube.conn.server} (context ${kube.conn.context})`,
      '',
      'Secrets are redacted: each key is kept and its value replaced by REDACTED; any Secret value',
      'found elsewhere in this bundle was replaced the same way.',
      '',
      'Files:',
      ...c.files.map((f) => `  ${f.path.slice(root.length + 1)}`),
      ...(c.errors.length > 0 ? ['', 'Could not collect:', ...c.errors.map((e) => `  ${e}`)] : []),
      '',
    ].join('\n');
    c.files.unshift({ path: `${root}/README.txt`, content: readme });

    const values = secretValues(children.filter((o) => o.kind === 'Secret'));
    const scrubbed = c.files.map((f) => ({
      path: f.path,
      content: scrub(
        typeof f.content === 'string' ? f.content : f.content.toString('utf8'),
        values,
      ),
    }));
    try {
      writeFileSync(file, tarGz(scrubbed, now), { mode: 0o600 });
    } catch (e) {
      throw new UserError(`cannot write ${file}: ${(e as Error).message}`);
    }
    for (const e of c.errors) note(ctx, ctx.paint.yellow(`warning: could not collect ${e}`));
    ctx.stdout.write(`${file}\n`);
    return 0;
  },
};
