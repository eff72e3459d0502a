// Names of every child: `<instance>-<component>[-<suffix>]`.
import type { PmsInstance } from '../api/spec.ts';
import type { Component } from './types.ts';

export function childName(instance: PmsInstance, component: string, suffix?: string): string {
  return [instance.metadata.name, component, ...(suffix ? [suffix] : [])].join('-');
}

export const names = {
  config: (i: PmsInstance) => childName(i, 'config'),
  /** The ServiceAccount of every pod of the instance (render/serviceaccount.ts). */
  serviceAccount: (i: PmsInstance) => childName(i, 'pms'),
  workload: (i: PmsInstance, c: Component) => childName(i, c),
  service: (i: PmsInstance, c: Component) => childName(i, c),
  mongodbHeadless: (i: PmsInstance) => childName(i, 'mongodb', 'headless'),
  mongodbScripts: (i: PmsInstance) => childName(i, 'mongodb', 'scripts'),
  minioBucketJob: (i: PmsInstance) => childName(i, 'minio', 'bucket'),
  networkPolicy: (i: PmsInstance, what: string) => childName(i, what),
  secret: {
    mongodb: (i: PmsInstance) => childName(i, 'mongodb'),
    redis: (i: PmsInstance) => childName(i, 'redis'),
    minio: (i: PmsInstance) => childName(i, 'minio'),
    jwt: (i: PmsInstance) => childName(i, 'jwt'),
    admin: (i: PmsInstance) => childName(i, 'admin'),
  },
};

/** The URL the instance is served at. */
export function instanceUrl(i: PmsInstance): string {
  const tls = i.spec.ingress.enabled && i.spec.ingress.tls.secretName !== undefined;
  return `${tls ? 'https' : 'http'}://${i.spec.host}`;
}

/** In-cluster DNS name of a Service. */
export function serviceHost(i: PmsInstance, service: string): string {
  return `${service}.${i.metadata.namespace}.svc`;
}
