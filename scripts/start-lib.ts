// The pure parts of `npm start` (scripts/start.ts): the operator's restart back-off and the
// "next steps" text printed once everything is ready.

export const firstDelayMs = 1_000;
export const maxDelayMs = 30_000;
/** An operator that ran this long was healthy: its next crash starts the back-off again. */
export const stableAfterMs = 60_000;

/** Delay before restarting an operator that exited after `uptimeMs`; `previous` = last delay. */
export function restartDelay(previous: number | undefined, uptimeMs: number): number {
  if (previous === undefined || uptimeMs >= stableAfterMs) return firstDelayMs;
  return Math.min(previous * 2, maxDelayMs);
}

export interface NextStepsInput {
  kubeconfig: string;
  /** PMS_TESTENV_DIR when the user set one (the `down` command must name the same folder). */
  testenvDir: string | undefined;
  /** The local cluster was started (or reused) by `npm start`. */
  localCluster: boolean;
  /** TESTENV_INGRESS_IP when the real node runs (instances can then serve requests). */
  ingressIp: string | undefined;
  /** The sample to apply (a file in samples/), its namespace, instance name and host. */
  file: string;
  namespace: string;
  instance: string;
  host: string;
  /** When `file` is the offline sample: the one a connected cluster would use instead. */
  connectedSample?: string | undefined;
}

const q = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replaceAll("'", `'\\''`)}'`);

/** Pod Security Admission labels of a tenant namespace (what docs/security.md asks for). */
export const PSA_LABELS =
  'pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest';

export function nextSteps(o: NextStepsInput): string {
  const lines = ['', 'PMS operator is running. Next steps, in another shell:', ''];
  lines.push(`  export KUBECONFIG=${q(o.kubeconfig)}`);
  // The tenant namespace enforces Pod Security `restricted` (docs/security.md): every pod the
  // operator renders is admitted under it.
  lines.push(
    `  kubectl create namespace ${o.namespace} && kubectl label namespace ${o.namespace} ${PSA_LABELS}`,
  );
  lines.push(`  kubectl -n ${o.namespace} apply -f samples/${o.file}`);
  lines.push(`  kubectl -n ${o.namespace} get pmsinstances -w   # wait for READY True`);
  if (o.connectedSample) {
    lines.push(
      `(samples/${o.connectedSample} needs the public mongo, redis and minio images that a connected cluster pulls.)`,
    );
  }
  if (o.ingressIp) {
    lines.push(
      '',
      `Once Ready, open http://${o.host}/ — the ingress controller listens on ${o.ingressIp}:80 and`,
      'routes by the Host header, so point the name at that address, one of:',
      `  echo '${o.ingressIp} ${o.host}' | sudo tee -a /etc/hosts`,
      `  chromium --host-resolver-rules='MAP ${o.host} ${o.ingressIp}' http://${o.host}/`,
      `  curl -H 'Host: ${o.host}' http://${o.ingressIp}/`,
      `Sign in as admin@${o.host}; the password:`,
      `  kubectl -n ${o.namespace} get secret ${o.instance}-admin -o jsonpath='{.data.password}' | base64 -d; echo`,
    );
  } else if (o.localCluster) {
    lines.push(
      '',
      'This cluster has no real node, so instances are reconciled but their pods do not run.',
    );
  }
  if (o.localCluster) {
    const env = o.testenvDir ? `PMS_TESTENV_DIR=${q(o.testenvDir)} ` : '';
    lines.push(
      '',
      'Ctrl-C stops the operator; the local cluster (and every instance in it) keeps running.',
      `Stop and delete the cluster with: ${env}npm run env -- down`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
