// File discovery shared by the build and the checks.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './paths.ts';

/** Every file under `dir` (repository-relative) whose name matches, skipping installed trees. */
export function findFiles(dir: string, match: (name: string) => boolean): string[] {
  const abs = join(repoRoot, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (['node_modules', '.next', '.git', 'dist'].includes(name)) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (match(name)) out.push(relative(repoRoot, p));
    }
  };
  walk(abs);
  return out;
}

export const isYaml = (name: string) => name.endsWith('.yaml') || name.endsWith('.yml');
