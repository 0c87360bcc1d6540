import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** @returns {import('next').NextConfig} */
export function nextConfig() {
  return {
    reactStrictMode: true,
    poweredByHeader: false,
    // The Temporal client (gRPC, protobufs) and our server packages load from node_modules at run time instead of
    // being bundled: they are server-only and CommonJS, and none of them may reach a browser bundle. (The codec also
    // hands the SDK its failure converter by file path, which only works from node_modules.)
    serverExternalPackages: [
      '@durable-delivery/api',
      '@durable-delivery/codec',
      '@durable-delivery/telemetry',
      '@durable-delivery/workflows',
      '@temporalio/client',
      '@temporalio/envconfig',
    ],
    // The shared UI is TypeScript source; Next compiles it with the app.
    transpilePackages: ['@durable-delivery/ui'],
    // pnpm workspace: trace and resolve from the repository root, not from the app's folder.
    outputFileTracingRoot: repoRoot,
    turbopack: { root: repoRoot },
    // The proxy (src/proxy.ts) sees at most this much of a body: by default Next buffers 10 MB for it and silently
    // truncates the rest, so a route got a cut body. One byte over the apps' limit (BODY_LIMIT_BYTES, 64 KiB, in
    // packages/api/src/server/gate.ts) reaches the route whole enough for its counting read to answer 413.
    experimental: { proxyClientMaxBodySize: 64 * 1024 + 1 },
    // Defaults a browser should not have to guess. The Content-Security-Policy, HSTS and the API's no-store are set
    // per request by the apps' proxy (a nonce is per request).
    async headers() {
      return [
        {
          source: '/:path*',
          headers: [
            { key: 'X-Content-Type-Options', value: 'nosniff' },
            { key: 'X-Frame-Options', value: 'DENY' },
            { key: 'Referrer-Policy', value: 'same-origin' },
            { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
          ],
        },
      ];
    },
  };
}
