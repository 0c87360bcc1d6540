import { ports } from '@durable-delivery/ports';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';

export type TemporalConnection = ClientConnectConfig & { namespace: string };

/**
 * How every process here (the worker, the app servers) finds Temporal: Temporal's own environment configuration
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE),
 * so the same build runs against the dev server, a self-hosted cluster or Temporal Cloud. Defaults to the local dev
 * server. Throws an Error naming the problem for invalid settings.
 */
export function loadTemporalConnection(env: NodeJS.ProcessEnv = process.env): TemporalConnection {
  let connection: ClientConnectConfig;
  try {
    connection = loadClientConnectConfig({ overrideEnvVars: definedOnly(env) });
  } catch (error) {
    throw new Error(`Invalid Temporal connection settings: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const { address, apiKey, tls } = connection.connectionOptions;
  // Temporal Cloud accepts no anonymous connection: say so at start instead of failing every call later.
  if (
    address &&
    /\.tmprl\.cloud(:\d+)?$/.test(address) &&
    !apiKey &&
    !(tls && typeof tls === 'object' && tls.clientCertPair)
  ) {
    throw new Error(
      `Invalid Temporal connection settings: ${address} is Temporal Cloud, which needs TEMPORAL_API_KEY or an mTLS ` +
        'client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH)',
    );
  }
  return {
    ...connection,
    // The dev server binds 127.0.0.1; "localhost" may resolve to ::1 first.
    connectionOptions: {
      ...connection.connectionOptions,
      address: connection.connectionOptions.address ?? `127.0.0.1:${ports.temporal}`,
    },
    namespace: connection.namespace ?? 'default',
  };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
