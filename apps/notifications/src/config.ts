import { resolve } from 'node:path';
import { ports } from '@durable-delivery/ports';
import { loadServiceConfig, type ServiceConfig } from '@durable-delivery/service-kit';

export type NotificationServiceConfig = ServiceConfig;

/** NOTIFICATIONS_HOST, _PORT (4020), _DB (.data/notifications/inbox.sqlite), _API_KEY, _ERROR_RATE, _LATENCY_MS, _OUTAGE. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): NotificationServiceConfig {
  return loadServiceConfig(
    'NOTIFICATIONS',
    { port: ports.notifications, dbFilename: resolve(__dirname, '../../../.data/notifications/inbox.sqlite') },
    env,
  );
}
