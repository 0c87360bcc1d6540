import { temporalClientInterceptors } from '@durable-delivery/telemetry/temporal-client';
import { Client, Connection } from '@temporalio/client';
import type { AppConfig } from './config';

// One client per process, never one per request. Kept on globalThis because `next dev` re-evaluates modules on
// every edit, and each evaluation would otherwise open a new connection.
const CLIENT_KEY = Symbol.for('durable-delivery.temporal-client');
type Holder = { [CLIENT_KEY]?: Promise<Client> };

/**
 * The process's Temporal client, connected on first use. A failed connect is not cached: the next request tries
 * again, so an app started before the Temporal server comes up recovers by itself.
 */
export function temporalClient(config: Pick<AppConfig, 'connection' | 'encryption'>): Promise<Client> {
  const holder = globalThis as Holder;
  holder[CLIENT_KEY] ??= Connection.connect(config.connection.connectionOptions).then(
    (conn) =>
      new Client({
        connection: conn,
        namespace: config.connection.namespace,
        // The same codec as the worker's: what the API writes (order input, memo, updates) is encrypted, and what it
        // reads (statuses, failures) is decrypted here, on the server.
        dataConverter: config.encryption.dataConverter,
        // Traced: each start, update and query is a span under the API call's, carried to the workflow in headers.
        interceptors: temporalClientInterceptors(),
      }),
    (error: unknown) => {
      delete holder[CLIENT_KEY];
      throw error;
    },
  );
  return holder[CLIENT_KEY];
}
