import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { databaseAnswers, openDatabase } from '@durable-delivery/service-kit';
import type Database from 'better-sqlite3';
import {
  IdempotencyMismatch,
  fingerprintOf,
  type Delivery,
  type Inbox,
  type Notification,
  type NotificationInput,
} from './inbox';

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
  CREATE INDEX IF NOT EXISTS notifications_created ON notifications(created_at);
`;

// No order is stored as '' (the column predates notifications without one) and read back as no orderId at all.
const COLUMNS = `sequence, id, customer_id AS customerId, NULLIF(order_id, '') AS orderId, kind, message, created_at AS createdAt`;

type Row = Omit<Notification, 'orderId'> & { orderId: string | null };

function fromRow({ orderId, ...row }: Row): Notification {
  return orderId === null ? row : { ...row, orderId };
}

/**
 * The inbox in an embedded SQLite file: one process (`npm run dev`). SQLite has one writer at a time, so sequence
 * order is commit order; live streams are woken by an in-process event, which is all one process needs.
 */
export class SqliteInbox implements Inbox {
  private readonly db: Database.Database;
  private readonly stored = new EventEmitter().setMaxListeners(0);

  constructor(filename: string) {
    this.db = openDatabase(filename, SCHEMA);
  }

  // The promises below settle at once: SQLite answers synchronously; a throw becomes the rejection.
  deliver(key: string, input: NotificationInput): Promise<Delivery> {
    return new Promise((resolve) => {
      const delivery = this.store(key, input);
      // After the commit, so a woken stream reads it.
      if (!delivery.duplicate) this.stored.emit(input.customerId);
      resolve(delivery);
    });
  }

  private store(key: string, input: NotificationInput): Delivery {
    const fingerprint = fingerprintOf(input);
    return this.db
      .transaction((): Delivery => {
        const existing = this.db
          .prepare<[string], Row & { fingerprint: string }>(
            `SELECT ${COLUMNS}, fingerprint FROM notifications WHERE idempotency_key = ?`,
          )
          .get(key);
        if (existing) {
          if (existing.fingerprint !== fingerprint) throw new IdempotencyMismatch(key);
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

  list(customerId: string, after: number, limit: number): Promise<Notification[]> {
    return new Promise((resolve) => {
      const rows = this.db
        .prepare<[string, number, number], Row>(
          `SELECT ${COLUMNS} FROM notifications WHERE customer_id = ? AND sequence > ? ORDER BY sequence LIMIT ?`,
        )
        .all(customerId, after, limit);
      resolve(rows.map(fromRow));
    });
  }

  prune(before: Date, limit: number): Promise<number> {
    return new Promise((resolve) => {
      // created_at is an ISO-8601 UTC string: text order is time order.
      const { changes } = this.db
        .prepare<[string, number]>(
          `DELETE FROM notifications WHERE sequence IN
             (SELECT sequence FROM notifications WHERE created_at < ? ORDER BY created_at LIMIT ?)`,
        )
        .run(before.toISOString(), limit);
      resolve(changes);
    });
  }

  watch(customerId: string, wake: () => void): () => void {
    this.stored.on(customerId, wake);
    return () => this.stored.off(customerId, wake);
  }

  isAnswering(): Promise<boolean> {
    return Promise.resolve(databaseAnswers(this.db));
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
