/**
 * The whole stack as production runs it, for the parts of `pnpm bench` that measure through the apps
 * (@durable-delivery/stack): a fresh Temporal server of the kind asked for (the file-backed dev server, or the full
 * server on PostgreSQL), the worker process, and both Next.js apps on `next-serve` (production builds, free loopback
 * ports), with a random session secret, accounts secret and payload encryption key made for the run.
 */
import {
  startStack,
  type Env,
  type Stack,
  type StackApp,
  type StackOptions,
  type StackProcess,
} from '@durable-delivery/stack';
import { type TemporalServerKind } from '@durable-delivery/temporal-cluster';
import type { Client, Connection } from '@temporalio/client';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OPEN_ORDER_WINDOWS } from './open-orders';
import { RESULTS_DIR } from './report';
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
  /** A driver account the driver app signs in (Stack.createDriver). */
  readonly createDriver: Stack['createDriver'];
}

/** How a part runs: Ctrl-C and the part's timeout abort `signal`; `fail` ends the run at once. */
export interface PartRun {
  readonly signal: AbortSignal;
  readonly fail: (error: Error) => void;
  readonly progress: (line: string) => void;
}

/**
 * A part's own stack with the bench's worker settings, kept in `resources` so that the part's close stops it, and
 * an encrypted client of its server (the codec's cost is part of what is measured). A process of it that dies
 * mid-run fails the run at once.
 */
export async function startBenchStack(
  options: Pick<StackOptions, 'label' | 'parts'> & { server: TemporalServerKind; apps?: Env },
  resources: { stack?: Stack },
  { signal, fail, progress }: PartRun,
): Promise<{ stack: Stack; connection: Connection; client: Client; serverVersion: string | undefined }> {
  const worker = benchWorkerOptions();
  const logFile = join(RESULTS_DIR, `${options.label}.log`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  rmSync(logFile, { force: true });
  const stack = await startStack({
    label: options.label,
    // Every process's output, so an unexpected answer in the report can be traced to its cause afterwards.
    logFile,
    temporal: { kind: options.server },
    parts: options.parts,
    workerNodeArgs: worker.workerNodeArgs,
    env: { ...worker.env, ...(options.apps ? { apps: options.apps } : {}) },
    progress,
    signal,
    onExit: (child, code) =>
      fail(new Error(`the ${child.name} exited (code ${code}):\n${child.lastLines().join('\n')}`)),
  });
  resources.stack = stack;
  const { connection, client } = await stack.connect();
  const { serverVersion } = await connection.workflowService.getSystemInfo({});
  return { stack, connection, client, serverVersion: serverVersion ?? undefined };
}

/** `fail` ends the run at once when the worker or an app dies mid-run. */
export async function startAppStack(
  server: TemporalServerKind,
  resources: AppsResources,
  signal: AbortSignal,
  fail: (error: Error) => void,
  progress: (line: string) => void,
): Promise<AppStack> {
  const { stack, client, serverVersion } = await startBenchStack(
    {
      server,
      label: 'bench-apps',
      parts: ['worker', 'menu', 'driver'],
      apps: {
        // Plain http to 127.0.0.1: secure cookies would never be sent back.
        COOKIE_SECURE: 'false',
        // This part measures the API's own speed: one bench driver lists hundreds of times in a row, faster than a
        // person's limits allow. The limits are measured by the burst part, with their defaults.
        RATE_LIMIT_QUERIES: '100000/1s',
        RATE_LIMIT_MUTATIONS: '100000/1s',
        RATE_LIMIT_CONCURRENT: '1000',
        // Long enough that no order of the run expires while it waits.
        ORDER_PICKUP_WINDOW: OPEN_ORDER_WINDOWS.pickup,
        ORDER_DELIVERY_WINDOW: OPEN_ORDER_WINDOWS.delivery,
      },
    },
    resources,
    { signal, fail, progress },
  );
  return {
    client,
    serverPids: stack.temporal.serverPids(),
    serverVersion,
    orderWorker: stack.workers[0]!.process,
    menu: stack.app('menu'),
    driver: stack.app('driver'),
    createDriver: (username, name) => stack.createDriver(username, name),
  };
}
