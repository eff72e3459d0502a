import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { tarGz } from './tar.ts';

it('writes an archive that GNU tar lists and extracts byte for byte, long paths included', () => {
  const long = `root/${'d'.repeat(60)}/${'e'.repeat(60)}/file-with-a-long-name.log`;
  const binary = Buffer.from([0, 1, 2, 255, 254]);
  const entries = [
    { path: 'root/README.txt', content: 'hello\n' },
    { path: 'root/empty.txt', content: '' },
    { path: 'root/block.bin', content: Buffer.alloc(512, 7) },
    { path: 'root/binary.bin', content: binary, mode: 0o755 },
    { path: long, content: 'ünïcode\n'.repeat(100) },
  ];
  const dir = mkdtempSync(join(tmpdir(), 'tar-test-'));
  writeFileSync(join(dir, 'a.tar.gz'), tarGz(entries, new Date('2026-11-30T00:00:00Z')));
  const list = spawnSync('tar', ['-tzvf', join(dir, 'a.tar.gz')], { encoding: 'utf8' });
  assert.equal(list.status, 0, list.stderr);
  assert.equal(list.stderr, '');
  assert.match(list.stdout, /^-rwxr-xr-x .* root\/binary\.bin$/m);
  assert.match(list.stdout, /^-rw-r--r-- .* root\/README\.txt$/m);
  assert.deepEqual(
    list.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/).pop()),
    entries.map((e) => e.path),
  );
  const out = join(dir, 'out');
  spawnSync('mkdir', [out]);
  const x = spawnSync('tar', ['-xzf', join(dir, 'a.tar.gz'), '-C', out], { encoding: 'utf8' });
  assert.equal(x.status, 0, x.stderr);
  for (const e of entries) {
    assert.deepEqual(readFileSync(join(out, e.path)), Buffer.from(e.content), e.path);
  }
});
