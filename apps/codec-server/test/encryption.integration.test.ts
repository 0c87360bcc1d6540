import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { ENCRYPTED_ENCODING, encryptionKeyIdOf, parseEncryptionKeys } from '@durable-delivery/codec';
import {
  createCallerFactory,
  createContext,
  customerAppRouter,
  driverAppRouter,
  type Context,
} from '@durable-delivery/api';
import { loadAppConfig, temporalClient, type AppConfig } from '@durable-delivery/api/server';
import { startProjectDevServer } from '@durable-delivery/dev-server';
import { eventually, freePort, resolveTemporalCli, type DevServer } from '@durable-delivery/temporal-server';
import { ORDER_WORKFLOW_TYPE, getStatusQuery, orderStartOptions, orderWorkflowId } from '@durable-delivery/workflows';
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { FastifyInstance } from 'fastify';
import { buildCodecServer } from '../src';

// The whole path an order's data takes, on real processes: the API's client writes the order, the real worker
// process (encryption on) runs it, the raw history is read with a client that has no codec, and operators decode it
// through the codec server (over HTTP, and with the real Temporal CLI). Then the keys are rotated mid-order.
const key = () => randomBytes(32).toString('base64');
const OLD = `2026-06=${key()}`;
const NEW = `2026-12=${key()}`;
const TOKEN = randomBytes(32).toString('base64');
const WORKER_MAIN = require.resolve('@durable-delivery/worker');

const customer = { id: `c-${randomBytes(6).toString('hex')}`, name: 'Ada Lovelace' };
const PRIVATE = ['1 Main St', 'Springfield', '12345', 'Ring twice', 'Ada Lovelace', 'tok_visa', 'Burrata', 'Poke'];

let server: DevServer;
let connection: Connection;
/** A client without the codec: what anyone with access to the Temporal server sees. */
let raw: Client;
let codecServer: FastifyInstance;
let codecUrl: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  const dbFilename = join(tempDir('codec-it-'), 'dev.sqlite');
  server = await startProjectDevServer({ port: await freePort(), headless: true, dbFilename, stdio: 'ignore' });
  connection = await Connection.connect({ address: server.address });
  raw = new Client({ connection });
  codecServer = buildCodecServer({
    keyring: parseEncryptionKeys(`${NEW},${OLD}`),
    token: TOKEN,
    allowedOrigins: ['http://127.0.0.1:8233'],
    secureCookies: false,
  });
  codecUrl = await codecServer.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await codecServer?.close();
  await connection?.close();
  await server?.stop();
});

function appConfig(keys: string): AppConfig {
  return loadAppConfig({
    SESSION_SECRET: randomBytes(32).toString('base64'),
    TEMPORAL_ADDRESS: server.address,
    PAYLOAD_ENCRYPTION_KEYS: keys,
    ORDER_PICKUP_WINDOW: '10 minutes',
    ORDER_RATE_PROMPT_DELAY: '1 second',
    ORDER_RATING_WINDOW: '1 second',
  });
}

function callers(temporalClientOfApp: Client, config: AppConfig) {
  const context = (extra: Partial<Context>) =>
    createContext({ temporal: temporalClientOfApp, orderWindows: config.orderWindows, ...extra });
  return {
    customer: createCallerFactory(customerAppRouter)(context({ customer })),
    driver: createCallerFactory(driverAppRouter)(context({ driver: { id: 'd-dana', name: 'Dana' } })),
  };
}

/** The built worker, as deployed, with these keys; resolves once it polls. */
async function startWorker(keys: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TEMPORAL_ADDRESS: server.address,
      PAYLOAD_ENCRYPTION_KEYS: keys,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        if (line.includes('"message":"worker started"')) resolve();
      });
    }
    child.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${output.join('\n')}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Runs a command to its end; never throws, so a test can assert on a failure. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The history as JSON with every bytes field as raw text, so any plaintext in any payload shows up as itself. (The
 * proto messages' own toJSON would turn bytes into base64, which hides plaintext from a text search.)
 */
function exportHistory(history: temporal.api.history.v1.IHistory): string {
  const plain = (value: unknown): unknown => {
    if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
    if (Array.isArray(value)) return value.map(plain);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([name, child]) => [name, plain(child)]));
    }
    return value;
  };
  return JSON.stringify(plain(history));
}

/**
 * Every payload in the history but the two kinds the SDK writes past the codec, and which carry no customer data
 * (see docs/security.md): search attributes, and the bookkeeping of a local activity's marker (its sequence number, activity
 * type and times, under `details.data`; the activity's result, under `details.result`, is encrypted).
 */
function payloadsOf(history: temporal.api.history.v1.IHistory): Payload[] {
  const found: Payload[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (value instanceof Uint8Array || value === null || typeof value !== 'object') return;
    if ('data' in value && 'metadata' in value && (value as Payload).metadata?.encoding) {
      // Left in plain on purpose, none holding customer data: the SDK core's own marker payloads (a local activity's
      // bookkeeping, a patch's id), which core writes outside the payload codec, and the tracing interceptors' header
      // (`_tracer-data`: the W3C trace context), which headers carry unencoded.
      const where = path.join('.');
      const bookkeeping =
        /markerRecordedEventAttributes\.details\.(data|patch-data)\./.test(where) ||
        /header\.fields\._tracer-data$/.test(where);
      if (!bookkeeping) found.push(value as Payload);
      return;
    }
    for (const [name, child] of Object.entries(value)) if (name !== 'searchAttributes') walk(child, [...path, name]);
  };
  walk(history, []);
  return found;
}

