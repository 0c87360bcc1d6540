import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { freePort } from '@durable-delivery/temporal-server';
import type { FastifyInstance } from 'fastify';
import { Client } from 'pg';
import { PostgresInbox, buildNotificationService, pruneNotifications, type Notification } from '../src';
import { CHANNEL, LISTENER_NAME } from '../src/postgres-inbox';
import { API_KEY, AUTH, aNotification, openStream, sendTo, startTestPostgres, type TestPostgres } from './helpers';

// Two replicas of the service, over real HTTP, sharing one database of a real PostgreSQL server.

const DATABASE = 'inbox_replicas';

interface Replica {
  readonly inbox: PostgresInbox;
  readonly app: FastifyInstance;
  readonly url: string;
}

let postgres: TestPostgres | undefined;
/** The test's own superuser connection, to the server's `postgres` database: it plays the operator and the races. */
let admin: Client;
let a: Replica;
let b: Replica;

async function startReplica(): Promise<Replica> {
  const inbox = await PostgresInbox.open(postgres!.url(DATABASE));
  const app = buildNotificationService({ inbox, apiKey: API_KEY });
  return { inbox, app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

beforeAll(async () => {
  postgres = await startTestPostgres();
  admin = new Client({ connectionString: postgres.url('postgres') });
  await admin.connect();
  // Started together: both create the database and the schema if missing, at the same time.
  [a, b] = await Promise.all([startReplica(), startReplica()]);
}, 120_000);

afterAll(async () => {
  for (const replica of [a, b]) {
    if (!replica) continue;
    replica.app.server.closeAllConnections();
    await replica.app.close();
    await replica.inbox.close();
  }
  await admin?.end();
  await postgres?.stop();
});

/** Polls (bounded) until the condition holds. */
async function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting until ${what}`);
}

const readiness = async (replica: Replica) => (await fetch(`${replica.url}/readyz`)).status;

/** Sessions of the replicas blocked on a lock right now. */
async function waitingOnLocks(): Promise<number> {
  const { rows } = await admin.query<{ waiting: number }>(
    `SELECT count(*)::int AS waiting FROM pg_stat_activity
      WHERE datname = $1 AND application_name = 'notifications' AND wait_event_type = 'Lock'`,
    [DATABASE],
  );
  return rows[0]!.waiting;
}

async function nextMessages(stream: Awaited<ReturnType<typeof openStream>>, count: number): Promise<Notification[]> {
  const received: Notification[] = [];
  while (received.length < count) received.push((await stream.next()).notification);
  return received;
}

it('streams to a customer on one replica, in order and once each, what is posted through either', async () => {
  const customer = 'c-fanout';
  const onA = await openStream(`${a.url}/v1/customers/${customer}/stream`);
  const onB = await openStream(`${b.url}/v1/customers/${customer}/stream`);
  // Twenty at once, alternately through each replica: their transactions overlap.
  const messages = Array.from({ length: 20 }, (_, index) => `update ${index}`);
  const answers = await Promise.all(
    messages.map((message, index) =>
      sendTo((index % 2 ? a : b).url, `fanout-${index}`, aNotification(customer, message)),
    ),
  );
  expect(answers.map((answer) => answer.status)).toEqual(messages.map(() => 201));
  const stored = await a.inbox.list(customer, 0, 100);
  expect(stored.map(({ message }) => message).sort()).toEqual([...messages].sort());
  // Each stream, whichever replica holds it: the inbox's order, nothing missing, nothing twice.
  expect(await nextMessages(onA, stored.length)).toEqual(stored);
  expect(await nextMessages(onB, stored.length)).toEqual(stored);
  expect((await sendTo(b.url, 'fanout-last', aNotification(customer, 'last'))).status).toBe(201);
  for (const stream of [onA, onB]) expect((await stream.next()).notification.message).toBe('last');
  onA.close();
  onB.close();
});

it('stores one notification for one key posted to both replicas at once; another body for it is refused', async () => {
  const customer = 'c-both';
  for (let index = 0; index < 10; index++) {
    const body = aNotification(customer, `update ${index}`);
    const answers = await Promise.all([a, b].map((replica) => sendTo(replica.url, `both-${index}`, body)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 201]);
    const [first, second] = (await Promise.all(answers.map((answer) => answer.json()))) as Notification[];
    expect(first).toEqual(second);
  }
  expect(await a.inbox.list(customer, 0, 100)).toHaveLength(10);

  const answers = await Promise.all(
    [a, b].map((replica, index) => sendTo(replica.url, 'both-reused', aNotification(customer, `version ${index}`))),
  );
  expect(answers.map((answer) => answer.status).sort()).toEqual([201, 422]);
  expect(await b.inbox.list(customer, 0, 100)).toHaveLength(11);
});

it('never lets a stream skip a notification whose transaction commits after a later one', async () => {
  const customer = 'c-race';
  const stream = await openStream(`${a.url}/v1/customers/${customer}/stream`);
  // An uncommitted row holds the first key: the replica posting it takes its sequence number, then waits on it.
  const blocker = new Client({ connectionString: postgres!.url(DATABASE) });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query(
    `INSERT INTO notifications (id, idempotency_key, fingerprint, customer_id, kind, message)
     VALUES ('nt_blocker', 'race-first', 'held', $1, 'pickedUp', 'held')`,
    [customer],
  );
  const first = sendTo(a.url, 'race-first', aNotification(customer, 'first'));
  await until('the first post waits on the held key', async () => (await waitingOnLocks()) >= 1);
  // The second, through the other replica, must not become visible before the first (with a higher number).
  let secondAnswered = false;
  const second = sendTo(b.url, 'race-second', aNotification(customer, 'second')).finally(() => {
    secondAnswered = true;
  });
  await until(
    'the second post is stored or waits its turn',
    async () => secondAnswered || (await waitingOnLocks()) >= 2,
  );
  await blocker.query('ROLLBACK');
  await blocker.end();
  expect([(await first).status, (await second).status]).toEqual([201, 201]);
  expect((await sendTo(b.url, 'race-third', aNotification(customer, 'third'))).status).toBe(201);
  // Read up to the third: a skipped first would show as a missing event here, not as a wait.
  const received: Notification[] = [];
  while (received.at(-1)?.message !== 'third') received.push((await stream.next()).notification);
  stream.close();
  expect(received.map(({ message }) => message)).toEqual(['first', 'second', 'third']);
  expect(received).toEqual(await a.inbox.list(customer, 0, 100));
});

it('delivers what was stored while its listening connection was down, once it is back', async () => {
  const customer = 'c-reconnect';
  const stream = await openStream(`${a.url}/v1/customers/${customer}/stream`);
  expect((await sendTo(b.url, 'reconnect-before', aNotification(customer, 'before'))).status).toBe(201);
  expect((await stream.next()).notification.message).toBe('before');

  // No new connection is let in, so neither replica can listen again until the test allows it; B posts over the
  // connection its pool already holds.
  await admin.query(`ALTER DATABASE ${DATABASE} ALLOW_CONNECTIONS false`);
  try {
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND query = $3`,
      [DATABASE, LISTENER_NAME, `LISTEN ${CHANNEL}`],
    );
    expect(rows).toHaveLength(2);
    for (const { pid } of rows) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    // Hearing nothing from the others, a replica is not ready.
    await until('replica A notices', async () => (await readiness(a)) === 503);
    const during = await sendTo(b.url, 'reconnect-during', aNotification(customer, 'while nobody listened'));
    expect(during.status).toBe(201);
  } finally {
    await admin.query(`ALTER DATABASE ${DATABASE} ALLOW_CONNECTIONS true`);
  }
  expect((await stream.next()).notification.message).toBe('while nobody listened');
  await until('both replicas listen again', async () => (await readiness(a)) === 200 && (await readiness(b)) === 200);
  expect((await sendTo(b.url, 'reconnect-after', aNotification(customer, 'after'))).status).toBe(201);
  expect((await stream.next()).notification.message).toBe('after');
  stream.close();
});

