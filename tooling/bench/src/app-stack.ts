/**
 * The whole stack as production runs it, for the parts of `pnpm bench` that measure through the apps
 * (@durable-delivery/stack): a fresh Temporal server of the kind asked for (the file-backed dev server, or the full
 * server on PostgreSQL), the worker process, and both Next.js apps on `next start` (production builds, free loopback
 * ports), with a random session secret, driver passcode and payload encryption key made for the run.
 */
import { startStack, type Stack, type StackApp, type StackProcess } from '@durable-delivery/stack';
import { type TemporalServerKind } from '@durable-delivery/temporal-cluster';
import type { Client } from '@temporalio/client';
import { OPEN_ORDER_WINDOWS } from './open-orders';
import { benchWorkerOptions } from './worker-process';

/** What the stack starts; the bench's Resources stops it all. */
export interface AppsResources {
  stack?: Stack;
}

export interface AppStack {
  readonly client: Client;
  /** The server's processes (the Temporal server, and PostgreSQL's postmaster), for CPU accounting. */
  readonly serverPids: readonly number[];
  readonly serverVersion: string | undefined;
  readonly orderWorker: StackProcess;
  readonly menu: StackApp;
  readonly driver: StackApp;
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
  const worker = benchWorkerOptions();
  resources.stack = await startStack({
    label: 'bench-apps',
    temporal: { kind: server },
    parts: ['worker', 'menu', 'driver'],
    workerNodeArgs: worker.workerNodeArgs,
    env: {
      ...worker.env,
      apps: {
        // Plain http to 127.0.0.1: secure cookies would never be sent back.
        COOKIE_SECURE: 'false',
        // Long enough that no order of the run expires while it waits.
        ORDER_PICKUP_WINDOW: OPEN_ORDER_WINDOWS.pickup,
        ORDER_DELIVERY_WINDOW: OPEN_ORDER_WINDOWS.delivery,
      },
    },
    progress,
    signal,
    onExit: (child, code) =>
      fail(new Error(`the ${child.name} exited (code ${code}):\n${child.lastLines().join('\n')}`)),
  });
  const { stack } = resources;
  // Encrypted, as in production: the codec's cost is part of what is measured.
  const { connection, client } = await stack.connect();
  const { serverVersion } = await connection.workflowService.getSystemInfo({});
  return {
    client,
    serverPids: stack.temporal.serverPids(),
    serverVersion: serverVersion ?? undefined,
    orderWorker: stack.workers[0]!.process,
    menu: stack.app('menu'),
    driver: stack.app('driver'),
    driverPasscode: stack.driverPasscode,
  };
}
