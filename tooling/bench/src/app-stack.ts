/**
 * The whole stack as production runs it, for the parts of `pnpm bench` that measure through the apps: a fresh
 * file-backed Temporal dev server, the worker process, and both Next.js apps on `next start` (production builds,
 * free loopback ports), with a random session secret and driver passcode made for the run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startProjectDevServer } from '@durable-delivery/dev-server';
import { freePort, type DevServer } from '@durable-delivery/temporal-server';
import { ORDER_TASK_QUEUE } from '@durable-delivery/workflows';
import { Client, Connection } from '@temporalio/client';
import { startApp, waitForHttp, type AppServer } from './app-servers';
import { OPEN_ORDER_WINDOWS } from './open-orders';
import { spawnWorker, waitForPollers, workerMainPath, type WorkerProcess } from './worker-process';

/** What the stack starts; the bench's Resources stops it all, apps first. */
export interface AppsResources {
  tempDir?: string;
  server?: DevServer;
  connection?: Connection;
  orderWorker?: WorkerProcess;
  readonly appServers: AppServer[];
}

export interface AppStack {
  readonly client: Client;
  readonly serverPid: number | undefined;
  readonly serverVersion: string | undefined;
  readonly orderWorker: WorkerProcess;
  readonly menu: AppServer;
  readonly driver: AppServer;
  readonly driverPasscode: string;
}

/** `fail` ends the run at once when the worker or an app dies mid-run. */
export async function startAppStack(
  resources: AppsResources,
  signal: AbortSignal,
  fail: (error: Error) => void,
  progress: (line: string) => void,
): Promise<AppStack> {
  // Its own fresh server: a temporary SQLite file, headless, on a free loopback port.
  resources.tempDir = mkdtempSync(join(os.tmpdir(), 'durable-delivery-bench-apps-'));
  progress('starting the Temporal dev server');
  resources.server = await startProjectDevServer({
    port: await freePort(),
    headless: true,
    dbFilename: join(resources.tempDir, 'bench.sqlite'),
    stdio: 'pipe',
    log: () => undefined,
  });
  const { address } = resources.server;
  const serverPid = resources.server.pid;
  resources.connection = await Connection.connect({ address });
  const client = new Client({ connection: resources.connection });
  const { serverVersion } = await resources.connection.workflowService.getSystemInfo({});

  progress(`starting the worker: node ${workerMainPath()}`);
  const orderWorker = spawnWorker(address);
  resources.orderWorker = orderWorker;
  void orderWorker.exited.then((code) =>
    fail(new Error(`the worker exited (code ${code}):\n${orderWorker.lastLines().join('\n')}`)),
  );
  await waitForPollers(resources.connection, ORDER_TASK_QUEUE, orderWorker);

  const driverPasscode = randomBytes(12).toString('base64url');
  const appEnv = {
    TEMPORAL_ADDRESS: address,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    SESSION_SECRET: randomBytes(32).toString('base64'),
    DRIVER_PASSCODE: driverPasscode,
    // Plain http to 127.0.0.1: secure cookies would never be sent back.
    COOKIE_SECURE: 'false',
    // Long enough that no order of the run expires while it waits.
    ORDER_PICKUP_WINDOW: OPEN_ORDER_WINDOWS.pickup,
    ORDER_DELIVERY_WINDOW: OPEN_ORDER_WINDOWS.delivery,
  };
  progress('starting the menu and driver apps (next start)');
  const [menu, driver] = await Promise.all(
    (['menu', 'driver'] as const).map(async (name) => {
      const app = startApp(name, await freePort(), appEnv);
      resources.appServers.push(app);
      void app.exited.then((code) =>
        fail(new Error(`the ${name} app exited (code ${code}):\n${app.lastLines().join('\n')}`)),
      );
      await waitForHttp(app, signal);
      return app;
    }),
  );
  if (!menu || !driver) throw new Error('the apps did not start');
  return { client, serverPid, serverVersion: serverVersion ?? undefined, orderWorker, menu, driver, driverPasscode };
}
