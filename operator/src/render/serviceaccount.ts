// The ServiceAccount every pod of an instance runs as. Its own (not the namespace's `default`)
// so that a RoleBinding someone grants to `default` never reaches PMS pods, and with token
// automount off on the account as well as on every pod: no PMS pod holds an API token, and a
// pod template that forgot the pod-level switch still gets none. PMS pods never call the
// Kubernetes API.
import type { PmsInstance } from '../api/spec.ts';
import { objectMeta } from './labels.ts';
import { names } from './names.ts';
import type { Child } from './types.ts';

export function renderServiceAccount(i: PmsInstance): Child {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: objectMeta(i, names.serviceAccount(i), 'backend'),
    automountServiceAccountToken: false,
  };
}
