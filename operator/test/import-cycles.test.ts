// No import cycles in operator/src, between modules or between its folders (status/ and
// controller/ once imported each other). Reads the sources' relative imports, type-only ones
// included: a type cycle between folders is still a layering cycle.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?[^'";]*?\s*from\s*'(\.[^']+)'/gms;

/** module (path relative to src) → the modules it imports. */
export function importGraph(root: string): Map<string, string[]> {
  const files = (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(root, f));
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const to = [...readFileSync(f, 'utf8').matchAll(IMPORT)].map((m) =>
      relative(root, resolve(dirname(f), m[1] ?? '')),
    );
    graph.set(relative(root, f), to);
  }
  return graph;
}

/** The cycles of `graph` as paths a → … → a (each cycle once per start found by DFS). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    path.push(n);
    for (const m of graph.get(n) ?? []) {
      if (!graph.has(m)) continue;
      if (state.get(m) === 'open') cycles.push([...path.slice(path.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    path.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return cycles;
}

/** The same graph with each folder of src as one node (top-level files stay themselves). */
export function folderGraph(graph: Map<string, string[]>): Map<string, string[]> {
  const folder = (f: string) => (f.includes('/') ? `${f.split('/')[0] ?? ''}/` : f);
  const out = new Map<string, Set<string>>();
  for (const [f, to] of graph) {
    const from = folder(f);
    const set = out.get(from) ?? new Set<string>();
    for (const t of to) if (graph.has(t) && folder(t) !== from) set.add(folder(t));
    out.set(from, set);
  }
  return new Map([...out].map(([k, v]) => [k, [...v]]));
}

describe('import cycles in operator/src', () => {
  const graph = importGraph(SRC);

  it('reads the imports it checks', () => {
    assert.ok(graph.size > 50, `only ${graph.size} modules found`);
    assert.ok(graph.get('controller/reconcile.ts')?.includes('controller/status-writer.ts'));
    // The checker finds a cycle where there is one.
    const cyclic = new Map([
      ['a/x.ts', ['b/y.ts']],
      ['b/y.ts', ['a/z.ts']],
      ['a/z.ts', []],
    ]);
    assert.deepEqual(findCycles(cyclic), []);
    assert.deepEqual(findCycles(folderGraph(cyclic)), [['a/', 'b/', 'a/']]);
  });

  it('has none between modules', () => {
    assert.deepEqual(findCycles(graph), []);
  });

  it('has none between folders', () => {
    assert.deepEqual(findCycles(folderGraph(graph)), []);
  });
});
