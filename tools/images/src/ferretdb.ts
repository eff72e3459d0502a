// FerretDB as a pod: the Mongo-wire database an instance points at (spec.mongodb.external) where
// no MongoDB server image can be had, as on these offline machines. Used by `npm start` (its
// local cluster) and the full-stack test, so both run the same objects. Pure: returns the
// Deployment and Service (and, with a StorageClass, the claim holding the SQLite files).
//
// FerretDB v1 lacks transactions, change streams and more (app/backend/README.md): it is for a
// local try-out and tests, never production.

export interface FerretdbOptions {
  namespace: string;
  /** localhost/pms/ferretdb:<version>, built by buildAllImages and imported into the node. */
  image: string;
  /**
   * A PersistentVolumeClaim of this class holds the data, so it survives pod restarts; without
   * one the data lives in an emptyDir (gone with the pod).
   */
  storageClassName?: string;
  /** Claim size (default 1Gi). */
  storage?: string;
}

export const ferretdbName = 'ferretdb';
export const ferretdbPort = 27017;

/** The in-cluster URI of the database `db` (what the instance's uriSecretRef Secret holds). */
export function ferretdbUri(namespace: string, db = 'pms'): string {
  return `mongodb://${ferretdbName}.${namespace}.svc.cluster.local:${ferretdbPort}/${db}`;
}

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
};

export function ferretdbObjects(o: FerretdbOptions): Obj[] {
  const labels = { app: ferretdbName };
  const metadata = { name: ferretdbName, namespace: o.namespace, labels };
  const claim: Obj | undefined = o.storageClassName
    ? {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { ...metadata, name: `${ferretdbName}-data` },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: o.storageClassName,
          resources: { requests: { storage: o.storage ?? '1Gi' } },
        },
      }
    : undefined;
  const deployment: Obj = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: 1,
      // One SQLite directory: the old pod stops before the new one opens it.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            // emptyDir honours fsGroup; the testenv's hostPath volumes are 0777.
            fsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: ferretdbName,
              image: o.image,
              // No registry is reachable: the image must already be on the node.
              imagePullPolicy: 'Never',
              ports: [{ name: 'mongodb', containerPort: ferretdbPort }],
              readinessProbe: { tcpSocket: { port: ferretdbPort }, periodSeconds: 2 },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [
            claim
              ? { name: 'data', persistentVolumeClaim: { claimName: claim.metadata.name } }
              : { name: 'data', emptyDir: {} },
          ],
        },
      },
    },
  };
  const service: Obj = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      selector: labels,
      ports: [{ name: 'mongodb', port: ferretdbPort, targetPort: ferretdbPort }],
    },
  };
  return [...(claim ? [claim] : []), deployment, service];
}