const toJson = (payload: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value ?? []).toString('base64')]),
  ),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

const orderForm = (orderId: string, paymentMethod: string) => ({
  orderId,
  customerName: customer.name,
  items: [
    { productId: 'burrata', quantity: 2 },
    { productId: 'poke', quantity: 1 },
  ],
  deliveryAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345', instructions: 'Ring twice' },
  paymentMethod,
});

describe('payload encryption on the real stack', () => {
  const paidOrder = `enc-${Date.now()}-paid`;
  const declinedOrder = `enc-${Date.now()}-declined`;
  const summarizedOrder = `enc-${Date.now()}-summarized`;
  let oldConfig: AppConfig;
  let worker: ChildProcess;

  it('keeps the address, the name, the card and the dishes out of a raw history export', async () => {
    worker = await startWorker(OLD);
    oldConfig = appConfig(OLD);
    // The API's own client, as the apps build it.
    const api = callers(await temporalClient(oldConfig), oldConfig);
    const paid = await api.customer.orders.createOrder(orderForm(paidOrder, 'tok_visa'));
    expect(paid.outcome).toBe('paid');
    // A declined card: the failure's message is read back through the client that decodes it.
    const declined = await api.customer.orders.createOrder(
      orderForm(declinedOrder, 'tok_chargeDeclinedInsufficientFunds'),
    );
    expect(declined.outcome).toBe('declined');
    expect(declined.reason).toMatch(/insufficient funds/i);
    // Workflow user metadata (the Web UI's summary and details) goes through the codec too.
    await (
      await temporalClient(oldConfig)
    ).workflow.start(ORDER_WORKFLOW_TYPE, {
      ...orderStartOptions({ ...orderForm(summarizedOrder, 'tok_visa'), customerId: customer.id }),
      staticSummary: '2× Burrata · $24.00 · Ada Lovelace',
      staticDetails: 'Deliver to 1 Main St, Springfield',
    });

    for (const orderId of [paidOrder, declinedOrder, summarizedOrder]) {
      const history = await raw.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory();
      const exported = exportHistory(history);
      for (const text of PRIVATE) expect(exported).not.toContain(text);
      expect(exported).not.toMatch(/insufficient funds/i);
      // Not vacuous: the payloads are there, encrypted under the current key.
      const payloads = payloadsOf(history);
      expect(payloads.length).toBeGreaterThan(3);
      for (const payload of payloads) expect(encryptionKeyIdOf(payload)).toBe('2026-06');
      // Search attributes stay readable (they hold no personal data), so lists and queries still work.
      expect(exported).toContain(customer.id);
    }
    const summarized = await raw.workflow.getHandle(orderWorkflowId(summarizedOrder)).fetchHistory();
    const userMetadata = summarized.events?.[0]?.userMetadata;
    expect(
      [userMetadata?.summary, userMetadata?.details].map((payload) => payload && encryptionKeyIdOf(payload)),
    ).toEqual(['2026-06', '2026-06']);
    const declinedHistory = exportHistory(await raw.workflow.getHandle(orderWorkflowId(declinedOrder)).fetchHistory());
    expect(declinedHistory).toContain('Encoded failure');

    // Without the codec, nothing reads the order's status either.
    await expect(raw.workflow.getHandle(orderWorkflowId(paidOrder)).query(getStatusQuery)).rejects.toThrow(
      /binary\/encrypted/,
    );
  });

  it('decodes the same history through the codec server over HTTP', async () => {
    const history = await raw.workflow.getHandle(orderWorkflowId(paidOrder)).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const encoded = [...(started?.input?.payloads ?? []), started?.memo?.fields?.order].filter(
      (payload): payload is Payload => payload !== undefined && payload !== null,
    );
    expect(encoded.map((payload) => Buffer.from(payload.metadata?.encoding ?? []).toString())).toEqual([
      ENCRYPTED_ENCODING,
      ENCRYPTED_ENCODING,
    ]);
    const response = await fetch(`${codecUrl}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ payloads: encoded.map(toJson) }),
    });
    expect(response.status).toBe(200);
    const { payloads } = (await response.json()) as { payloads: { data: string }[] };
    const [input, memo] = payloads.map(
      (payload) => JSON.parse(Buffer.from(payload.data, 'base64').toString()) as Record<string, unknown>,
    );
    expect(input).toMatchObject({
      orderId: paidOrder,
      customerName: 'Ada Lovelace',
      paymentMethod: 'tok_visa',
      deliveryAddress: { street: '1 Main St', city: 'Springfield' },
    });
    expect(memo).toMatchObject({ dishes: '2× Burrata, Poke', customerName: 'Ada Lovelace' });

    const refused = await fetch(`${codecUrl}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payloads: encoded.map(toJson) }),
    });
    expect(refused.status).toBe(401);
  });

  it('shows the decoded input in `temporal workflow show` with --codec-auth, and fails without it', async () => {
    const cli = await resolveTemporalCli({ allowSdkDownload: false });
    if (cli.kind !== 'path') throw new Error('the Temporal CLI is needed for this test');
    const show = ['workflow', 'show', '--address', server.address, '--workflow-id', orderWorkflowId(paidOrder)];
    const codec = ['--codec-endpoint', codecUrl, '--output', 'json'];
    const decoded = await run(cli.path, [...show, ...codec, '--codec-auth', `Bearer ${TOKEN}`]);
    expect(decoded.stderr).toBe('');
    expect(decoded.code).toBe(0);
    const shown = JSON.parse(decoded.stdout) as temporal.api.history.v1.IHistory & {
      events: { workflowExecutionStartedEventAttributes?: { input: { payloads: { data: string }[] } } }[];
    };
    const input = shown.events[0]?.workflowExecutionStartedEventAttributes?.input.payloads[0]?.data ?? '';
    expect(JSON.parse(Buffer.from(input, 'base64').toString())).toMatchObject({
      orderId: paidOrder,
      deliveryAddress: { street: '1 Main St', city: 'Springfield' },
    });
    // Without the token the codec server answers 401 and the CLI gives up, showing nothing.
    const refused = await run(cli.path, [...show, ...codec]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).not.toContain(orderWorkflowId(paidOrder));
  });

  // The bound below is on a hang, not a speed goal: this test restarts the worker and bundles the workflows twice
  // for its replays, which took over two minutes on a new machine busy with other builds.
  it(
    'after a key rotation, reads the order written under the old key and writes new payloads under the new key',
    async () => {
      await stop(worker);
      worker = await startWorker(`${NEW},${OLD}`);
      const rotated = appConfig(`${NEW},${OLD}`);
      const rotatedClient = new Client({ connection, dataConverter: rotated.encryption.dataConverter });
      const api = callers(rotatedClient, rotated);
      // The driver lists read the (encrypted) memo straight from visibility, and show it decrypted: the waiting
      // list its area and dishes, the list of the driver who picked the order up its name and street too.
      const waiting = await eventually(async () => {
        const page = await api.driver.deliveries.waiting({ limit: 50 });
        return page.orders.find((order) => order.orderId === paidOrder);
      });
      expect(waiting).toMatchObject({
        dishes: '2× Burrata, Poke',
        area: { postalCode: '12345', city: 'Springfield' },
      });
      await api.driver.deliveries.pickUp({ orderId: paidOrder });
      const mine = await eventually(async () => {
        const page = await api.driver.deliveries.mine({ limit: 50 });
        return page.orders.find((order) => order.orderId === paidOrder);
      });
      expect(mine).toMatchObject({ customerName: 'Ada Lovelace', deliveryAddress: { street: '1 Main St' } });
      // The API's error mapping still reads the workflow's (encrypted) rejection: a second pick-up is a CONFLICT.
      await expect(api.driver.deliveries.pickUp({ orderId: paidOrder })).rejects.toMatchObject({ code: 'CONFLICT' });
      await api.driver.deliveries.deliver({ orderId: paidOrder });
      const status = await api.customer.orders.order({ orderId: paidOrder });
      expect(status).toMatchObject({ state: 'delivered', deliveryAddress: { street: '1 Main St' } });

      const history = await raw.workflow.getHandle(orderWorkflowId(paidOrder)).fetchHistory();
      const keyIds = payloadsOf(history).map(encryptionKeyIdOf);
      expect(keyIds[0]).toBe('2026-06');
      expect(new Set(keyIds)).toEqual(new Set(['2026-06', '2026-12']));
      expect(keyIds.lastIndexOf('2026-06')).toBeLessThan(keyIds.indexOf('2026-12'));

      // A process still on the old keys cannot read the new payloads, and says which key it lacks.
      await expect(
        (await temporalClient(oldConfig)).workflow.getHandle(orderWorkflowId(paidOrder)).query(getStatusQuery),
      ).rejects.toThrow(/encrypted with key "2026-12", which is not in PAYLOAD_ENCRYPTION_KEYS/);

      // `pnpm replay` decodes the history (both keys) to replay it; without the keys it names the one missing.
      const replay = join(dirname(WORKER_MAIN), 'replay.js');
      const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TEMPORAL_ADDRESS: server.address };
      const replayed = await run(process.execPath, [replay, paidOrder], {
        ...env,
        PAYLOAD_ENCRYPTION_KEYS: `${NEW},${OLD}`,
      });
      expect(replayed.stdout).toContain(`OK: ${orderWorkflowId(paidOrder)} replays`);
      expect(replayed.code).toBe(0);
      const keyless = await run(process.execPath, [replay, paidOrder], env);
      expect(keyless.code).toBe(1);
      expect(keyless.stderr).toMatch(/encrypted with key "2026-(06|12)"/);
    },
    5 * 60_000,
  );
});
