// Next 16's request proxy (formerly middleware): gives every page response a fresh CSP nonce.
// Next reads the nonce from the request's Content-Security-Policy header while rendering and puts
// it on its own scripts; app/layout.tsx reads `x-nonce` for the theme script. The policy itself is
// in lib/csp.ts.
import { NextResponse, type NextRequest } from 'next/server';
import { buildCsp, newNonce } from '@/lib/csp.ts';

export function proxy(request: NextRequest): NextResponse {
  const nonce = newNonce();
  const csp = buildCsp({ nonce, dev: process.env.NODE_ENV === 'development' });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  return response;
}

export const config = {
  // Pages only: the API gateway, health and metrics answer JSON, and build assets are static
  // files. Prefetches are NOT left out (Next's guide suggests it to keep them cacheable): every
  // page renders per request anyway, and a document prefetched without a policy (`Purpose:
  // prefetch`) could later be shown without one.
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'],
};
