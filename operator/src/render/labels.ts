// Standard labels, selectors, owner references and object metadata of every child.
import type { PmsInstance } from '../api/spec.ts';
import type { Component, ObjectMeta } from './types.ts';

export const MANAGED_BY = 'pms-operator';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** The full label set of a child (recommended Kubernetes labels). */
export function labels(i: PmsInstance, component: Component): Record<string, string> {
  return {
    ...selectorLabels(i, component),
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/part-of': 'pms',
    'app.kubernetes.io/version': i.spec.version,
  };
}

/** The stable subset used in selectors (never contains the version, which changes). */
export function selectorLabels(i: PmsInstance, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'pms',
    'app.kubernetes.io/instance': i.metadata.name,
    'app.kubernetes.io/component': component,
  };
}

/** Selects every pod of the instance. */
export function instanceSelector(i: PmsInstance): Record<string, string> {
  return { 'app.kubernetes.io/name': 'pms', 'app.kubernetes.io/instance': i.metadata.name };
}

export function ownerReference(i: PmsInstance): ObjectMeta['ownerReferences'][number] {
  return {
    apiVersion: i.apiVersion,
    kind: i.kind,
    name: i.metadata.name,
    uid: i.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function objectMeta(
  i: PmsInstance,
  name: string,
  component: Component,
  annotations?: Record<string, string>,
): ObjectMeta {
  return {
    name,
    namespace: i.metadata.namespace,
    labels: labels(i, component),
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
    ownerReferences: [ownerReference(i)],
  };
}
