// The shape of a rendered child: plain JSON, no client library types (render/ is pure).

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller: boolean;
    blockOwnerDeletion: boolean;
  }[];
}

export interface Child {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** The components of an instance, as used in `app.kubernetes.io/component` and in names. */
export type Component =
  'backend' | 'frontend' | 'worker' | 'mongodb' | 'redis' | 'minio' | 'backup';
