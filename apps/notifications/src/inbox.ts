export interface NotificationInput {
  readonly customerId: string;
  /** The order it is about; absent for one about the customer's delivery pass. */
  readonly orderId?: string;
  readonly kind: string;
  readonly message: string;
}

export interface Notification extends NotificationInput {
  /**
   * Increases with every notification the service stores: the stream's event id and the inbox's cursor. Within one
   * customer's inbox a notification becomes visible only after every one with a lower sequence (so a reader that
   * has seen sequence n has seen everything of that customer's below it); numbers may be skipped.
   */
  readonly sequence: number;
  readonly id: string;
  readonly createdAt: string;
}

export interface Delivery {
  readonly notification: Notification;
  /** The key was used before, for this same notification: the stored one, not stored or pushed again. */
  readonly duplicate: boolean;
}

export class IdempotencyMismatch extends Error {
  override readonly name = 'IdempotencyMismatch';

  constructor(key: string) {
    super(`Idempotency key "${key}" was already used for a different notification; use a new key for a new one.`);
  }
}

/** The inbox's database does not answer right now (a restart, a failover): a retry later succeeds (503). */
export class InboxUnavailable extends Error {
  override readonly name = 'InboxUnavailable';

  constructor(cause: unknown) {
    super('The notification inbox is not answering; retry shortly.', { cause });
  }
}

/**
 * Every customer's notifications, durable: what the live stream replays to a page that was closed, and what makes
 * a retried send harmless — one idempotency key, one notification, however often and wherever it arrives. Two
 * stores keep it: an embedded SQLite file (one process, `npm run dev`) and PostgreSQL (any number of replicas).
 */
export interface Inbox {
  /** Stores a notification once per key; a repeat returns the stored one with `duplicate: true`. */
  deliver(key: string, input: NotificationInput): Promise<Delivery>;
  /** One customer's notifications after a sequence number, oldest first. */
  list(customerId: string, after: number, limit: number): Promise<Notification[]>;
  /**
   * Calls `wake` whenever a notification for this customer may have been stored since — by this process or any
   * other replica — so a live stream reads what is new from its own cursor (`list`); a wake with nothing new is
   * harmless. Returns the way to stop.
   */
  watch(customerId: string, wake: () => void): () => void;
  /**
   * Deletes up to `limit` of the oldest notifications stored before `before` and says how many went: the retention
   * (see retention.ts). A key whose notification was deleted is new again.
   */
  prune(before: Date, limit: number): Promise<number>;
  /** Whether the database answers (and, with replicas, the process hears the others): the service's readiness. */
  isAnswering(): Promise<boolean>;
  close(): Promise<void>;
}

/** What a key was first used for: a repeat must match it exactly, or it is a different notification (422). */
export function fingerprintOf(input: NotificationInput): string {
  return JSON.stringify([input.customerId, input.orderId ?? '', input.kind, input.message]);
}

/** Where the inbox lives: an embedded SQLite file (the default), or a PostgreSQL database. */
export type InboxStore =
  { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };
