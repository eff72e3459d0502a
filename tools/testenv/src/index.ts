// What tests import: the connection details of the running environment, or a failure that says
// how to start it. A test that needs a service never skips silently.
import { existsSync, readFileSync } from 'node:fs';
import { envFile } from './paths.ts';
import type { ServiceName } from './services/types.ts';

export interface TestEnv {
  kubeconfig: string;
  mongodbUri: string;
  redisUrl: string;
  s3: { endpoint: string; region: string; accessKey: string; secretKey: string };
  chromiumPath: string;
  /** The real node (`node` service); empty strings when it is not running. */
  node: {
    name: string;
    /** Its address (hostPorts listen there), reachable from the host. */
    ip: string;
    /** Where the ingress controller listens (hostPort 80 on the real node). */
    ingressIp: string;
    /** Its containerd socket, for importing images (`ctr -a … -n k8s.io images import`). */
    containerdAddress: string;
  };
}

const required: Record<ServiceName, string[]> = {
  kube: ['TESTENV_KUBECONFIG'],
  kwok: ['TESTENV_KUBECONFIG'],
  node: [
    'TESTENV_NODE_NAME',
    'TESTENV_NODE_IP',
    'TESTENV_INGRESS_IP',
    'TESTENV_CONTAINERD_ADDRESS',
  ],
  mongodb: ['TESTENV_MONGODB_URI'],
  redis: ['TESTENV_REDIS_URL'],
  s3: [
    'TESTENV_S3_ENDPOINT',
    'TESTENV_S3_REGION',
    'TESTENV_S3_ACCESS_KEY',
    'TESTENV_S3_SECRET_KEY',
  ],
  chromium: ['TESTENV_CHROMIUM_PATH'],
  storage: ['TESTENV_STORAGE_CLASS', 'TESTENV_VOLUMES_DIR'],
};

function fileEnv(): Record<string, string> {
  if (!existsSync(envFile)) return {};
  return Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/**
 * Connection details for the services a test needs. Reads TESTENV_* from the process
 * environment (set by `npm test`) or from .testenv/env (after `npm run env -- up`).
 */
export function testEnv(...services: ServiceName[]): TestEnv {
  const env = { ...fileEnv(), ...process.env };
  const missing = services.flatMap((s) => required[s]).filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new Error(
      `Test services not available (${missing.join(', ')} unset). Run the tests with \`npm test\` ` +
        'from the repository root, or start the services first with `npm run env -- up`.',
    );
  }
  const get = (k: string) => env[k] ?? '';
  return {
    kubeconfig: get('TESTENV_KUBECONFIG'),
    mongodbUri: get('TESTENV_MONGODB_URI'),
    redisUrl: get('TESTENV_REDIS_URL'),
    s3: {
      endpoint: get('TESTENV_S3_ENDPOINT'),
      region: get('TESTENV_S3_REGION'),
      accessKey: get('TESTENV_S3_ACCESS_KEY'),
      secretKey: get('TESTENV_S3_SECRET_KEY'),
    },
    chromiumPath: get('TESTENV_CHROMIUM_PATH'),
    node: {
      name: get('TESTENV_NODE_NAME'),
      ip: get('TESTENV_NODE_IP'),
      ingressIp: get('TESTENV_INGRESS_IP'),
      containerdAddress: get('TESTENV_CONTAINERD_ADDRESS'),
    },
  };
}

export type { ServiceName };
export { eventually } from './wait.ts';
export { realNodeNamespaceAnnotations } from './services/nodeconfig.ts';
export {
  Applier,
  ApplyError,
  Discovery,
  installCrdDir,
  installCrds,
  kubeconfigTransport,
  parseManifests,
  readManifestDir,
  tlsTransport,
  type ApplyOptions,
  type KubeObject,
  type Transport,
} from './apply.ts';
