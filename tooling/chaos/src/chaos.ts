import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { workerDataConverter } from '@durable-delivery/codec';
import { startStack, type Stack } from '@durable-delivery/stack';
import { type TemporalServerKind } from '@durable-delivery/temporal-cluster';
import { temporalWorkerTelemetry } from '@durable-delivery/telemetry/temporal-worker';
import {
  cancelUpdate,
  checkout,
  deliverUpdate,
  getStatusQuery,
  orderWorkflowId,
  pickUpUpdate,
  rateUpdate,
  type OrderStatus,
  type OrderWorkflow,
} from '@durable-delivery/workflows';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { planOrders, EXPECTED_STATE, type PlannedOrder } from './plan';

export interface ChaosOptions {
  /** The dev server, or the full Temporal server on PostgreSQL. */
  readonly server: TemporalServerKind;
  readonly orders: number;
  /** Seconds between injected faults. */
  readonly faultEverySeconds: number;
  /** Milliseconds between order starts. */
  readonly paceMs: number;
  /** The whole run must finish within this, faults and reconciliation included. */
  readonly timeoutSeconds: number;
  readonly log?: (line: string) => void;
}

export interface ChaosReport {
  readonly ok: boolean;
  readonly server: TemporalServerKind;
  readonly orders: number;
  readonly seconds: number;
  readonly faults: { workerKills: number; serverRestarts: number; paymentOutages: number };
  readonly finalStates: Record<string, number>;
  readonly checks: Record<string, { ok: boolean; detail: string }>;
  readonly mismatches: string[];
}

const REPO = resolve(__dirname, '../../..');

/**
 * Drives orders through the real stack — a Temporal server (the file-backed dev server, or the full server on
 * PostgreSQL), payment and notification services, two worker processes — with simulated customers and drivers, while
 * a fault loop SIGKILLs workers, restarts the Temporal server and takes the payment service down and back. Then it
 * reconciles everything against the services' own records. The workers know the server only by TEMPORAL_ADDRESS and
 * TEMPORAL_NAMESPACE.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const deadline = started + options.timeoutSeconds * 1000;
  const runId = `${Date.now().toString(36)}`;
  const faults = { workerKills: 0, serverRestarts: 0, paymentOutages: 0 };
  let stack: Stack | undefined;
  let stopFaults = false;
  let faultLoop: Promise<void> = Promise.resolve();

  try {
    // Encrypted, as in production; this process reads statuses and histories with the stack's key.
    stack = await startStack({
      label: 'chaos',
      temporal: { kind: options.server },
      parts: ['payments', 'notifications', 'worker'],
      workers: 2,
      env: { worker: { PAYMENTS_TIMEOUT: '3s', WORKER_LOG_LEVEL: 'ERROR' } },
    });
    const { temporal, workers, urls } = stack;
    const paymentsUrl = urls.payments ?? '';
    const notificationsUrl = urls.notifications ?? '';
    const { client } = await stack.connect();
    log(
      `stack up: ${options.server} Temporal server ${temporal.address}, payments ${paymentsUrl}, ` +
        `notifications ${notificationsUrl}, ${workers.length} workers`,
    );

    faultLoop = (async () => {
      let round = 0;
      // Every kind of fault at least once, even when the orders close before the third comes round (a quick run
      // on a quiet machine once ended with no payment outage).
      const done = () => stopFaults && round >= 3;
      while (!done() && Date.now() < deadline) {
        await sleep(options.faultEverySeconds * 1000);
        if (done()) break;
        const kind = round++ % 3;
        if (kind === 0) {
          const victim = workers[round % 2]!.process;
          log(`fault: SIGKILL ${victim.name}`);
          await victim.kill();
          faults.workerKills += 1;
          await sleep(1000);
          await victim.start();
        } else if (kind === 1) {
          log('fault: restarting the Temporal server');
          await temporal.restart();
          faults.serverRestarts += 1;
        } else {
          log('fault: payment service outage');
          await setPaymentOutage(stack, true);
          faults.paymentOutages += 1;
          await sleep(3_000);
          await setPaymentOutage(stack, false);
        }
      }
    })();

    const plan = planOrders(options.orders, runId);
    // Customers and drivers act at once, a few at a time, each order from checkout to its planned end.
    let next = 0;
    // Orders start at a steady pace, so the faults land all through the run rather than after it.
    const actors = Array.from({ length: Math.min(8, plan.length) }, async () => {
      while (next < plan.length) {
        const order = plan[next++]!;
        await sleep(Math.max(0, started + next * options.paceMs - Date.now()));
        await drive(client, order, deadline);
      }
    });
    await Promise.all(actors);
    log('every order driven; waiting for every workflow to close');
    await waitForAllClosed(client, plan, deadline);
    stopFaults = true;
    await faultLoop;
    // Reconcile on a quiet stack: no fault may be mid-flight while the records are read.
    await setPaymentOutage(stack, false);
    const report = await reconcile(client, plan, stack, workerDataConverter(stack.encryption));
    return {
      ...report,
      server: options.server,
      orders: plan.length,
      seconds: Math.round((Date.now() - started) / 1000),
      faults,
    };
  } finally {
    stopFaults = true;
    await faultLoop.catch(() => undefined);
    await stack?.stop();
  }
}

async function setPaymentOutage(stack: Stack, outage: boolean): Promise<void> {
  const response = await stack.callService('payments', '/v1/faults', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outage }),
  });
  if (!response.ok) throw new Error(`could not set the payment outage: ${response.status}`);
}

/**
 * Retries a call through restarts and dropped connections until it gets an answer. A rejected update is an
 * answer (the workflow said no), so is a workflow that has closed, and so is anything after the deadline. A
 * checkout whose start had not reached the server when its wait gave up (CheckoutUnconfirmedError) is retried with
 * the same id, as it says.
 */
