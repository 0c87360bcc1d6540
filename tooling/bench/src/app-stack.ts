/**
 * The whole stack as production runs it, for the parts of `pnpm bench` that measure through the apps: a fresh
 * Temporal server of the kind asked for (the file-backed dev server, or the full server on PostgreSQL), the worker
 * process, and both Next.js apps on `next start` (production builds, free loopback ports), with a random session
 * secret, driver passcode and payload encryption key made for the run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { loadPayloadEncryption, randomEncryptionKeys } from '@durable-delivery/codec';
import {
  TEMPORAL_SERVER_TITLES,
  startProjectTemporal,
  type ProjectTemporal,
  type TemporalServerKind,
} from '@durable-delivery/temporal-cluster';
import { freePort } from '@durable-delivery/temporal-server';
import { ORDER_TASK_QUEUE } from '@durable-delivery/workflows';
import { Client, Connection } from '@temporalio/client';
import { startApp, waitForHttp, type AppServer } from './app-servers';
import { OPEN_ORDER_WINDOWS } from './open-orders';
import { spawnWorker, waitForPollers, workerMainPath, type WorkerProcess } from './worker-process';

/** What the stack starts; the bench's Resources stops it all, apps first. */
export interface AppsResources {
  tempDir?: string;
  server?: ProjectTemporal;
  connection?: Connection;
  orderWorker?: WorkerProcess;
  readonly appServers: AppServer[];
}

export interface AppStack {
  readonly client: Client;
  /** The server's processes (the Temporal server, and PostgreSQL's postmaster), for CPU accounting. */
  readonly serverPids: readonly number[];
  readonly serverVersion: string | undefined;
  readonly orderWorker: WorkerProcess;
  readonly menu: AppServer;
  readonly driver: AppServer;
  readonly driverPasscode: string;
}

/** `fail` ends the run at once when the worker or an app dies mid-run. */
export async function startAppStack(
  server: TemporalServerKind,
  resources: AppsResources,
  signal: AbortSignal,
  fail: (error: Error) => void,
  progress: (line: string) => void,
): Promise<AppStack> {
  // Its own fresh server, headless, its data in a temporary directory, on loopback.
  resources.tempDir = mkdtempSync(join(os.tmpdir(), 'durable-delivery-bench-apps-'));
  progress(`starting the ${TEMPORAL_SERVER_TITLES[server]}`);
  resources.server = await startProjectTemporal({ kind: server, dir: resources.tempDir });
  const { address } = resources.server;
  const serverPids = resources.server.serverPids();
  resources.connection = await Connection.connect({ address });
  // Encrypted, as in production: the codec's cost is part of what is measured.
  const encryptionKeys = randomEncryptionKeys('bench');
  const { dataConverter } = loadPayloadEncryption({ PAYLOAD_ENCRYPTION_KEYS: encryptionKeys });
  const client = new Client({ connection: resources.connection, dataConverter });
  const { serverVersion } = await resources.connection.workflowService.getSystemInfo({});

  progress(`starting the worker: node ${workerMainPath()}`);
  const orderWorker = spawnWorker(address, encryptionKeys);
  resources.orderWorker = orderWorker;
  void orderWorker.exited.then((code) =>
    fail(new Error(`the worker exited (code ${code}):\n${orderWorker.lastLines().join('\n')}`)),
  );
  await waitForPollers(resources.connection, ORDER_TASK_QUEUE, orderWorker);

  const driverPasscode = randomBytes(12).toString('base64url');
  const appEnv = {
    TEMPORAL_ADDRESS: address,
    PAYLOAD_ENCRYPTION_KEYS: encryptionKeys,
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
  return { client, serverPids, serverVersion: serverVersion ?? undefined, orderWorker, menu, driver, driverPasscode };
}
