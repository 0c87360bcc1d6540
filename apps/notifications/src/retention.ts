import { logJson } from '@durable-delivery/telemetry';
import type { Inbox } from './inbox';

/** Rows one DELETE takes: short statements, so a delivery never waits long behind the retention. */
const PRUNE_BATCH = 1_000;
/** How often the retention runs after the first time, at start. */
const EVERY_MS = 60 * 60_000;

/** Deletes every notification stored before `before`, a batch at a time; returns how many went. */
export async function pruneNotifications(inbox: Inbox, before: Date, batch = PRUNE_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await inbox.prune(before, batch);
    total += deleted;
    if (deleted < batch) return total;
  }
}

export interface Retention {
  /** Stops the schedule and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Keeps the inbox to its last `keepMs` (NOTIFICATIONS_RETENTION_DAYS): without it every notification ever sent stays
 * in the database. What goes is long past any use: a closed page's stream replays minutes or hours, not weeks, and an
 * idempotency key only has to outlive the retries of its send (within the order's life), after which it could only
 * come back as a new notification. Runs at start, then hourly, on every replica: each run is a few small DELETEs,
 * and two replicas pruning at once delete each row once. A database away is logged and tried at the next run.
 */
export function keepNotificationsFor(
  inbox: Inbox,
  keepMs: number,
  { everyMs = EVERY_MS, log = logJson }: { everyMs?: number; log?: typeof logJson } = {},
): Retention {
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = () => {
    // A run still going (a large backlog) is left to finish: the next tick looks again.
    if (running || stopped) return;
    running = pruneNotifications(inbox, new Date(Date.now() - keepMs))
      .then(
        (deleted) => {
          if (deleted > 0) log('INFO', 'notification inbox: deleted notifications past their retention', { deleted });
        },
        (error: Error) =>
          log('WARN', 'notification inbox: the retention could not run; trying again later', { error: error.message }),
      )
      .finally(() => (running = undefined));
  };
  run();
  const timer = setInterval(run, everyMs);
  // The schedule never keeps the process alive on its own.
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
