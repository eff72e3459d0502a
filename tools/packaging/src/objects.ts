// Kubernetes objects read from YAML (a manifest file or a kustomize render).
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** Parses a multi-document YAML stream into objects, failing on YAML errors and non-objects. */
export function parseObjects(text: string, where: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new Error(`${where}: ${doc.errors.map((e) => e.message).join('; ')}`);
    }
    const value: unknown = doc.toJS();
    if (value == null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`${where}: a document is not a mapping`);
    }
    const o = value as Partial<K8sObject>;
    if (!o.apiVersion || !o.kind || !o.metadata?.name) {
      throw new Error(`${where}: a document lacks apiVersion, kind or metadata.name`);
    }
    out.push(o as K8sObject);
  }
  return out;
}

/** Every object of a YAML file. */
export function readObjects(file: string): K8sObject[] {
  return parseObjects(readFileSync(file, 'utf8'), file);
}