it('is not ready, and answers 503, while its database does not answer; then carries on', async () => {
  const body = aNotification('c-down', 'after the outage');
  await admin.query(`ALTER DATABASE ${DATABASE} ALLOW_CONNECTIONS false`);
  try {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [DATABASE]);
    await until('neither replica is ready', async () => (await readiness(a)) === 503 && (await readiness(b)) === 503);
    const refused = await sendTo(a.url, 'down-1', body);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: {
        type: 'api_error',
        code: 'inbox_unavailable',
        message: 'The notification inbox is not answering; retry shortly.',
      },
    });
    expect((await fetch(`${a.url}/v1/customers/c-down/notifications`, { headers: AUTH })).status).toBe(503);
  } finally {
    await admin.query(`ALTER DATABASE ${DATABASE} ALLOW_CONNECTIONS true`);
  }
  await until('both replicas are ready', async () => (await readiness(a)) === 200 && (await readiness(b)) === 200);
  expect((await sendTo(a.url, 'down-1', body)).status).toBe(201);
  expect(await b.inbox.list('c-down', 0, 100)).toEqual([expect.objectContaining({ message: 'after the outage' })]);
});

it('survives a connection cut while a request holds it: that request answers 503, the process carries on', async () => {
  const customer = 'c-cut';
  // An uncommitted row holds the key, so A's insert waits on it, on a connection taken from A's pool.
  const blocker = new Client({ connectionString: postgres!.url(DATABASE) });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query(
    `INSERT INTO notifications (id, idempotency_key, fingerprint, customer_id, kind, message)
     VALUES ('nt_cut', 'cut-1', 'held', $1, 'pickedUp', 'held')`,
    [customer],
  );
  try {
    const post = sendTo(a.url, 'cut-1', aNotification(customer, 'cut off'));
    await until('the post waits on the held key', async () => (await waitingOnLocks()) >= 1);
    // A failover or an operator ends that backend mid-request (pg then also emits 'error' on the pooled client).
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = $1 AND application_name = 'notifications' AND wait_event_type = 'Lock'`,
      [DATABASE],
    );
    expect((await post).status).toBe(503);
  } finally {
    await blocker.query('ROLLBACK');
    await blocker.end();
  }
  expect((await sendTo(a.url, 'cut-1', aNotification(customer, 'cut off'))).status).toBe(201);
  expect(await readiness(a)).toBe(200);
});

/** The service as deployed: `node dist/main.js`, configured by its environment only. */
async function startProcess(port: number, database: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [resolve(__dirname, '../dist/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      NOTIFICATIONS_PORT: String(port),
      NOTIFICATIONS_API_KEY: API_KEY,
      NOTIFICATIONS_DATABASE_URL: postgres!.url(database),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  // Ready when it says so (its database answers and it listens); bounded by jest's timeout, not a timing threshold.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the notification service exited with ${child.exitCode}: ${errors}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (answer) => answer.ok,
      () => false,
    );
    if (ready) return child;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

it('runs as two processes on NOTIFICATIONS_DATABASE_URL: a stream on one hears a post through the other', async () => {
  const ports = [await freePort(), await freePort()];
  // Both start at once on a database that does not exist yet: they create it, and its table, together.
  const children = await Promise.all(ports.map((port) => startProcess(port, 'inbox_processes')));
  try {
    const [first, second] = ports.map((port) => `http://127.0.0.1:${port}`);
    const stream = await openStream(`${first}/v1/customers/c-processes/stream`);
    expect((await sendTo(second!, 'processes-1', aNotification('c-processes', 'from the other process'))).status).toBe(
      201,
    );
    expect((await stream.next()).notification.message).toBe('from the other process');
    stream.close();
  } finally {
    for (const child of children) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }
});

