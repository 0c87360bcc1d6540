import { z } from 'zod';
import type { FaultSettings } from '@durable-delivery/provider-rules';

export interface ServiceConfig {
  readonly host: string;
  readonly port: number;
  readonly dbFilename: string;
  readonly apiKey?: string;
  readonly faults: FaultSettings;
}

/**
 * A service's configuration from `<PREFIX>_HOST`, `_PORT`, `_DB`, `_API_KEY`, `_ERROR_RATE`, `_LATENCY_MS` and
 * `_OUTAGE`, read and checked once at start: a bad variable stops the service with a message naming it.
 */
export function loadServiceConfig(
  prefix: string,
  defaults: { port: number; dbFilename: string },
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const schema = z.object({
    [`${prefix}_HOST`]: z.string().min(1).default('127.0.0.1'),
    [`${prefix}_PORT`]: z.coerce
      .number()
      .int()
      .min(0, 'must be a port number')
      .max(65535, 'must be a port number')
      .default(defaults.port),
    [`${prefix}_DB`]: z.string().min(1).default(defaults.dbFilename),
    [`${prefix}_API_KEY`]: z.string().min(16, 'must be at least 16 characters').optional(),
    [`${prefix}_ERROR_RATE`]: z.coerce
      .number()
      .min(0, 'must be between 0 and 1')
      .max(1, 'must be between 0 and 1')
      .default(0),
    [`${prefix}_LATENCY_MS`]: z.coerce.number().int('must be a whole number of milliseconds').min(0).default(0),
    [`${prefix}_OUTAGE`]: z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).default('false'),
  });
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid ${prefix.toLowerCase()} service environment:\n${problems.join('\n')}`);
  }
  const vars = parsed.data as Record<string, string | number | undefined>;
  const apiKey = vars[`${prefix}_API_KEY`] as string | undefined;
  return {
    host: vars[`${prefix}_HOST`] as string,
    port: vars[`${prefix}_PORT`] as number,
    dbFilename: vars[`${prefix}_DB`] as string,
    ...(apiKey ? { apiKey } : {}),
    faults: {
      errorRate: vars[`${prefix}_ERROR_RATE`] as number,
      latencyMs: vars[`${prefix}_LATENCY_MS`] as number,
      outage: vars[`${prefix}_OUTAGE`] === 'true',
    },
  };
}
