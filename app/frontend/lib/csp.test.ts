import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCsp, cspDirectives, newNonce } from './csp.ts';

const nonce = 'AAAAAAAAAAAAAAAAAAAAAA==';

function parse(header: string): Map<string, string[]> {
  return new Map(
    header.split('; ').map((d) => {
      const [name = '', ...sources] = d.split(' ');
      return [name, sources];
    }),
  );
}

describe('csp', () => {
  it('builds the production policy: nonce scripts and styles, no eval, no inline script', () => {
    const p = parse(buildCsp({ nonce }));
    assert.deepEqual(p.get('default-src'), ["'self'"]);
    assert.deepEqual(p.get('script-src'), ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    assert.deepEqual(p.get('style-src'), ["'self'", `'nonce-${nonce}'`]);
    assert.deepEqual(p.get('style-src-attr'), ["'unsafe-inline'"]);
    assert.deepEqual(p.get('img-src'), ["'self'", 'data:', 'blob:']);
    assert.deepEqual(p.get('connect-src'), ["'self'"]);
    assert.deepEqual(p.get('font-src'), ["'self'"]);
    assert.deepEqual(p.get('object-src'), ["'none'"]);
    assert.deepEqual(p.get('base-uri'), ["'self'"]);
    assert.deepEqual(p.get('form-action'), ["'self'"]);
    assert.deepEqual(p.get('frame-ancestors'), ["'none'"]);
    const header = buildCsp({ nonce });
    assert.doesNotMatch(header, /unsafe-eval/);
    assert.doesNotMatch(p.get('script-src')?.join(' ') ?? '', /unsafe-inline/);
    // Over plain http (an intranet install) upgrading requests would break every asset.
    assert.doesNotMatch(header, /upgrade-insecure-requests/);
  });

  it('adds eval and inline styles in development only', () => {
    const p = parse(buildCsp({ nonce, dev: true }));
    assert.ok(p.get('script-src')?.includes("'unsafe-eval'"));
    assert.deepEqual(p.get('style-src'), ["'self'", "'unsafe-inline'"]);
  });

  it('lists every directive once', () => {
    const names = cspDirectives({ nonce }).map(([d]) => d);
    assert.equal(new Set(names).size, names.length);
  });

  it('refuses a nonce that could inject sources', () => {
    assert.throws(() => buildCsp({ nonce: "abc' 'unsafe-inline" }), /base64/);
    assert.throws(() => buildCsp({ nonce: 'short' }), /base64/);
  });

  it('makes fresh 128-bit base64 nonces', () => {
    const seen = new Set(Array.from({ length: 1000 }, newNonce));
    assert.equal(seen.size, 1000);
    for (const n of seen) assert.equal(Buffer.from(n, 'base64').length, 16);
    assert.doesNotThrow(() => buildCsp({ nonce: newNonce() }));
  });
});
