import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';
import { exportLines, mergedEnv } from './state.ts';

it('export lines survive a round trip through the shell, quotes included', () => {
  const env = { TESTENV_A: 'it\'s $HOME `x` "y"', TESTENV_B: 'redis://:p@127.0.0.1:1' };
  const out = execFileSync(
    'sh',
    ['-c', `${exportLines(env)}\nprintf '%s\\n%s' "$TESTENV_A" "$TESTENV_B"`],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(out, `${env.TESTENV_A}\n${env.TESTENV_B}`);
});

it('merges the env of every service', () => {
  const merged = mergedEnv({
    startedAt: '',
    services: [
      { name: 'redis', processes: [], env: { TESTENV_REDIS_URL: 'r' } },
      { name: 's3', processes: [], env: { TESTENV_S3_ENDPOINT: 's' } },
    ],
  });
  assert.deepEqual(merged, { TESTENV_REDIS_URL: 'r', TESTENV_S3_ENDPOINT: 's' });
});
