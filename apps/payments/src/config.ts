import { resolve } from 'node:path';
import { ports } from '@durable-delivery/ports';
import { loadServiceConfig, type ServiceConfig } from '@durable-delivery/service-kit';

export type PaymentServiceConfig = ServiceConfig;

/** PAYMENTS_HOST, _PORT (4010), _DB (.data/payments/ledger.sqlite), _API_KEY, _ERROR_RATE, _LATENCY_MS, _OUTAGE. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PaymentServiceConfig {
  return loadServiceConfig(
    'PAYMENTS',
    { port: ports.payments, dbFilename: resolve(__dirname, '../../../.data/payments/ledger.sqlite') },
    env,
  );
}
