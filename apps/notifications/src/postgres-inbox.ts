import { randomUUID } from 'node:crypto';
import { ensureDatabase } from '@durable-delivery/postgres-kit';
import { logJson } from '@durable-delivery/telemetry';
import pg from 'pg';
import {
  IdempotencyMismatch,
  InboxUnavailable,
  fingerprintOf,
  type Delivery,
  type Inbox,
  type Notification,
  type NotificationInput,
} from './inbox';

/**
 * The channel every replica listens on. Its payload is small — `{"customerId","sequence"}` — and only says "look":
 * the listener reads the rows themselves (`list` from each stream's cursor). So a stream sends exactly what the
 * inbox holds, through the one path the backlog takes; a signal missed while a listening connection was down is
 * made up by the same re-read; and nothing depends on NOTIFY's 8000-byte payload limit or on it being kept (it is
 * not durable: the rows are).
 */
export const CHANNEL = 'notifications_stored';

/** The listening connection's application_name. */
export const LISTENER_NAME = 'notifications-listener';

// pg_advisory_xact_lock(class, object) keys of this service: one for creating the schema, one per customer.
const SCHEMA_LOCK = 0x6e6f7400;
const CUSTOMER_LOCK = 0x6e6f7401;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS notifications (
    sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    order_id TEXT,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
  );
  CREATE INDEX IF NOT EXISTS notifications_customer ON notifications (customer_id, sequence);
  CREATE INDEX IF NOT EXISTS notifications_created ON notifications (created_at);
