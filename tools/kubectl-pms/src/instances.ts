// Finding a PmsInstance, with the errors kubectl users need: which instances do exist, in which
// namespace a same-named one lives, and whether the operator's CRDs are installed at all.
import { UserError } from './errors.ts';
import { ApiError, type Kube, type KObject } from './kube.ts';
import { R } from './resources.ts';

function crdMissing(kube: Kube): UserError {
  return new UserError(
    `the PmsInstance API (pmsinstances.pms.io) is not installed on the cluster at ${kube.conn.server} ` +
      `(context "${kube.conn.context}"): install the operator first (docs/install.md)`,
  );
}

/** Instances in one namespace or all (undefined); the CRD missing becomes a UserError. */
export async function listInstances(kube: Kube, namespace: string | undefined): Promise<KObject[]> {
  try {
    return await kube.list(R.instance, namespace);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw crdMissing(kube);
    throw e;
  }
}

/** Cluster-wide list when RBAC allows it; otherwise undefined (a namespaced user). */
async function listEverywhere(kube: Kube): Promise<KObject[] | undefined> {
  try {
    return await kube.list(R.instance, undefined);
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) return undefined;
    throw e;
  }
}

const qualified = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export async function notFoundMessage(kube: Kube, name: string): Promise<string> {
  const ns = kube.namespace;
  const here = await listInstances(kube, ns);
  const everywhere = (await listEverywhere(kube)) ?? [];
  const sameName = everywhere.filter(
    (o) => o.metadata.name === name && o.metadata.namespace !== ns,
  );
  let msg = `PmsInstance "${name}" not found in namespace "${ns}"`;
  if (sameName.length > 0) {
    const where = sameName.map((o) => o.metadata.namespace ?? '').join(', ');
    msg += `; it exists in namespace ${where}: add -n ${sameName[0]?.metadata.namespace ?? ''}`;
  } else if (here.length > 0) {
    msg += `; instances there: ${here.map((o) => o.metadata.name).join(', ')}`;
  } else if (everywhere.length > 0) {
    msg += `; none in this namespace, instances elsewhere: ${everywhere.map(qualified).join(', ')} (use -n NAMESPACE)`;
  } else {
    msg += '; there are no PmsInstances in the cluster (create one: samples/01-minimal.yaml)';
  }
  return msg;
}

export async function getInstance(kube: Kube, name: string): Promise<KObject> {
  // A missing CRD also answers 404 here; notFoundMessage's list tells the two apart.
  const found = await kube.find(R.instance, name);
  if (found) return found;
  throw new UserError(await notFoundMessage(kube, name));
}
