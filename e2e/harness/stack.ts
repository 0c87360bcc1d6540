import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomEncryptionKeys } from '@durable-delivery/codec';
import { startProjectDevServer } from '@durable-delivery/dev-server';
import { freePort, type DevServer } from '@durable-delivery/temporal-server';
import { logFile, startProcess, waitForHttp, type StackProcess } from './processes';

const REPO = resolve(__dirname, '../..');
export const ARTIFACTS = resolve(__dirname, '../artifacts');
export const DRIVER_PASSCODE = 'e2e-passcode-not-a-secret';

/** Where each piece of the running stack answers; the specs read these from the environment. */
export interface StackUrls {
  readonly menu: string;
  /** A second menu server whose orders get a short pick-up window, for the refund flow. */
  readonly menuShortPickup: string;
  readonly driver: string;
  readonly temporal: string;
  /** The dev server's Web UI, which decodes payloads through the codec server (the Temporal UI spec). */
  readonly temporalUi: string;
  readonly codecServer: string;
  readonly codecServerToken: string;
  /** Where Prometheus scrapes each process (the observability spec). */
  readonly scrape: {
    readonly worker: string;
    readonly payments: string;
    readonly notifications: string;
  };
}

/**
 * The whole real stack, as production runs it: a Temporal dev server (loopback, free ports, its own database) with
 * its Web UI wired to the codec server, the payment and notification services, the built worker calling them, and
 * `next start` on the production builds of both apps. Windows are shortened by configuration only (ORDER_*
 * variables), exactly as an operator would.
 */
export async function startStack(): Promise<{ urls: StackUrls; stop: () => Promise<void> }> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const log = logFile(join(ARTIFACTS, 'stack.log'));
  const processes: StackProcess[] = [];
  let server: DevServer | undefined;
  const stop = async () => {
    await Promise.all(processes.map((child) => child.stop()));
    await server?.stop();
    log.end();
  };
  try {
    // The UI and the codec server each need the other's address up front: the UI to call it, the codec server to
    // grant that origin (and only that one) CORS.
    const [uiPort, codecPort] = [await freePort(), await freePort()];
    const temporalUi = `http://127.0.0.1:${uiPort}`;
    const codecServer = `http://127.0.0.1:${codecPort}`;
    server = await startProjectDevServer({
      port: await freePort(),
      uiPort,
      uiCodecEndpoint: codecServer,
      dbFilename: join(mkdtempSync(join(tmpdir(), 'e2e-temporal-')), 'dev.sqlite'),
      stdio: 'pipe',
      log: (line) => log.write(`[temporal] ${line}\n`),
    });
    // Encrypted, as in production: the worker and both apps share one key, made for this run.
    const temporal = { TEMPORAL_ADDRESS: server.address, PAYLOAD_ENCRYPTION_KEYS: randomEncryptionKeys('e2e') };

    const codecServerToken = randomBytes(32).toString('base64url');
    const codec = startProcess('codec-server', process.execPath, [join(REPO, 'apps/codec-server/dist/main.js')], {
      env: {
        PAYLOAD_ENCRYPTION_KEYS: temporal.PAYLOAD_ENCRYPTION_KEYS,
        CODEC_SERVER_PORT: String(codecPort),
        CODEC_SERVER_TOKEN: codecServerToken,
        CODEC_SERVER_CORS_ORIGINS: temporalUi,
        // Plain http on loopback: a secure cookie would never come back.
        CODEC_SERVER_COOKIE_SECURE: 'false',
      },
      log,
    });
    processes.push(codec);
    await waitForHttp(`${codecServer}/healthz`, codec);

    // Both services read <PREFIX>_PORT and <PREFIX>_DB, and answer /healthz once they listen.
    const service = async (name: 'payments' | 'notifications', database: string) => {
      const port = await freePort();
      const prefix = name.toUpperCase();
      const child = startProcess(name, process.execPath, [join(REPO, `apps/${name}/dist/main.js`)], {
        env: {
          [`${prefix}_PORT`]: String(port),
          [`${prefix}_DB`]: join(mkdtempSync(join(tmpdir(), `e2e-${name}-`)), database),
        },
        log,
      });
      processes.push(child);
      const url = `http://127.0.0.1:${port}`;
      await waitForHttp(`${url}/healthz`, child);
      return url;
    };
    const [paymentsUrl, notificationsUrl] = await Promise.all([
      service('payments', 'ledger.sqlite'),
      service('notifications', 'inbox.sqlite'),
    ]);

    const [workerMetricsPort, workerHealthPort] = [await freePort(), await freePort()];
    const worker = startProcess('worker', process.execPath, [join(REPO, 'apps/worker/dist/main.js')], {
      env: {
        ...temporal,
        PAYMENTS_URL: paymentsUrl,
        NOTIFICATIONS_URL: notificationsUrl,
        WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}`,
        WORKER_HEALTH_ADDRESS: `127.0.0.1:${workerHealthPort}`,
      },
      log,
    });
    processes.push(worker);
    await waitForHttp(`http://127.0.0.1:${workerHealthPort}/healthz`, worker);

    const appEnv = {
      ...temporal,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      SESSION_SECRET: randomBytes(32).toString('base64'),
      DRIVER_PASSCODE,
      NOTIFICATIONS_URL: notificationsUrl,
      // Long enough for a person (or a slow machine) to act; the rating tail short, so orders finish.
      ORDER_PICKUP_WINDOW: '10 minutes',
      ORDER_DELIVERY_WINDOW: '10 minutes',
      ORDER_RATE_PROMPT_DELAY: '1 second',
      ORDER_RATING_WINDOW: '10 minutes',
      // The pass's billing period, by configuration like the windows: the pass page shows it.
      PASS_BILLING_PERIOD: '10 minutes',
    };
    const next = async (name: string, app: string, env: Record<string, string>) => {
      const port = await freePort();
      const child = startProcess(
        name,
        process.execPath,
        [nextBin(app), 'start', '--port', String(port), '--hostname', '127.0.0.1'],
        { cwd: join(REPO, 'apps', app), env: { ...appEnv, ...env }, log },
      );
      processes.push(child);
      const url = `http://localhost:${port}`;
      await waitForHttp(`http://127.0.0.1:${port}/`, child);
      return url;
    };
    const [menu, menuShortPickup, driver] = await Promise.all([
      next('menu', 'menu', {}),
      next('menu-short-pickup', 'menu', { ORDER_PICKUP_WINDOW: '8 seconds' }),
      next('driver', 'driver', {}),
    ]);
    return {
      urls: {
        menu,
        menuShortPickup,
        driver,
        temporal: server.address,
        temporalUi,
        codecServer,
        codecServerToken,
        scrape: { worker: `127.0.0.1:${workerMetricsPort}`, payments: paymentsUrl, notifications: notificationsUrl },
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function nextBin(app: string): string {
  // Resolved from the app, so each app runs the Next.js it was built with.
  const pkg = require.resolve('next/package.json', { paths: [join(REPO, 'apps', app)] });
  return join(dirname(pkg), 'dist/bin/next');
}