`;

const COLUMNS = `sequence, id, customer_id AS "customerId", order_id AS "orderId", kind, message, created_at AS "createdAt"`;

interface Row {
  sequence: string; // BIGINT: pg reads it as a string
  id: string;
  customerId: string;
  orderId: string | null;
  kind: string;
  message: string;
  createdAt: Date;
}

/**
 * Whether a query's error says the database dropped the connection or could not be reached, rather than refusing
 * what was asked: not an answer of the server at all (a socket error, a timeout, "Connection terminated"), or one of
 * class 08 (connection exception), 57P (operator intervention: a shutdown, a terminated backend), 53 (insufficient
 * resources: too many connections).
 */
function isUnreachable(error: unknown): boolean {
  if (error instanceof IdempotencyMismatch) return false;
  return !(error instanceof pg.DatabaseError) || /^(08|57P|53)/.test(error.code ?? '');
}

function unavailableOr(error: unknown): Error {
  return isUnreachable(error) ? new InboxUnavailable(error) : (error as Error);
}

function fromRow({ sequence, orderId, createdAt, ...row }: Row): Notification {
  const notification = { sequence: Number(sequence), ...row, createdAt: createdAt.toISOString() };
  return orderId === null ? notification : { ...notification, orderId };
}

/** How long the listening connection waits before its first attempt to come back, and at most between attempts. */
const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * The inbox in PostgreSQL, shared by every replica of the service.
 *
 * One idempotency key, one notification: the key is UNIQUE and a second insert does nothing (a concurrent one
 * waits for the first to commit, then reads it). One customer's inserts take a transaction-scoped advisory lock
 * on that customer, so their sequence numbers are handed out and committed in the same order: a reader that has
 * seen sequence n of a customer has seen all of theirs below it, which is what lets a stream's cursor skip repeats
 * without skipping anything else. (Without it, two replicas could commit 8 before 7, and a stream that sent 8 would
 * then drop 7 as a repeat.)
 *
 * Live streams across replicas: PostgreSQL's LISTEN/NOTIFY, on the database that already holds the inbox, so no
 * other system to run. The NOTIFY is sent inside the inserting transaction, so it goes out only when the row is
 * committed and readable, never for one rolled back. Each process holds one listening connection; when it is lost,
 * it reconnects and wakes every open stream to re-read from its cursor, so what was stored meanwhile still arrives.
 * (NOTIFY serialises the commits that send one: fine at a few notifications per order; a broker beyond that.)
 */
export class PostgresInbox implements Inbox {
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly heardWhileTaken = new WeakSet<pg.PoolClient>();
  private listener: pg.Client | undefined;
  private listening = false;
  private reconnect: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
  ) {}

  /** Opens the inbox: creates the database and the schema when missing, and starts listening. */
  static async open(url: string): Promise<PostgresInbox> {
    await ensureDatabase(url);
    // A small pool: each request holds a connection for one short transaction or query.
    const pool = new pg.Pool({
      connectionString: url,
      max: 5,
      connectionTimeoutMillis: 5_000,
      application_name: 'notifications',
    });
    // An idle connection the database drops (a restart, a failover) is reported here, not thrown at the process.
    pool.on('error', (error) =>
      logJson('WARN', 'notification inbox: a database connection was lost', { error: error.message }),
    );
    const inbox = new PostgresInbox(url, pool);
    try {
      await inbox.transaction(async (client) => {
        // Replicas starting together would race on CREATE ... IF NOT EXISTS (a duplicate pg_type row): one at a time.
        await client.query('SELECT pg_advisory_xact_lock($1, 0)', [SCHEMA_LOCK]);
        await client.query(SCHEMA);
      });
      await inbox.listen();
    } catch (error) {
      await inbox.close();
      throw error;
    }
    return inbox;
  }

  async deliver(key: string, input: NotificationInput): Promise<Delivery> {
    const fingerprint = fingerprintOf(input);
    const { row, duplicate } = await this.transaction(async (client): Promise<{ row: Row; duplicate: boolean }> => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [CUSTOMER_LOCK, input.customerId]);
      const inserted = await client.query<Row>(
        `INSERT INTO notifications (id, idempotency_key, fingerprint, customer_id, order_id, kind, message)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING RETURNING ${COLUMNS}`,
        [`nt_${randomUUID()}`, key, fingerprint, input.customerId, input.orderId ?? null, input.kind, input.message],
      );
      const stored = inserted.rows[0];
      if (stored) {
        const payload = JSON.stringify({ customerId: input.customerId, sequence: Number(stored.sequence) });
        await client.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
        return { row: stored, duplicate: false };
      }
      const existing = await client.query<Row & { fingerprint: string }>(
        `SELECT ${COLUMNS}, fingerprint FROM notifications WHERE idempotency_key = $1`,
        [key],
      );
      const found = existing.rows[0];
      if (!found) throw new Error(`the notification of key "${key}" conflicted but cannot be read`);
      const { fingerprint: used, ...row } = found;
      if (used !== fingerprint) throw new IdempotencyMismatch(key);
      return { row, duplicate: true };
    });
    return { notification: fromRow(row), duplicate };
  }

  async list(customerId: string, after: number, limit: number): Promise<Notification[]> {
    const client = await this.connect();
    try {
      const { rows } = await client.query<Row>(
        `SELECT ${COLUMNS} FROM notifications WHERE customer_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3`,
        [customerId, after, limit],
      );
      client.release();
      return rows.map(fromRow);
    } catch (error) {
      client.release(true);
      throw unavailableOr(error);
    }
  }

  async prune(before: Date, limit: number): Promise<number> {
    try {
      // Replicas may prune at once: a row another one deleted first is simply not counted here.
      const { rowCount } = await this.pool.query(
        `DELETE FROM notifications WHERE sequence IN
           (SELECT sequence FROM notifications WHERE created_at < $1 ORDER BY created_at LIMIT $2)`,
        [before, limit],
      );
      return rowCount ?? 0;
    } catch (error) {
      throw unavailableOr(error);
    }
  }

  watch(customerId: string, wake: () => void): () => void {
    const wakes = this.watchers.get(customerId) ?? new Set();
    wakes.add(wake);
    this.watchers.set(customerId, wakes);
    return () => {
      wakes.delete(wake);
      if (wakes.size === 0 && this.watchers.get(customerId) === wakes) this.watchers.delete(customerId);
    };
  }

  /** The database answers, and this process hears the others (else its streams would go quiet). */
  async isAnswering(): Promise<boolean> {
    if (!this.listening) return false;
    try {
      const { rows } = await this.pool.query<{ one: number }>('SELECT 1 AS one');
      return rows[0]?.one === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnect);
    const listener = this.listener;
    this.listener = undefined;
    this.listening = false;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  /** A connection from the pool; none to be had (the database refuses or does not answer) is InboxUnavailable. */
  private async connect(): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new InboxUnavailable(error);
    }
    // A connection lost while taken from the pool (a failover, a terminated backend) fails the query on it, which
    // answers 503; pg also emits 'error' on the client, and the pool listens only while it is idle: unheard, that
    // event would end the process. Once per connection, for the rest of its life.
    if (!this.heardWhileTaken.has(client)) {
      this.heardWhileTaken.add(client);
      client.on('error', () => undefined);
    }
    return client;
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw unavailableOr(error);
    } finally {
      // A connection that cannot even roll back is dropped, not handed to the next caller.
      client.release(broken);
    }
  }

  /** Connects the listening connection; then every stream re-reads, for whatever was stored while none listened. */
  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: 5_000,
      // What an operator (and the tests) find it by in pg_stat_activity.
      application_name: LISTENER_NAME,
      // It only reads: TCP keep-alives notice a peer that vanished without closing (else it would wait forever).
      keepAlive: true,
    });
    this.listener = client;
    client.on('notification', ({ payload }) => this.heard(payload));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      if (this.listener === client) this.listener = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed || this.listener !== client) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listening = true;
    for (const wakes of this.watchers.values()) wakes.forEach((wake) => wake());
  }

  private heard(payload: string | undefined): void {
    let customerId: unknown;
    try {
      customerId = (JSON.parse(payload ?? '') as { customerId?: unknown }).customerId;
    } catch {
      customerId = undefined;
    }
    if (typeof customerId !== 'string') return;
    this.watchers.get(customerId)?.forEach((wake) => wake());
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.closed || this.listener !== client || !this.listening) return;
    this.listener = undefined;
    this.listening = false;
    logJson('WARN', 'notification inbox: the listening connection was lost; reconnecting', {
      ...(error ? { error: error.message } : {}),
    });
    client.end().catch(() => undefined);
    this.scheduleListen(RECONNECT_FIRST_MS);
  }

  private scheduleListen(delayMs: number): void {
    if (this.closed || this.reconnect) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      this.listen().then(
        () => logJson('INFO', 'notification inbox: listening again'),
        (error: Error) => {
          logJson('WARN', 'notification inbox: could not listen yet; retrying', { error: error.message, delayMs });
          this.scheduleListen(Math.min(delayMs * 2, RECONNECT_MAX_MS));
        },
      );
    }, delayMs);
    this.reconnect.unref();
  }
}
