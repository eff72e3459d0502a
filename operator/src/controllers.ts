// The controllers startOperator runs by default: every ControllerDefinition exported by a
// module in src/controller (PmsInstance now; PmsBackup and PmsRestore when they land). Found
// at run time so that the runtime builds before, and without knowing, each controller.
import { readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ControllerDefinition } from './controller/types.ts';

function isControllerDefinition(v: unknown): v is ControllerDefinition {
  const c = v as Partial<ControllerDefinition> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.name === 'string' &&
    typeof c.reconcile === 'function' &&
    typeof c.primary === 'object' &&
    Array.isArray(c.owned)
  );
}

export async function defaultControllers(): Promise<ControllerDefinition[]> {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here); // .ts from source, .js from the build
  const dir = join(dirname(here), 'controller');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.endsWith(`.test${ext}`) && !f.endsWith('.d.ts'))
    .sort();
  const found = new Map<string, ControllerDefinition>();
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if (isControllerDefinition(value)) found.set(value.name, value);
    }
  }
  return [...found.values()];
}
