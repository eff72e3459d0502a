// One PmsInstance operator against the real API server, under the operator's own RBAC, in a
// fresh namespace with pre-bound volumes: the set-up the day-two tests (autoscaling,
// hibernate, gateway) share. Pods become ready on the kwok nodes.
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { pmsInstanceController } from '../../src/controller/pmsinstance.ts';
import type { ControllerDefinition } from '../../src/controller/types.ts';
import { createLogger } from '../../src/log.ts';
import { startOperator, type RunningOperator } from '../../src/operator.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
  type OperatorIdentity,
} from './operator-kubeconfig.ts';
import { startCountingProxy, type CountingProxy } from './counting-proxy.ts';
import { deleteVolumes, eventually, installCrd, instance, provideVolumes } from './pms.ts';

export type Obj = KubernetesObject & {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};
export type Condition = { type: string; status: string; reason: string; message: string };

export const condition = (o: Obj | undefined, type: string) =>
  (o?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);

export class InstanceHarness {
  readonly admin = adminKubeConfig();
  readonly client = KubernetesObjectApi.makeApiClient(this.admin);
  ns = '';
  private identity: OperatorIdentity | undefined;
  private operator: RunningOperator | undefined;
  /** With `countRequests`: the proxy the operator talks through, counting its reads and writes. */
  proxy: CountingProxy | undefined;

  /** Namespace, RBAC, volumes for the instances named, then the operator (resync every second). */
  async start(
    prefix: string,
    instances: string[],
    controllers: ControllerDefinition[] = [pmsInstanceController],
    options: { countRequests?: boolean } = {},
  ): Promise<void> {
    await installCrd(this.admin);
    this.ns = await createTestNamespace(this.admin, prefix);
    this.identity = await operatorKubeConfig(this.admin, this.ns);
    await provideVolumes(
      this.admin,
      this.ns,
      instances.flatMap((n) => [
        { name: `data-${n}-mongodb-0`, size: '10Gi' },
        { name: `data-${n}-minio-0`, size: '10Gi' },
      ]),
    );
    if (options.countRequests)
      this.proxy = await startCountingProxy(
        this.admin,
        this.identity.kc.getCurrentUser()?.token ?? '',
      );
    this.operator = await startOperator({
      kubeConfig: this.proxy?.kc ?? this.identity.kc,
      namespace: this.ns,
      leaderElection: false,
      resyncMs: 1000,
      processMetrics: false,
      controllers,
      log: createLogger('warn'),
    });
  }

  /** PmsInstance reconciles so far (every result), from the operator's metrics. */
  async reconciles(): Promise<number> {
    const metric = await this.operator?.metrics
      .getSingleMetric('pms_operator_reconcile_total')
      ?.get();
    return (metric?.values ?? [])
      .filter((v) => v.labels.controller === 'pmsinstance')
      .reduce((sum, v) => sum + v.value, 0);
  }

  async stop(): Promise<void> {
    await this.operator?.stop();
    await this.proxy?.close();
    if (this.ns) await deleteTestNamespace(this.admin, this.ns);
    await this.identity?.cleanup();
    if (this.ns) await deleteVolumes(this.admin, this.ns);
  }

  async create(name: string, spec: Record<string, unknown>): Promise<void> {
    await this.client.create(instance(this.ns, name, spec));
  }

  async read(apiVersion: string, kind: string, name: string): Promise<Obj | undefined> {
    try {
      return (await this.client.read({
        apiVersion,
        kind,
        metadata: { name, namespace: this.ns },
      })) as Obj;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  readInstance(name: string): Promise<Obj | undefined> {
    return this.read('pms.io/v1alpha1', 'PmsInstance', name);
  }

  async mergePatch(apiVersion: string, kind: string, name: string, patch: object): Promise<void> {
    await this.client.patch(
      { apiVersion, kind, metadata: { name, namespace: this.ns }, ...patch },
      undefined,
      undefined,
      'pms-test',
      undefined,
      PatchStrategy.MergePatch,
    );
  }

  patchSpec(name: string, spec: Record<string, unknown>): Promise<void> {
    return this.mergePatch('pms.io/v1alpha1', 'PmsInstance', name, { spec });
  }

  /** The instance once its status is current and `check` holds for it. */
  waitInstance(name: string, what: string, check: (o: Obj) => boolean, timeoutMs = 90_000) {
    return eventually(
      `${name}: ${what}`,
      async () => {
        const o = await this.readInstance(name);
        return o && o.status?.observedGeneration === o.metadata?.generation && check(o)
          ? o
          : undefined;
      },
      timeoutMs,
    );
  }

  waitReady(name: string, timeoutMs = 90_000): Promise<Obj> {
    return this.waitInstance(
      name,
      'Ready',
      (o) => condition(o, 'Ready')?.status === 'True' && o.status?.phase === 'Ready',
      timeoutMs,
    );
  }
}
