import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { asImageUser } from './image-user.ts';

describe('asImageUser', () => {
  const root = mkdtempSync(join(tmpdir(), 'pms-image-user-'));
  chmodSync(root, 0o755);
  const open = join(root, 'open.js');
  writeFileSync(open, '');
  chmodSync(open, 0o644);
  mkdirSync(join(root, 'private'), { mode: 0o700 });
  const hidden = join(root, 'private', 'hidden.js');
  writeFileSync(hidden, '');

  it('drops to the USER with setpriv when root and everything is reachable', () => {
    const r = asImageUser('10001:10002', ['/bin/true', open], [open]);
    if (process.getuid?.() === 0) {
      assert.deepEqual(r.argv.slice(0, 4), [
        'setpriv',
        '--reuid=10001',
        '--regid=10002',
        '--clear-groups',
      ]);
      assert.equal(r.fallback, undefined);
    } else {
      assert.deepEqual(r.argv, ['/bin/true', open]);
      assert.match(r.fallback ?? '', /not run as root/);
    }
  });

  it('says why when it cannot', () => {
    const r = asImageUser('10001', ['/bin/true', hidden], [hidden]);
    assert.deepEqual(r.argv, ['/bin/true', hidden]);
    assert.match(r.fallback ?? '', process.getuid?.() === 0 ? /hidden\.js/ : /not run as root/);
    assert.throws(() => asImageUser('node', ['/bin/true'], []), /not numeric/);
  });
});