it('prunes on both replicas at once without a row counted twice or a newer one touched', async () => {
  const customer = 'c-pruned';
  const posts = Array.from({ length: 30 }, (_, index) =>
    sendTo((index % 2 ? a : b).url, `pruned-${index}`, aNotification(customer, `old ${index}`)),
  );
  expect((await Promise.all(posts)).every((answer) => answer.status === 201)).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const cutoff = new Date();
  await new Promise((resolve) => setTimeout(resolve, 5));
  expect((await sendTo(a.url, 'pruned-new', aNotification(customer, 'new'))).status).toBe(201);
  const before = await countBefore(cutoff);

  // Small batches, both replicas together: their DELETEs interleave.
  const [byA, byB] = await Promise.all([
    pruneNotifications(a.inbox, cutoff, 4),
    pruneNotifications(b.inbox, cutoff, 4),
  ]);
  expect(byA + byB).toBe(before);
  expect(await countBefore(cutoff)).toBe(0);
  expect((await b.inbox.list(customer, 0, 100)).map(({ message }) => message)).toEqual(['new']);
});

/** Rows stored before `cutoff`, read by the operator's own connection to the replicas' database. */
async function countBefore(cutoff: Date): Promise<number> {
  const operator = new Client({ connectionString: postgres!.url(DATABASE) });
  await operator.connect();
  try {
    const { rows } = await operator.query<{ old: number }>(
      'SELECT count(*)::int AS old FROM notifications WHERE created_at < $1',
      [cutoff],
    );
    return rows[0]!.old;
  } finally {
    await operator.end();
  }
}
