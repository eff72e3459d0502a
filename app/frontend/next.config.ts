import type { NextConfig } from 'next';

// The browser reaches the API under the same origin: /api/v1/* is forwarded to BACKEND_URL by the
// route handler in app/api/v1/[...path]/route.ts. (A `rewrites()` entry would be frozen into the
// build's routes manifest; the operator runs one image against many per-tenant backends, so the
// target is read at run time instead.)
const config: NextConfig = {
  output: 'standalone',
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: false,
  outputFileTracingRoot: new URL('../..', import.meta.url).pathname,
  serverExternalPackages: ['prom-client'],
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
    ];
  },
};

export default config;
