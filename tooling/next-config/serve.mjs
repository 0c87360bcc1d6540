// The apps' production server (`next-serve`, and `next-on-port <app> start`). The same server as
// `next start` (Next.js's request handler, through Next's documented custom-server API), with the API's front gate
// in front of it: a client's tRPC calls beyond its in-flight cap are answered 429 before Next.js spends any time on
// them, so one client's burst cannot queue everyone else behind it (@durable-delivery/api's server/front-gate.ts).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Starts the app in `dir` on `hostname:port`; answers the listening server. Stops on SIGTERM or SIGINT: no new
 * connections, the requests in flight finish, then the process exits (143 or 130, as `next start` does).
 */
export async function serve({
  dir = process.cwd(),
  port = Number(process.env.PORT ?? 3000),
  hostname = 'localhost',
} = {}) {
  process.env.NODE_ENV ||= 'production';
  const requireFromApp = createRequire(join(dir, 'package.json'));
  const { frontGate, loadAppConfig, AppConfigError } = requireFromApp('@durable-delivery/api/front-gate');
  let config;
  try {
    config = loadAppConfig(process.env);
  } catch (error) {
    // A bad variable stops the app before it listens, with the message naming it.
    if (error instanceof AppConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const gate = frontGate(config);
  const next = requireFromApp('next');
  const app = next({ dev: false, dir, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();

  const server = createServer((request, response) => {
    if (!gate.admit(request, response)) return;
    handle(request, response).catch((error) => {
      console.error(`Failed to handle request for ${request.url}`, error);
      if (!response.headersSent) response.statusCode = 500;
      response.end();
    });
  });
  server.on('error', (error) => {
    console.error(
      error.code === 'EADDRINUSE'
        ? `Port ${port} on ${hostname} is in use by another program.`
        : 'Failed to start server',
    );
    console.error(error);
    process.exit(1);
  });
  await new Promise((resolve) => server.listen(port, hostname, resolve));
  console.log(`▲ ${process.title} ready on http://${hostname}:${port}`);

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    server.close(() => {
      app
        .close()
        .catch((error) => console.error(error))
        .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return server;
}
