// The image rules (issue 7), checked on every Dockerfile in the repository: multi-stage,
// pinned base images (the Node version scripts/setup.sh installs, on Debian: the official
// Alpine variants stopped at Node 24.16.0), a BASE_IMAGE build argument so the images build here
// from the base tools/images makes, `npm ci` with a manifest-only layer, production
// dependencies only in the final stage, a fixed non-root numeric UID, node as PID 1 (exec form,
// no init the base might lack), a HEALTHCHECK with tools the slim image has for images that
// serve a port, COPY sources that exist. The data-store images (images/*/Dockerfile) get the
// rules that apply to them. These are static checks: tools/images/test builds every image with
// buildah and runs it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { copyFrom, parseDockerfile, type Stage } from '../src/dockerfile.ts';
import { findFiles } from '../src/files.ts';
import { repoRoot } from '../src/paths.ts';

const nodeVersion = /^NODE_VERSION="([\d.]+)"$/m.exec(
  readFileSync(join(repoRoot, 'scripts', 'setup.sh'), 'utf8'),
)?.[1];
const workspaces = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }
).workspaces;

const isDockerfile = (n: string) => n === 'Dockerfile' || /^Dockerfile\.[\w-]+$/.test(n);
const dockerfiles = [
  ...readdirSync(repoRoot).filter(isDockerfile),
  ...['app', 'operator', 'tools'].flatMap((d) => findFiles(d, isDockerfile)),
].filter((f) => !f.endsWith('.dockerignore'));
const dataStoreDockerfiles = findFiles('images', isDockerfile);

/** The official Debian-based Node tags: node:<version>-<bookworm|trixie>[-slim]. */
const nodeTag = (version: string) =>
  new RegExp(`^node:${version.replace(/\./g, '\\.')}-(bookworm|trixie)(-slim)?$`);

/** The program an exec-form ENTRYPOINT/CMD pair starts (ENTRYPOINT [] defers to CMD). */
function execForm(args: string | undefined, what: string): string[] | undefined {
  if (args === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(args);
  } catch {
    assert.fail(`${what} ${args} is in exec form (a shell form would make sh PID 1)`);
  }
  assert.ok(Array.isArray(v) && v.every((x) => typeof x === 'string'), `${what} is a JSON array`);
  return v as string[];
}

function stageChain(stages: Stage[], stage: Stage): Stage[] {
  const chain = [stage];
  let cur = stage;
  for (;;) {
    const parent = stages.find((s) => s.name === cur.from);
    if (!parent || chain.includes(parent)) return chain;
    chain.push(parent);
    cur = parent;
  }
}

