import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { KObject } from './kube.ts';
import { redact, REDACTED, scrub, secretValues } from './redact.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

it('keeps Secret keys, drops values, last-applied copies and managedFields', () => {
  const s: KObject = {
    kind: 'Secret',
    metadata: {
      name: 'acme-admin',
      managedFields: [{ manager: 'pms-operator' }],
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"c2VjcmV0"}}',
        keep: 'me',
      },
    },
    data: { password: b64('s3cret-value-1'), email: b64('a@b.c') },
    stringData: { token: 'plain-token-value' },
  };
  const r = redact(s);
  assert.deepEqual(r.data, { password: REDACTED, email: REDACTED });
  assert.deepEqual(r.stringData, { token: REDACTED });
  assert.deepEqual(r.metadata.annotations, { keep: 'me' });
  assert.equal(r.metadata.managedFields, undefined);
  assert.ok(s.data, 'the input is not changed');
  const cm: KObject = { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
  assert.deepEqual(redact(cm).data, { a: 'b' });
});

it('scrubs Secret values, decoded and base64, wherever they appear; short values are no secret', () => {
  const s: KObject = {
    kind: 'Secret',
    metadata: { name: 'x' },
    data: {
      password: b64('hunter2-hunter2'),
      database: b64('pms'),
      multi: b64('line-one-value\nline-two-value'),
    },
  };
  const values = secretValues([s]);
  const text = `pw=hunter2-hunter2 b64=${b64('hunter2-hunter2')} db=pms l=line-two-value`;
  assert.equal(scrub(text, values), `pw=${REDACTED} b64=${REDACTED} db=pms l=${REDACTED}`);
});
