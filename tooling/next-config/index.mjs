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
      '@durable-delivery/accounts',
      '@durable-delivery/api',
      '@durable-delivery/codec',
      '@durable-delivery/postgres-kit',
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
    // With a proxy (src/proxy.ts), Next buffers a request's body for it up to this size and silently cuts the rest,
    // dropping the chunk that crossed the line (by default at 10 MB, so a route got a cut body and no error). The
    // apps refuse bodies over 64 KiB (BODY_LIMIT_BYTES in packages/api/src/server/gate.ts): a declared length in the
    // proxy, a chunked body by counting in the route. This buffer is far enough above that limit that a cut body is
    // still over it, so the route answers 413, never a parse error about a truncated body.
    experimental: {
      proxyClientMaxBodySize: 1024 * 1024,
      // Turbopack keeps a build's cache in .next/cache for the next `next build` here (on by default in Next 16.4):
      // worth it on a developer's machine, but writing it took 21 s per app in a CI run, whose clone is thrown away.
      turbopackFileSystemCacheForBuild: !process.env.CI,
    },
    // `npm test` type-checks each app in its own `typecheck` task (`next typegen && tsc --noEmit`, the same check), so
    // its production builds skip Next's copy of it: 18 s per app on a two-core machine. Every other build keeps it.
    typescript: { ignoreBuildErrors: process.env.DURABLE_DELIVERY_TYPECHECK_APART === '1' },
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
