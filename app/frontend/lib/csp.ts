// The web app's Content-Security-Policy, built per request by proxy.ts. Pure apart from
// newNonce(), so the policy itself is unit-tested (lib/csp.test.ts).
//
// Scripts: only those carrying this response's nonce run ('strict-dynamic' then trusts the chunks
// they load). Next finds the nonce in the request's CSP header and puts it on its own scripts;
// app/layout.tsx puts it on the theme script. 'self' stays for browsers without 'strict-dynamic'
// (CSP2), where it is what lets the chunks load; CSP3 browsers ignore it next to 'strict-dynamic'.
//
// Styles: <style> elements need the nonce (Next's stylesheets are <link>s from 'self'), but
// style ATTRIBUTES cannot carry a nonce, and React renders `style={…}` as attributes in the
// server HTML; so `style-src-attr 'unsafe-inline'` allows attributes only. An injected attribute
// can restyle an element but cannot load anything from another origin (img-src/font-src).

export interface CspOptions {
  /** Base64 nonce for this response; fresh for every request. */
  nonce: string;
  /** `next dev`: React needs eval for its debugging stacks, the dev overlay injects styles. */
  dev?: boolean;
}

const NONCE_RE = /^[A-Za-z0-9+/]{16,}={0,2}$/;

/** The policy as an ordered list of [directive, sources]. */
export function cspDirectives({ nonce, dev = false }: CspOptions): [string, string[]][] {
  // A nonce that is not plain base64 could close the quote and add sources of its own.
  if (!NONCE_RE.test(nonce)) throw new Error('CSP nonce must be base64 (16+ characters)');
  const n = `'nonce-${nonce}'`;
  return [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'", n, "'strict-dynamic'", ...(dev ? ["'unsafe-eval'"] : [])]],
    // In dev a nonce would disable 'unsafe-inline', which the dev overlay's styles need.
    ['style-src', dev ? ["'self'", "'unsafe-inline'"] : ["'self'", n]],
    ['style-src-attr', ["'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'"]],
    // Live updates (SSE) and the API go through this origin's /api/v1 gateway.
    ['connect-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['form-action', ["'self'"]],
    ['frame-ancestors', ["'none'"]],
  ];
}

/** The header value: `default-src 'self'; script-src …`. */
export function buildCsp(options: CspOptions): string {
  return cspDirectives(options)
    .map(([d, s]) => `${d} ${s.join(' ')}`)
    .join('; ');
}

/** 128 random bits, base64: unguessable, and unique per response. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
