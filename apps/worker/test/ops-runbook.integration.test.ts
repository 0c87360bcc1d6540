/**
 * README.md's ops runbook, run as written: its list queries and its operator commands go through the real Temporal
 * CLI against a real dev server and the real worker process. The commands and queries are read from README.md
 * itself, so the runbook cannot drift from what works.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startProjectDevServer } from '@durable-delivery/dev-server';
import { eventually, freePort, resolveTemporalCli, type DevServer } from '@durable-delivery/temporal-server';
import {
  cancelUpdate,
  checkout,
  getStatusQuery,
  orderStartOptions,
  orderWorkflowId,
  pickUpUpdate,
  type OrderInput,
  type OrderWorkflow,
} from '@durable-delivery/workflows';
import { Client, Connection } from '@temporalio/client';
import { spawnWorker, type WorkerProcess } from './processes';

const run = promisify(execFile);
const README = readFileSync(resolve(__dirname, '../../../README.md'), 'utf8');

let server: DevServer;
let connection: Connection;
let client: Client;
let worker: WorkerProcess;
let cli: string;

beforeAll(async () => {
  const resolution = await resolveTemporalCli({ allowSdkDownload: false });
  if (resolution.kind !== 'path') throw new Error('no Temporal CLI: run `npm test`, which provisions it');
  cli = resolution.path;
  const dbFilename = join(mkdtempSync(join(tmpdir(), 'ops-runbook-')), 'dev.sqlite');
  server = await startProjectDevServer({ port: await freePort(), headless: true, dbFilename, stdio: 'ignore' });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  worker = spawnWorker({ TEMPORAL_ADDRESS: server.address });
  await worker.waitForLog('worker started');
});

afterAll(async () => {
  worker?.process.signal('SIGKILL');
  await connection?.close();
  await server?.stop();
});

/** The README section under a heading, up to the next heading of the same or a higher level (outside code). */
function section(heading: string): string {
  const lines = README.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const level = heading.indexOf(' ');
  let inCode = false;
  let end = start + 1;
  for (; end < lines.length; end++) {
    const line = lines[end] ?? '';
    if (line.startsWith('```')) inCode = !inCode;
    const headingLevel = /^(#+) /.exec(line)?.[1]?.length;
    if (!inCode && headingLevel !== undefined && headingLevel <= level) break;
  }
  return lines.slice(start + 1, end).join('\n');
}

/** The runbook's table of list queries: question → query. */
function documentedQueries(): Map<string, string> {
  const rows = [...section('### Orders that need a look').matchAll(/^\| ([^|]+?) +\| `([^`]+)` +\|$/gm)];
  return new Map(rows.map((row) => [row[1] ?? '', row[2] ?? '']));
}

/** The runbook's shell commands, continuation lines joined, comments dropped. */
function documentedCommands(): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(section('### Actions on a stuck order'))?.[1] ?? '';
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

/** Runs a README command line through bash, with `pnpm -s temporal` being the CLI this project resolved. */
async function runDocumented(command: string, replacements: Record<string, string>) {
  let line = command.replace(/^pnpm -s temporal /, '"$TEMPORAL_CLI" ');
  for (const [from, to] of Object.entries(replacements)) line = line.split(from).join(to);
  return run('bash', ['-c', line], {
    env: { ...process.env, TEMPORAL_CLI: cli, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default' },
  }).then(
    ({ stdout }) => ({ ok: true as const, output: stdout }),
    (error: { stdout?: string; stderr?: string }) => ({
      ok: false as const,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
}

/** The workflow ids a visibility query lists, through the CLI as an operator runs it. */
async function listThroughCli(query: string): Promise<string[]> {
  const { stdout } = await run(cli, ['workflow', 'list', '--query', query, '--output', 'json'], {
    env: { ...process.env, TEMPORAL_ADDRESS: server.address },
  });
  const parsed = JSON.parse(stdout.trim() || '[]') as { execution: { workflowId: string } }[];
  return parsed.map((row) => row.execution.workflowId).sort();
}

let count = 0;
function anOrder(overrides: Partial<OrderInput> = {}): OrderInput {
  count += 1;
  return {
    orderId: `ops-${Date.now()}-${count}`,
    customerId: `customer-ops-${count}`,
    items: [{ productId: 'poke', quantity: 1 }],
    deliveryAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345' },
    paymentMethod: 'tok_visa',
    // Nothing here may time out while the test looks at it.
    windows: { pickup: '1 hour', delivery: '1 hour', ratePrompt: '1 hour', rating: '1 day' },
    ...overrides,
  };
}

async function paidOrder(overrides: Partial<OrderInput> = {}) {
  const input = anOrder(overrides);
  const payment = await checkout(client, input, { waitUpTo: 60_000 });
  expect(payment.outcome).toBe(overrides.paymentMethod ? 'declined' : 'paid');
  return {
    input,
    id: orderWorkflowId(input.orderId),
    handle: client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId)),
  };
}

describe("README's ops runbook, run as written against a real dev server and worker", () => {
  it('finds the orders each documented query is for, and its actions refund, close and refuse as it says', async () => {
    const startedAt = new Date(Date.now() - 60_000);

    // One order for each question the runbook answers.
    const waiting = await paidOrder({ customerId: 'c-4f1e9a', items: [{ productId: 'burrata', quantity: 9 }] });
    const outForDelivery = await paidOrder();
    await outForDelivery.handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'dana' }] });
    const toRefund = await paidOrder();
    await toRefund.handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'eve' }] });
    const toMarkDelivered = await paidOrder();
    const cancelled = await paidOrder();
    await cancelled.handle.executeUpdate(cancelUpdate, { args: [{ reason: 'changed my mind' }] });
    const declined = await paidOrder({ paymentMethod: 'tok_chargeDeclinedInsufficientFunds' });
    // Started on a task queue no worker polls: it stays "charging", as an order does while its charge is stuck.
    const stuckInput = anOrder();
    await client.workflow.start('order', { ...orderStartOptions(stuckInput), taskQueue: 'orders-nobody-polls' });
    const stuck = orderWorkflowId(stuckInput.orderId);

    // The actions, exactly as the runbook writes them.
    const [refundAndClose, markDelivered] = documentedCommands();
    expect(refundAndClose).toContain('--name refundAndClose');
    expect(markDelivered).toContain('--name markDelivered');

    const refunded = await runDocumented(refundAndClose ?? '', { 'order-42': toRefund.id });
    expect(refunded).toMatchObject({ ok: true });
    const refundedStatus = await toRefund.handle.query(getStatusQuery);
    expect(refundedStatus.state).toBe('refunded');
    expect(refundedStatus.refundedCents).toBe(refundedStatus.totalCents);
    expect(refundedStatus.operatorActions).toEqual([
      {
        action: 'refundAndClose',
        operator: 'you@example.com',
        reason: 'Your driver could not reach you; refunded in full',
        at: expect.any(String),
      },
    ]);

    const delivered = await runDocumented(markDelivered ?? '', { 'order-43': toMarkDelivered.id });
    expect(delivered).toMatchObject({ ok: true });
    const deliveredStatus = await toMarkDelivered.handle.query(getStatusQuery);
    expect(deliveredStatus).toMatchObject({ state: 'delivered', driverId: 'dana' });

    // The same action again does not fit any more: refused with the reason, and the command fails.
    const again = await runDocumented(markDelivered ?? '', { 'order-43': toMarkDelivered.id });
    expect(again.ok).toBe(false);
    expect(again.output).toContain(
      `Cannot mark order ${toMarkDelivered.input.orderId} delivered: it was already delivered.`,
    );

    // Every documented query, with its example times replaced: "older than" queries get a time after these orders
    // were made (so they qualify), "today" queries a time before; the opposite time must exclude them.
    const queries = documentedQueries();
    const expected: Record<string, string[]> = {
      'Waiting for pickup longer than ten minutes': [waiting.id],
      'Still charging after five minutes': [stuck],
      'Out for delivery, by driver': [outForDelivery.id],
      'Every order of a driver': [outForDelivery.id, toMarkDelivered.id],
      'Every order of a customer': [waiting.id],
      'Refunds today (windows, cancels, operators)': [cancelled.id, toRefund.id],
      'Failed payments today': [declined.id],
      'Large open orders': [waiting.id],
    };
    expect([...queries.keys()].sort()).toEqual(Object.keys(expected).sort());
    const later = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const earlier = startedAt.toISOString().replace(/\.\d+Z$/, 'Z');
    for (const [question, query] of queries) {
      const olderThan = /OrderStateSince < '/.test(query);
      const at = (time: string) => query.replace(/'\d{4}-\d\d-\d\dT[\d:]+Z'/g, `'${time}'`);
      const want = (expected[question] ?? []).slice().sort();
      await eventually(async () => {
        const got = await listThroughCli(at(olderThan ? later : earlier));
        return JSON.stringify(got) === JSON.stringify(want) ? got : undefined;
      }).catch(async () => {
        throw new Error(
          `"${question}" listed ${JSON.stringify(await listThroughCli(at(olderThan ? later : earlier)))}, expected ${JSON.stringify(want)}`,
        );
      });
      if (/'\d{4}-/.test(query)) {
        expect(await listThroughCli(at(olderThan ? earlier : later))).toEqual([]);
      }
    }

    await client.workflow.getHandle(stuck).terminate('test finished');
  });
});
