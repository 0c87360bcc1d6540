import { databaseAnswers, openDatabase } from '@durable-delivery/service-kit';
import type Database from 'better-sqlite3';

/** A stored answer to an idempotent request: replayed byte for byte when the same key comes again. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface LedgerEntry {
  readonly sequence: number;
  readonly type: 'charge' | 'decline' | 'refund';
  readonly id: string;
  readonly idempotencyKey: string;
  readonly orderId?: string;
  readonly customerId?: string;
  readonly chargeId?: string;
  readonly amountCents: number;
  readonly createdAt: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ledger (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL CHECK (type IN ('charge', 'decline', 'refund')),
    id TEXT NOT NULL UNIQUE,
    -- Checked at commit: the entry and its stored answer are written in one transaction, in either order.
    idempotency_key TEXT NOT NULL UNIQUE REFERENCES idempotency(key) DEFERRABLE INITIALLY DEFERRED,
    order_id TEXT,
    customer_id TEXT,
    charge_id TEXT,
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    created_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS ledger_charge ON ledger(charge_id) WHERE type = 'refund';
  CREATE TABLE IF NOT EXISTS attempts (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL
  );
`;

/**
 * The payment service's durable state in SQLite (better-sqlite3): the ledger, the stored answers of idempotent
 * requests, and the flaky card's attempt counts. Every request's writes happen in one transaction with the
 * write-ahead log synced on commit, so a SIGKILL mid-request leaves either all of it or none of it.
 */
export class Ledger {
  private readonly db: Database.Database;

  constructor(filename: string) {
    this.db = openDatabase(filename, SCHEMA);
  }

  /** Whether the database is open and answers a query: the service's readiness. */
  isAnswering(): boolean {
    return databaseAnswers(this.db);
  }

  /** Runs `work` as one IMMEDIATE transaction: concurrent requests for one key are serialised, never interleaved. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  storedResponse(key: string): { operation: string; fingerprint: string; response: StoredResponse } | undefined {
    const row = this.db
      .prepare<[string], { operation: string; fingerprint: string; status: number; body: string }>(
        'SELECT operation, fingerprint, status, body FROM idempotency WHERE key = ?',
      )
      .get(key);
    return row
      ? {
          operation: row.operation,
          fingerprint: row.fingerprint,
          response: { status: row.status, body: JSON.parse(row.body) as unknown },
        }
      : undefined;
  }

  storeResponse(key: string, operation: string, fingerprint: string, response: StoredResponse, now: string): void {
    this.db
      .prepare(
        'INSERT INTO idempotency (key, operation, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(key, operation, fingerprint, response.status, JSON.stringify(response.body), now);
  }

  append(entry: Omit<LedgerEntry, 'sequence'>): void {
    this.db
      .prepare(
        `INSERT INTO ledger (type, id, idempotency_key, order_id, customer_id, charge_id, amount_cents, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.type,
        entry.id,
        entry.idempotencyKey,
        entry.orderId ?? null,
        entry.customerId ?? null,
        entry.chargeId ?? null,
        entry.amountCents,
        entry.createdAt,
      );
  }

  /** A successful charge, by the idempotency key it was made with. */
  chargeByKey(key: string): { id: string; amountCents: number; orderId: string } | undefined {
    return this.db
      .prepare<[string], { id: string; amountCents: number; orderId: string }>(
        "SELECT id, amount_cents AS amountCents, order_id AS orderId FROM ledger WHERE type = 'charge' AND idempotency_key = ?",
      )
      .get(key);
  }

  refundedCents(chargeId: string): number {
    const row = this.db
      .prepare<[string], { total: number | null }>(
        "SELECT SUM(amount_cents) AS total FROM ledger WHERE type = 'refund' AND charge_id = ?",
      )
      .get(chargeId);
    return row?.total ?? 0;
  }

  /** Counts one more attempt for a key and returns the new count (kept across restarts). */
  countAttempt(key: string): number {
    const row = this.db
      .prepare<[string], { count: number }>(
        'INSERT INTO attempts (key, count) VALUES (?, 1) ON CONFLICT(key) DO UPDATE SET count = count + 1 RETURNING count',
      )
      .get(key);
    return row?.count ?? 1;
  }

  /** Ledger entries after a sequence number, oldest first: what reconciliation pages through. */
  entries(after: number, limit: number): LedgerEntry[] {
    return this.db
      .prepare<[number, number], LedgerEntry>(
        `SELECT sequence, type, id, idempotency_key AS idempotencyKey, order_id AS orderId,
                customer_id AS customerId, charge_id AS chargeId, amount_cents AS amountCents, created_at AS createdAt
         FROM ledger WHERE sequence > ? ORDER BY sequence LIMIT ?`,
      )
      .all(after, limit)
      .map((row) => Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null)) as LedgerEntry);
  }

  close(): void {
    this.db.close();
  }
}