describe('Dockerfiles', () => {
  it('the images of this repository exist', () => {
    for (const f of [
      'Dockerfile.operator',
      'app/backend/Dockerfile',
      'app/frontend/Dockerfile',
      'app/backup/Dockerfile',
    ]) {
      assert.ok(dockerfiles.includes(f), `${f} is missing (found ${dockerfiles.join(', ')})`);
    }
    for (const f of ['images/redis/Dockerfile', 'images/minio/Dockerfile']) {
      assert.ok(dataStoreDockerfiles.includes(f), `${f} is missing`);
    }
    assert.ok(nodeVersion, 'scripts/setup.sh pins NODE_VERSION');
  });

  for (const file of dockerfiles) {
    describe(file, () => {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      const stages = parseDockerfile(text);
      const names = new Set(stages.map((s) => s.name).filter(Boolean));
      const final = stages.at(-1);
      const all = stages.flatMap((s) => s.instructions);
      const finalChain = final ? stageChain(stages, final) : [];
      const finalIns = finalChain.flatMap((s) => s.instructions);

      it('is multi-stage with pinned base images', () => {
        assert.ok(stages.length >= 2, 'multi-stage');
        for (const s of stages) {
          if (names.has(s.from)) continue;
          assert.match(s.from, /^[\w./-]+:[\w.-]+(@sha256:[a-f0-9]{64})?$/, `${s.from} has a tag`);
          const tag = s.from.split('@')[0]?.split(':')[1] ?? '';
          assert.ok(!/latest|^lts|^current/.test(tag), `${s.from}: no floating tag`);
          assert.match(tag, /\d+\.\d+/, `${s.from}: a version tag`);
          assert.equal(
            s.fromArg,
            'BASE_IMAGE',
            `${s.from}: FROM \${BASE_IMAGE} (tools/images sets it)`,
          );
          assert.match(
            s.from,
            nodeTag(nodeVersion ?? ''),
            `the BASE_IMAGE default is the official Debian-based image of the Node of scripts/setup.sh (${nodeVersion})`,
          );
        }
        for (const i of all)
          assert.doesNotMatch(i.args, /alpine|\bapk\b/i, `line ${i.line}: no Alpine/apk`);
      });

      it('installs with npm ci after copying only the manifests', () => {
        const runs = all.filter((i) => i.keyword === 'RUN').map((i) => i.args);
        assert.ok(
          runs.some((r) => /\bnpm ci\b/.test(r)),
          'uses npm ci',
        );
        assert.ok(!runs.some((r) => /\bnpm (install|i)\b/.test(r)), 'never npm install');
        const firstCi = all.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
        const before = all.slice(0, firstCi).filter((i) => i.keyword === 'COPY' && !copyFrom(i));
        assert.ok(before.length > 0, 'manifests are copied before npm ci');
        for (const c of before) {
          const sources = c.args
            .split(/\s+/)
            .filter((a) => !a.startsWith('--'))
            .slice(0, -1);
          for (const src of sources) {
            assert.match(
              src,
              /(^|\/)(package(-lock)?\.json|\.npmrc)$/,
              `only manifests before npm ci: ${src}`,
            );
          }
        }
        // npm ci checks the lock against every workspace: each workspace manifest is copied.
        const copied = before.flatMap((c) => c.args.split(/\s+/));
        for (const ws of workspaces) {
          assert.ok(
            copied.includes(`${ws}/package.json`),
            `copies ${ws}/package.json before npm ci`,
          );
        }
      });

      it('ships production dependencies only', () => {
        assert.ok(final);
        const finalRuns = finalIns.filter((i) => i.keyword === 'RUN').map((i) => i.args);
        for (const r of finalRuns.filter((x) => /\bnpm ci\b/.test(x))) {
          assert.match(r, /--omit=dev/, 'npm ci in the final stage omits dev dependencies');
        }
        for (const c of (final?.instructions ?? []).filter((i) => i.keyword === 'COPY')) {
          const from = copyFrom(c);
          if (!from || !/node_modules/.test(c.args)) continue;
          // Next.js standalone output: node_modules traced from what the server imports.
          if (/\.next\/standalone\/node_modules/.test(c.args)) continue;
          const src = stages.find((s) => s.name === from);
          assert.ok(src, `${from} is a stage`);
          const ci = stageChain(stages, src)
            .flatMap((s) => s.instructions)
            .filter((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
          assert.ok(
            ci.length > 0 && ci.every((i) => /--omit=dev/.test(i.args)),
            `node_modules from ${from} are production-only`,
          );
        }
      });

      it('runs as a fixed non-root UID with node itself as PID 1', () => {
        const users = finalIns.filter((i) => i.keyword === 'USER');
        const user = users.at(-1)?.args.trim() ?? '';
        assert.match(user, /^\d+(:\d+)?$/, `USER is numeric (${user || 'none'})`);
        assert.notEqual(Number(user.split(':')[0]), 0, 'not root');
        // The entrypoint is set explicitly (the official node image's docker-entrypoint.sh is
        // not inherited) and starts node directly: node receives SIGTERM (the programs handle
        // it; tools/packaging's image tests and tools/images' smoke tests stop them with it).
        const last = (k: string) => finalIns.filter((i) => i.keyword === k).at(-1)?.args;
        const entry = execForm(last('ENTRYPOINT'), 'ENTRYPOINT');
        assert.ok(entry, 'ENTRYPOINT is set (use ENTRYPOINT [] to run CMD directly)');
        const cmd = execForm(last('CMD'), 'CMD') ?? [];
        const argv = entry.length > 0 ? entry : cmd;
        assert.equal(argv[0], 'node', `PID 1 is node (${JSON.stringify(argv)})`);
        for (const i of all) {
          assert.doesNotMatch(
            i.args,
            /tini|dumb-init/,
            `line ${i.line}: no init the base may lack`,
          );
        }
      });

      it('has a HEALTHCHECK the slim image can run when it serves a port', () => {
        if (!finalIns.some((i) => i.keyword === 'EXPOSE')) return;
        const hc = finalIns.filter((i) => i.keyword === 'HEALTHCHECK').at(-1);
        assert.ok(hc, 'HEALTHCHECK');
        assert.match(hc.args, /CMD node -e "fetch\('http:\/\/127\.0\.0\.1:\$\{\w+\}\/[^']*'\)/);
        assert.doesNotMatch(hc.args, /\b(wget|curl)\b/, 'no wget/curl in Debian slim images');
      });

      it('copies only files that exist and compiles with a tsconfig that exists', () => {
        for (const c of all.filter((i) => i.keyword === 'COPY' && !copyFrom(i))) {
          const parts = c.args.split(/\s+/).filter((a) => !a.startsWith('--'));
          for (const src of parts.slice(0, -1)) {
            assert.ok(existsSync(join(repoRoot, src)), `COPY ${src} (line ${c.line}) exists`);
            assert.ok(!/node_modules|(^|\/)dist(\/|$)/.test(src), `COPY ${src}: no build output`);
          }
        }
        for (const r of all.filter((i) => i.keyword === 'RUN')) {
          for (const m of r.args.matchAll(/tsc -p (\S+)/g)) {
            assert.ok(existsSync(join(repoRoot, m[1] ?? '')), `${m[1]} exists`);
          }
        }
      });
    });
  }

  for (const file of dataStoreDockerfiles) {
    describe(file, () => {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      const stages = parseDockerfile(text);
      const names = new Set(stages.map((s) => s.name).filter(Boolean));
      const final = stages.at(-1);

      it('starts from a pinned Debian base given as BASE_IMAGE, or from scratch', () => {
        for (const s of stages) {
          if (names.has(s.from) || s.from === 'scratch') continue;
          assert.equal(s.fromArg, 'BASE_IMAGE', `${s.from}: FROM \${BASE_IMAGE}`);
          assert.match(
            s.from,
            /^debian:(bookworm|trixie)(-\d{8})?-slim$/,
            `${s.from}: Debian slim`,
          );
        }
        for (const i of stages.flatMap((x) => x.instructions)) {
          assert.doesNotMatch(i.args, /alpine|\bapk\b/i, `line ${i.line}: no Alpine/apk`);
        }
      });

      it('runs as a fixed non-root numeric UID', () => {
        const user = (final?.instructions ?? []).filter((i) => i.keyword === 'USER').at(-1);
        assert.match(user?.args.trim() ?? '', /^[1-9]\d*(:\d+)?$/, 'USER uid[:gid], not root');
      });
    });
  }

  it('.dockerignore keeps installed, built and local state out of the context', () => {
    const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['**/node_modules', '**/dist', '**/.next', '.git', '.tools', '.testenv']) {
      assert.ok(ignore.includes(p), `.dockerignore lists ${p}`);
    }
  });

  it('the compiled workspaces emit JavaScript to dist/ without tests', () => {
    for (const ws of ['operator', 'app/backend']) {
      const cfg = JSON.parse(readFileSync(join(repoRoot, ws, 'tsconfig.build.json'), 'utf8')) as {
        compilerOptions: Record<string, unknown>;
        exclude: string[];
      };
      assert.equal(cfg.compilerOptions.noEmit, false);
      assert.equal(cfg.compilerOptions.outDir, 'dist');
      assert.ok(cfg.exclude.some((e) => e.includes('.test.ts')));
    }
  });

  it('the frontend builds the standalone output the image copies', (t) => {
    const dir = join(repoRoot, 'app', 'frontend');
    const cfg = readdirSync(dir).find((f) => /^next\.config\.(ts|mjs|js)$/.test(f));
    if (!cfg) {
      // Next.js defaults apply until the frontend workspace writes its config; the default
      // has no standalone output, so `next build` in the image would fail its own check.
      t.diagnostic('app/frontend has no next.config yet');
      return;
    }
    assert.match(readFileSync(join(dir, cfg), 'utf8'), /output:\s*['"]standalone['"]/);
  });
});
