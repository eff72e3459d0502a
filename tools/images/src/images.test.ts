import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheKey, mmdebstrapArgs, nodeBaseContainerfile } from './base.ts';
import { IMAGE_NAMES, imagePlan, parseOnly, summaryTable } from './images.ts';
import { processSpec } from './run-image.ts';

describe('image plan', () => {
  const plan = imagePlan({
    repoRoot: '/r',
    version: '1.2.3',
    nodeBase: 'localhost/pms/node-base:x',
    debianBase: 'localhost/pms/debian-base:y',
  });

  it('has every image once, with the install defaults as tags', () => {
    assert.deepEqual(
      plan.map((p) => p.name),
      [...IMAGE_NAMES],
    );
    assert.deepEqual(
      plan.map((p) => p.tag),
      [
        'ghcr.io/pms/pms-operator:1.2.3',
        'ghcr.io/pms/pms-backend:1.2.3',
        'ghcr.io/pms/pms-frontend:1.2.3',
        'ghcr.io/pms/pms-backup:1.2.3',
        'localhost/pms/redis:1.2.3',
        'localhost/pms/minio:1.2.3',
        'localhost/pms/ferretdb:1.2.3',
      ],
    );
  });

  it('passes the Node base to the product images and the Debian base to the data stores', () => {
    for (const p of plan) {
      const want = ['redis', 'minio', 'ferretdb'].includes(p.name)
        ? 'localhost/pms/debian-base:y'
        : 'localhost/pms/node-base:x';
      assert.equal(p.buildArgs.BASE_IMAGE, want, p.name);
      // A context from the repository, or a binary copied into a fresh one: never both.
      assert.ok((p.context === undefined) !== (p.binary === undefined), p.name);
    }
  });

  it('--only selects known images and rejects others', () => {
    assert.deepEqual(parseOnly('redis, operator'), ['redis', 'operator']);
    assert.deepEqual(parseOnly(undefined), [...IMAGE_NAMES]);
    assert.throws(() => parseOnly('redis,mongo'), /unknown image\(s\) mongo/);
    assert.throws(() => parseOnly(''), /unknown/);
  });

  it('summary shows each image with its share of the time', () => {
    const table = summaryTable([
      {
        name: 'a',
        tag: 'x/a:1',
        archive: '/a',
        buildSeconds: 3,
        saveSeconds: 1,
        size: '10 MB',
        archiveBytes: 4e6,
      },
      {
        name: 'b',
        tag: 'x/b:1',
        archive: '/b',
        buildSeconds: 1,
        saveSeconds: 0,
        size: '5 MB',
        archiveBytes: 2e6,
      },
    ]);
    assert.match(table, /^a\s+x\/a:1\s+3\.0\s+1\.0\s+80%\s+10 MB\s+4\.0 MB$/m);
    assert.match(table, /^b\s+x\/b:1\s+1\.0\s+0\.0\s+20%/m);
    assert.match(table, /^total\s+5\.0 s$/m);
  });
});

describe('base images', () => {
  it('mmdebstrap makes a trimmed bookworm minbase with CA certificates from the Debian mirror', () => {
    const args = mmdebstrapArgs('/out.tar');
    assert.ok(args.includes('--variant=minbase'));
    assert.ok(args.includes('--include=ca-certificates'));
    assert.ok(args.includes('--dpkgopt=path-exclude=/usr/share/doc/*'));
    const i = args.indexOf('bookworm');
    assert.equal(args[i + 1], '/out.tar');
    assert.match(args[i + 2] ?? '', /^deb http:\/\/deb\.debian\.org\/debian bookworm main$/);
  });

  it('cache keys change with their inputs only', () => {
    assert.equal(cacheKey({ a: 1 }), cacheKey({ a: 1 }));
    assert.notEqual(cacheKey({ a: 1 }), cacheKey({ a: 2 }));
  });

  it('the Node base puts node and npm where the official images do', () => {
    const f = nodeBaseContainerfile('localhost/pms/debian-base:bookworm', 'k');
    assert.match(f, /^FROM localhost\/pms\/debian-base:bookworm$/m);
    assert.match(f, /COPY node \/usr\/local\/bin\/node/);
    assert.match(f, /\/usr\/local\/bin\/npm/);
    assert.match(f, /useradd --uid 1000/);
  });
});

describe('processSpec (what a runtime derives from the image config)', () => {
  const cfg = {
    Entrypoint: ['node', 'dist/cli.js'],
    Cmd: ['--help'],
    Env: ['PATH=/usr/bin', 'A=1'],
    User: '10001:10001',
    WorkingDir: '/app',
  };
  it('args replace CMD, command replaces ENTRYPOINT and drops CMD; env overrides', () => {
    assert.deepEqual(processSpec(cfg, {}).args, ['node', 'dist/cli.js', '--help']);
    assert.deepEqual(processSpec(cfg, { args: ['backup'] }).args, [
      'node',
      'dist/cli.js',
      'backup',
    ]);
    assert.deepEqual(processSpec(cfg, { command: ['sh'] }).args, ['sh']);
    const p = processSpec(cfg, { env: { A: '2' } });
    assert.deepEqual(p.env, ['PATH=/usr/bin', 'A=2']);
    assert.deepEqual([p.uid, p.gid, p.cwd], [10001, 10001, '/app']);
  });
  it('refuses a named or empty USER (the runtime could not map it without /etc/passwd)', () => {
    assert.throws(() => processSpec({ ...cfg, User: 'node' }, {}), /not a numeric/);
    assert.throws(() => processSpec({ ...cfg, User: '' }, {}), /not a numeric/);
  });
});
