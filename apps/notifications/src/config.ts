import { resolve } from 'node:path';
import { ports } from '@durable-delivery/ports';
import { loadServiceConfig, type ServiceConfig } from '@durable-delivery/service-kit';
import { z } from 'zod';
import type { InboxStore } from './inbox';

const WHOLE_DAYS = 'must be a whole number of days, at least 1';

/** The service's own variables, checked with the shared ones (loadServiceConfig). */
const OWN_VARIABLES = {
  NOTIFICATIONS_RETENTION_DAYS: z.coerce.number({ error: WHOLE_DAYS }).int(WHOLE_DAYS).min(1, WHOLE_DAYS).default(30),
};

export interface NotificationServiceConfig extends ServiceConfig {
  /** Where the inbox lives: PostgreSQL when NOTIFICATIONS_DATABASE_URL is set, else the SQLite file (dbFilename). */
  readonly store: InboxStore;
  /** How long a notification is kept (NOTIFICATIONS_RETENTION_DAYS, default 30), in milliseconds. */
  readonly retentionMs: number;
}

const DAY_MS = 24 * 60 * 60_000;

/**
 * NOTIFICATIONS_HOST, _PORT (4020), _DB (.data/notifications/inbox.sqlite), _API_KEY, _ERROR_RATE, _LATENCY_MS,
 * _OUTAGE, NOTIFICATIONS_DATABASE_URL: a postgres:// (or postgresql://) URL puts the inbox in PostgreSQL, which
 * any number of replicas share (then NOTIFICATIONS_DB is not used), and NOTIFICATIONS_RETENTION_DAYS (30).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): NotificationServiceConfig {
  const url = env.NOTIFICATIONS_DATABASE_URL?.trim();
  // Checked first and on its own, so the message names this variable and never echoes its password.
  if (url && !isPostgresUrl(url)) {
    throw new Error(
      'Invalid notifications service environment:\n  NOTIFICATIONS_DATABASE_URL: must be a postgres:// URL ' +
        '(e.g. postgres://user@db:5432/notifications); for a SQLite file, leave it unset and set NOTIFICATIONS_DB',
    );
  }
  const { extra, ...config } = loadServiceConfig(
    'NOTIFICATIONS',
    { port: ports.notifications, dbFilename: resolve(__dirname, '../../../.data/notifications/inbox.sqlite') },
    env,
    OWN_VARIABLES,
  );
  return {
    ...config,
    store: url ? { kind: 'postgres', url } : { kind: 'sqlite', file: config.dbFilename },
    retentionMs: extra.NOTIFICATIONS_RETENTION_DAYS * DAY_MS,
  };
}

function isPostgresUrl(url: string): boolean {
  if (!/^postgres(ql)?:\/\//i.test(url)) return false;
  try {
    return new URL(url).hostname !== '';
  } catch {
    return false;
  }
}
