import { randomUUID } from 'node:crypto';
import { databaseAnswers, openDatabase } from '@durable-delivery/service-kit';
import type Database from 'better-sqlite3';

export interface NotificationInput {
  readonly customerId: string;
  /** The order it is about; absent for one about the customer's delivery pass. */
  readonly orderId?: string;
  readonly kind: string;
  readonly message: string;
}

export interface Notification extends NotificationInput {
  /** Increases with every notification the service stores: the stream's event id and the inbox's cursor. */
  readonly sequence: number;
  readonly id: string;
  readonly createdAt: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS notifications (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS notifications_customer ON notifications(customer_id, sequence);
`;

// No order is stored as '' (the column predates notifications without one) and read back as no orderId at all.
const COLUMNS = `sequence, id, customer_id AS customerId, NULLIF(order_id, '') AS orderId, kind, message, created_at AS createdAt`;

type Row = Omit<Notification, 'orderId'> & { orderId: string | null };

function fromRow({ orderId, ...row }: Row): Notification {
  return orderId === null ? row : { ...row, orderId };
}

export class IdempotencyMismatch extends Error {
  override readonly name = 'IdempotencyMismatch';
}

/**
 * Every customer's notifications, durable in SQLite: what the live stream replays to a page that was closed, and
 * what makes a retried send harmless — one idempotency key, one notification, however often it arrives.
 */
export class Inbox {
  private readonly db: Database.Database;

  constructor(filename: string) {
    this.db = openDatabase(filename, SCHEMA);
  }

  /** Stores a notification once per key; a repeat returns the stored one with `duplicate: true`. */
  deliver(key: string, input: NotificationInput): { notification: Notification; duplicate: boolean } {
    const fingerprint = JSON.stringify([input.customerId, input.orderId ?? '', input.kind, input.message]);
    return this.db
      .transaction(() => {
        const existing = this.db
          .prepare<[string], Row & { fingerprint: string }>(
            `SELECT ${COLUMNS}, fingerprint FROM notifications WHERE idempotency_key = ?`,
          )
          .get(key);
        if (existing) {
          if (existing.fingerprint !== fingerprint) {
            throw new IdempotencyMismatch(
              `Idempotency key "${key}" was already used for a different notification; use a new key for a new one.`,
            );
          }
          const { fingerprint: _fingerprint, ...notification } = existing;
          return { notification: fromRow(notification), duplicate: true };
        }
        const notification = this.db
          .prepare<unknown[], Row>(
            `INSERT INTO notifications (id, idempotency_key, fingerprint, customer_id, order_id, kind, message, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
          )
          .get(
            `nt_${randomUUID()}`,
            key,
            fingerprint,
            input.customerId,
            input.orderId ?? '',
            input.kind,
            input.message,
            new Date().toISOString(),
          );
        if (!notification) throw new Error('the insert returned no row');
        return { notification: fromRow(notification), duplicate: false };
      })
      .immediate();
  }

  /** One customer's notifications after a sequence number, oldest first. */
  list(customerId: string, after: number, limit: number): Notification[] {
    return this.db
      .prepare<[string, number, number], Row>(
        `SELECT ${COLUMNS} FROM notifications WHERE customer_id = ? AND sequence > ? ORDER BY sequence LIMIT ?`,
      )
      .all(customerId, after, limit)
      .map(fromRow);
  }

  /** Whether the database is open and answers a query: the service's readiness. */
  isAnswering(): boolean {
    return databaseAnswers(this.db);
  }

  close(): void {
    this.db.close();
  }
}
