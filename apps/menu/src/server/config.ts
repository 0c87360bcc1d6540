import 'server-only';
import { loadAppConfig, type AppConfig } from '@durable-delivery/api/server';

let config: AppConfig | undefined;

/**
 * Read on first use, not at import: `next build` imports every route to collect its metadata, and a build needs
 * no secrets. A bad variable fails the first request with a message naming it (and the process logs it).
 */
export function appConfig(): AppConfig {
  config ??= loadAppConfig();
  return config;
}
