/**
 * The reader's Temporal CLI pages, run as written against a real dev server and the real worker process: the ops
 * runbook (docs/operations.md: its list queries and its operator commands) and the walkthrough of one order
 * (docs/cli.md: start, checkout's early return, pick-up, a second driver refused, delivery, the status query, the
 * rating, lists by search attribute). The commands and queries are read from the pages themselves and run through
 * `npm run -s temporal --` from the repository's root, exactly as a reader types them, so the pages cannot drift
 * from what works.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
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
const REPO = resolve(__dirname, '../../..');
const RUNBOOK_PAGE = 'docs/operations.md';
const WALKTHROUGH_PAGE = 'docs/cli.md';
const page = (path: string) => readFileSync(join(REPO, path), 'utf8');

let server: DevServer;
let connection: Connection;
let client: Client;
let worker: WorkerProcess;
let cli: string;

beforeAll(async () => {
  const resolution = await resolveTemporalCli({ allowSdkDownload: false });
  if (resolution.kind !== 'path') throw new Error('no Temporal CLI: run `npm test`, which provisions it');
  cli = resolution.path;
  const dbFilename = join(tempDir('ops-runbook-'), 'dev.sqlite');
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

/** A page's section under a heading, up to the next heading of the same or a higher level (outside code). */
function section(path: string, heading: string): string {
  const lines = page(path).split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`${path} has no "${heading}" section`);
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
  const rows = [...section(RUNBOOK_PAGE, '### Orders that need a look').matchAll(/^\| ([^|]+?) +\| `([^`]+)` +\|$/gm)];
  return new Map(rows.map((row) => [row[1] ?? '', row[2] ?? '']));
}

interface DocumentedCommand {
  /** The command as written, continuation lines included. */
  readonly command: string;
  /** The refusal a `#   → …` comment right after it says the command answers with (it then fails). */
  readonly refusedWith?: string;
}

/**
 * The shell commands of a section's first `sh` block, in order: a line ending in `\` or inside an open quote goes on
 * with the next one; comments are dropped, but a `#   → message` comment is kept as the refusal of the command above.
 */
function documentedCommands(path: string, heading: string): DocumentedCommand[] {
  const block = /```sh\n([\s\S]*?)```/.exec(heading ? section(path, heading) : page(path))?.[1] ?? '';
  const commands: { command: string; refusedWith?: string }[] = [];
  let pending: string | undefined;
  for (const line of block.split('\n')) {
    if (pending === undefined) {
      const refusal = /^#\s+→\s+(.*)$/.exec(line.trim());
      const last = commands[commands.length - 1];
      if (refusal && last) last.refusedWith = refusal[1];
      if (line.trim() === '' || line.trim().startsWith('#')) continue;
    }
    pending = pending === undefined ? line : `${pending}\n${line}`;
    if (line.endsWith('\\') || (pending.match(/'/g)?.length ?? 0) % 2 === 1) continue;
    commands.push({ command: pending });
    pending = undefined;
  }
  return commands;
}

/** The CLI as a reader runs it from the repository's root: the npm script of the root package.json. */
const NPM_CLI = 'npm run -s temporal -- ';

/**
 * Runs a documented command line through bash at the repository's root, as written (after the replacements): npm,
 * the root package's `temporal` script, and the Temporal CLI this project resolved, on the test's dev server.
 */
async function runDocumented(command: string, replacements: Record<string, string> = {}) {
  expect(command.startsWith(NPM_CLI)).toBe(true);
  let line = command;
  for (const [from, to] of Object.entries(replacements)) line = line.split(from).join(to);
  // npm's own settings from the jest run (pnpm's, npx's) are not the reader's: the command gets a plain environment.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  delete env.TEMPORAL_CODEC_ENDPOINT;
  delete env.TEMPORAL_CODEC_AUTH;
  return run('bash', ['-c', line], {
    cwd: REPO,
    env: {
      ...env,
      npm_config_update_notifier: 'false',
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: 'default',
    },
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

describe("docs/operations.md's ops runbook, run as written against a real dev server and worker", () => {
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
    const [refundAndClose, markDelivered] = documentedCommands(RUNBOOK_PAGE, '### Actions on a stuck order').map(
      ({ command }) => command,
    );
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

// After the runbook's test in this file (jest runs them in order): the walkthrough's driver, dana, would otherwise be
// one more order in the runbook's "every order of a driver".
describe("docs/cli.md's walkthrough of one order, run as written against a real dev server and worker", () => {
  it('starts, pays, is picked up (a second driver refused with the reason), delivered, queried, rated and listed', async () => {
    const commands = documentedCommands(WALKTHROUGH_PAGE, '');
    // The page first points the CLI at the codec server, for `npm run dev`'s encrypted payloads. The worker here runs
    // without encryption (no PAYLOAD_ENCRYPTION_KEYS) and no codec server runs, so the commands go without it.
    expect(commands[0]?.command).toMatch(/^export TEMPORAL_CODEC_ENDPOINT=\S+ TEMPORAL_CODEC_AUTH=/);
    const steps = commands.slice(1);
    const names = steps.map(({ command }) => /--name (\w+)|workflow (start|list)/.exec(command)?.slice(1).join(''));
    expect(names).toEqual([
      'start',
      'waitForPayment',
      'pickUp',
      'pickUp',
      'deliver',
      'getStatus',
      'rate',
      'list',
      'list',
    ]);

    const outputs: string[] = [];
    for (const { command, refusedWith } of steps) {
      const result = await runDocumented(command);
      if (refusedWith) {
        expect({ command, ok: result.ok }).toEqual({ command, ok: false });
        expect(result.output).toContain(refusedWith);
      } else {
        expect({ command, ok: result.ok, output: result.output }).toEqual({
          command,
          ok: true,
          output: expect.any(String),
        });
      }
      outputs.push(result.output);
    }
    // The second pickUp is the refused one, and the page says why.
    expect(steps[3]?.refusedWith).toBe('Cannot pick up order 42: it was already picked up by driver dana.');
    expect(outputs[1]).toContain('paid');
    expect(outputs[5]).toContain('delivered');

    // The order ran its whole course on the worker: delivered by dana, rated, and then it completed.
    const handle = client.workflow.getHandle<OrderWorkflow>('order-42');
    const final = await handle.result();
    expect(final).toMatchObject({ orderId: '42', state: 'delivered', driverId: 'dana', rating: { stars: 5 } });
    // Lists by search attribute see it too, now that it is delivered.
    await eventually(async () => {
      const ids = await listThroughCli("DriverId = 'dana' AND OrderState = 'delivered'");
      return ids.includes('order-42') ? ids : undefined;
    });
  });
});
