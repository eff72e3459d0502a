// The part of kustomize that config/ uses, so `npm run build:install` needs no Go binary:
// `resources` (files, multi-document files and directories holding a kustomization.yaml, in
// order), `namespace` and `images`. Any other kustomization field is an error, never silently
// ignored. The output matches stock `kubectl kustomize` (which also orders objects by kind:
// namespaces and CRDs first, webhooks last); test/kubectl-kustomize.test.ts compares them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

interface ImageOverride {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  images?: ImageOverride[];
}

const supported = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images']);

/** Kinds that are not namespaced: `namespace:` leaves them alone (kustomize does the same). */
const clusterScoped = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
  'StorageClass',
  'PersistentVolume',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'APIService',
  'Node',
]);

/** kustomize's legacy ordering (api/resid/gvk.go): these kinds first, in this order ... */
const orderFirst = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
/** ... and these last. */
const orderLast = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function rank(kind: string): number {
  const first = orderFirst.indexOf(kind);
  if (first >= 0) return first;
  const last = orderLast.indexOf(kind);
  if (last >= 0) return 1000 + last;
  return orderFirst.length;
}

function idOf(o: K8sObject): string {
  return `${o.apiVersion}/${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function compareObjects(a: K8sObject, b: K8sObject): number {
  const r = rank(a.kind) - rank(b.kind);
  if (r !== 0) return r;
  // kustomize then orders by GVK string, namespace, name.
  const ka = [a.apiVersion, a.kind, a.metadata.namespace ?? '', a.metadata.name];
  const kb = [b.apiVersion, b.kind, b.metadata.namespace ?? '', b.metadata.name];
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i] ?? '';
    const y = kb[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Parses every YAML document of a file into objects, failing on YAML errors and non-objects. */
export function readObjects(file: string): K8sObject[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: K8sObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    }
    const value: unknown = doc.toJS();
    if (value == null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`${file}: a document is not a mapping`);
    }
    const o = value as Partial<K8sObject>;
    if (!o.apiVersion || !o.kind || !o.metadata?.name) {
      throw new Error(`${file}: a document lacks apiVersion, kind or metadata.name`);
    }
    out.push(o as K8sObject);
  }
  return out;
}

function readKustomization(dir: string): Kustomization {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
    .map((f) => join(dir, f))
    .find((f) => existsSync(f));
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const docs = readObjectsLoose(file);
  const k = docs as Kustomization & Record<string, unknown>;
  const unknown = Object.keys(k).filter((key) => !supported.has(key));
  if (unknown.length > 0) {
    throw new Error(
      `${file}: unsupported kustomization field(s) ${unknown.join(', ')} ` +
        `(tools/packaging/src/kustomize.ts implements ${[...supported].join(', ')})`,
    );
  }
  return k;
}

function readObjectsLoose(file: string): Record<string, unknown> {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const first = docs[0];
  if (!first || docs.length !== 1 || first.errors.length > 0) {
    throw new Error(`${file}: expected one valid YAML document`);
  }
  const value: unknown = first.toJS();
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${file}: not a mapping`);
  }
  return value as Record<string, unknown>;
}

function podSpecs(o: K8sObject): Record<string, unknown>[] {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (!spec) return [];
  if (o.kind === 'Pod') return [spec];
  if (o.kind === 'CronJob') {
    const job = (spec.jobTemplate as { spec?: { template?: { spec?: Record<string, unknown> } } })
      ?.spec?.template?.spec;
    return job ? [job] : [];
  }
  const tpl = (spec.template as { spec?: Record<string, unknown> } | undefined)?.spec;
  return tpl ? [tpl] : [];
}

function applyImages(o: K8sObject, images: ImageOverride[]): void {
  for (const ps of podSpecs(o)) {
    for (const key of ['containers', 'initContainers']) {
      const containers = ps[key] as { image?: string }[] | undefined;
      for (const c of containers ?? []) {
        if (!c.image) continue;
        const at = c.image.indexOf('@');
        const withoutDigest = at >= 0 ? c.image.slice(0, at) : c.image;
        const colon = withoutDigest.lastIndexOf(':');
        const hasTag = colon > withoutDigest.lastIndexOf('/');
        const name = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
        const tag = hasTag ? withoutDigest.slice(colon + 1) : undefined;
        const rule = images.find((i) => i.name === name);
        if (!rule) continue;
        const newName = rule.newName ?? name;
        if (rule.digest) c.image = `${newName}@${rule.digest}`;
        else if (rule.newTag) c.image = `${newName}:${rule.newTag}`;
        else c.image = tag ? `${newName}:${tag}` : newName;
      }
    }
  }
}

function applyNamespace(o: K8sObject, namespace: string): void {
  if (!clusterScoped.has(o.kind)) o.metadata.namespace = namespace;
  if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
    const subjects = (o.subjects as { kind?: string; namespace?: string }[] | undefined) ?? [];
    for (const s of subjects) if (s.kind === 'ServiceAccount') s.namespace = namespace;
  }
}

/** Builds the objects of the kustomization in `dir`, resolving nested ones depth first. */
export function buildObjects(dir: string, seen: string[] = []): K8sObject[] {
  const abs = resolve(dir);
  if (seen.includes(abs)) throw new Error(`kustomization cycle: ${[...seen, abs].join(' -> ')}`);
  const k = readKustomization(abs);
  if (k.kind !== undefined && k.kind !== 'Kustomization') {
    throw new Error(`${abs}: kind must be Kustomization, not ${k.kind}`);
  }
  const objects: K8sObject[] = [];
  for (const res of k.resources ?? []) {
    const path = resolve(abs, res);
    if (!existsSync(path)) {
      throw new Error(`${relative(process.cwd(), abs) || '.'}: resource ${res} does not exist`);
    }
    if (statSync(path).isDirectory()) objects.push(...buildObjects(path, [...seen, abs]));
    else objects.push(...readObjects(path));
  }
  for (const o of objects) {
    if (k.namespace) applyNamespace(o, k.namespace);
    if (k.images) applyImages(o, k.images);
  }
  const ids = new Set<string>();
  for (const o of objects) {
    const id = idOf(o);
    if (ids.has(id)) throw new Error(`${abs}: ${id} is defined more than once`);
    ids.add(id);
  }
  return objects;
}

/** Renders the kustomization in `dir` as one multi-document YAML stream, sorted like kustomize. */
export function build(dir: string): string {
  const objects = buildObjects(dir).sort(compareObjects);
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