async function persist<T>(call: () => Promise<T>, deadline: number): Promise<T> {
  for (let delay = 200; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await call();
    } catch (error) {
      const answered = error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError;
      if (answered || Date.now() > deadline) throw error;
      await sleep(delay);
    }
  }
}

async function drive(client: Client, order: PlannedOrder, deadline: number): Promise<void> {
  const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(order.input.orderId));
  const status = () => persist(() => handle.query(getStatusQuery), deadline);
  // Checkout may be cut off by a restart; the same order id makes the retry find the same order.
  await persist(() => checkout(client, order.input, { waitUpTo: 5_000 }), deadline);
  const settled = await until(status, (current) => current.state !== 'charging', deadline);
  if (order.fate === 'declined' || settled.state !== 'paid' || order.fate === 'notPickedUp') return;

  const driverId = `driver-${order.input.orderId}`;
  // Each action checks the order first: an action whose answer was lost in a restart is not sent again.
  if (order.fate === 'cancelled') {
    if ((await status()).state === 'paid') {
      await persist(() => handle.executeUpdate(cancelUpdate, { args: [{ reason: 'chaos customer' }] }), deadline).catch(
        acceptIf(async () => (await status()).cancellation !== undefined),
      );
    }
    return;
  }
  if ((await status()).state === 'paid') {
    await persist(() => handle.executeUpdate(pickUpUpdate, { args: [{ driverId }] }), deadline).catch(
      acceptIf(async () => (await status()).driverId === driverId),
    );
  }
  if ((await status()).state === 'pickedUp') {
    await persist(() => handle.executeUpdate(deliverUpdate, { args: [{ driverId }] }), deadline).catch(
      acceptIf(async () => (await status()).state === 'delivered'),
    );
  }
  if (!(await status()).rating) {
    await persist(() => handle.executeUpdate(rateUpdate, { args: [{ stars: 5 }] }), deadline).catch(
      acceptIf(async () => (await status()).rating !== undefined),
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A rejected retry is fine when the first attempt did land (its answer was lost): check the order itself. */
function acceptIf(landed: () => Promise<boolean>) {
  return async (error: unknown) => {
    if (await landed()) return;
    throw error;
  };
}

async function until(
  read: () => Promise<OrderStatus>,
  done: (status: OrderStatus) => boolean,
  deadline: number,
): Promise<OrderStatus> {
  for (;;) {
    const current = await read();
    if (done(current)) return current;
    if (Date.now() > deadline) throw new Error(`order ${current.orderId} stuck in ${current.state}`);
    await sleep(300);
  }
}

async function waitForAllClosed(client: Client, plan: readonly PlannedOrder[], deadline: number): Promise<void> {
  for (const order of plan) {
    const handle = client.workflow.getHandle(orderWorkflowId(order.input.orderId));
    for (;;) {
      const description = await persist(() => handle.describe(), deadline);
      if (description.status.name !== 'RUNNING') break;
      if (Date.now() > deadline) throw new Error(`order ${order.input.orderId} still running at the deadline`);
      await sleep(500);
    }
  }
}

interface LedgerEntry {
  readonly type: 'charge' | 'decline' | 'refund';
  readonly orderId?: string;
  readonly chargeId?: string;
  readonly id: string;
  readonly amountCents: number;
}

async function ledgerOf(stack: Stack): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  for (let after = 0; ;) {
    const page = (await (await stack.callService('payments', `/v1/ledger?after=${after}&limit=1000`)).json()) as {
      entries: LedgerEntry[];
      nextAfter?: number;
    };
    entries.push(...page.entries);
    if (page.nextAfter === undefined) return entries;
    after = page.nextAfter;
  }
}

async function reconcile(
  client: Client,
  plan: readonly PlannedOrder[],
  stack: Stack,
  replayDataConverter: DataConverter,
): Promise<Omit<ChaosReport, 'server' | 'orders' | 'seconds' | 'faults'>> {
  const mismatches: string[] = [];
  const finalStates: Record<string, number> = {};
  const ledger = await ledgerOf(stack);
  const chargesByOrder = new Map<string, LedgerEntry[]>();
  for (const entry of ledger.filter((candidate) => candidate.type === 'charge')) {
    chargesByOrder.set(entry.orderId ?? '', [...(chargesByOrder.get(entry.orderId ?? '') ?? []), entry]);
  }
  const refundsByCharge = new Map<string, LedgerEntry[]>();
  for (const entry of ledger.filter((candidate) => candidate.type === 'refund')) {
    refundsByCharge.set(entry.chargeId ?? '', [...(refundsByCharge.get(entry.chargeId ?? '') ?? []), entry]);
  }
  let duplicateNotifications = 0;
  const histories = [];

  for (const order of plan) {
    const { orderId, customerId } = order.input;
    const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(orderId));
    const status = await handle.query(getStatusQuery);
    finalStates[status.state] = (finalStates[status.state] ?? 0) + 1;
    if (status.state !== EXPECTED_STATE[order.fate]) {
      mismatches.push(`${orderId}: planned ${order.fate}, ended ${status.state}`);
    }
    const charges = chargesByOrder.get(orderId) ?? [];
    const paid = status.chargeId !== undefined;
    if (charges.length !== (paid ? 1 : 0)) {
      mismatches.push(`${orderId}: ${charges.length} charges for an order ${paid ? 'paid once' : 'never paid'}`);
    }
    const refunds = charges.flatMap((charge) => refundsByCharge.get(charge.id) ?? []);
    const shouldRefund = paid && (status.state === 'refunded' || status.state === 'cancelled');
    if (refunds.length !== (shouldRefund ? 1 : 0)) {
      mismatches.push(`${orderId}: ${refunds.length} refunds, expected ${shouldRefund ? 1 : 0} (${status.state})`);
    }
    const refunded = refunds.reduce((sum, refund) => sum + refund.amountCents, 0);
    if (shouldRefund && refunded !== charges[0]?.amountCents) {
      mismatches.push(`${orderId}: refunded ${refunded} of ${charges[0]?.amountCents} cents`);
    }

    const inbox = (await (
      await stack.callService('notifications', `/v1/customers/${customerId}/notifications?limit=500`)
    ).json()) as { notifications: { orderId: string; kind: string }[] };
    const seen = new Set<string>();
    for (const notification of inbox.notifications) {
      const key = `${notification.orderId}:${notification.kind}`;
      if (seen.has(key)) duplicateNotifications += 1;
      seen.add(key);
    }
    histories.push({ workflowId: handle.workflowId, history: await handle.fetchHistory() });
  }
  if (duplicateNotifications > 0) mismatches.push(`${duplicateNotifications} notifications delivered twice`);

  // Every history, fault-ridden as it is, must replay on the current workflow code. Replay logs only what matters.
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // A runtime exists already (a second run in one process): keep its logger.
  }
  let replayFailures = 0;
  const replays = Worker.runReplayHistories(
    // Histories are fetched as stored, encrypted; the replay decodes them with the stack's key. The bundle's tracing
    // interceptors need their sink, as on the worker (spans made while replaying are dropped).
    {
      workflowBundle: { codePath: resolve(REPO, 'apps/worker/dist/workflow-bundle.js') },
      dataConverter: replayDataConverter,
      ...temporalWorkerTelemetry(),
    },
    histories,
  );
  for await (const result of replays) {
    if (result.error) {
      replayFailures += 1;
      mismatches.push(`${result.workflowId}: replay failed: ${result.error.message}`);
    }
  }

  const chargeCount = ledger.filter((entry) => entry.type === 'charge').length;
  const refundCount = ledger.filter((entry) => entry.type === 'refund').length;
  const checks = {
    everyOrderFinal: {
      ok: plan.length === Object.values(finalStates).reduce((sum, count) => sum + count, 0),
      detail: JSON.stringify(finalStates),
    },
    oneChargePerPaidOrder: {
      ok: !mismatches.some((line) => line.includes('charges for')),
      detail: `${chargeCount} charges`,
    },
    oneRefundPerRefundedOrder: {
      ok: !mismatches.some((line) => line.includes('refund')),
      detail: `${refundCount} refunds`,
    },
    noDuplicateNotification: { ok: duplicateNotifications === 0, detail: `${duplicateNotifications} duplicates` },
    everyHistoryReplays: {
      ok: replayFailures === 0,
      detail: `${histories.length - replayFailures}/${histories.length}`,
    },
    plannedOutcomes: {
      ok: !mismatches.some((line) => line.includes('planned')),
      detail: 'each order ended as planned',
    },
  };
  return { ok: mismatches.length === 0, finalStates, checks, mismatches };
}

export function resultsDir(): string {
  const dir = resolve(REPO, 'chaos-results');
  mkdirSync(dir, { recursive: true });
  return dir;
}
