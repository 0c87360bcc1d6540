import { z } from 'zod';
import type { FaultSettings } from '@durable-delivery/provider-rules';
import { allowedHosts } from '@durable-delivery/telemetry';

export interface ServiceConfig {
  readonly host: string;
  readonly port: number;
  readonly dbFilename: string;
  /** Every caller presents it (`Authorization: Bearer`); required, there is no open mode. */
  readonly apiKey: string;
  /** The host names it answers for (loopback, its bind host, `<PREFIX>_ALLOWED_HOSTS`). */
  readonly allowedHosts: ReadonlySet<string>;
  /** What a Prometheus scrape of /metrics presents; without one /metrics answers nobody. */
  readonly metricsToken?: string;
  readonly faults: FaultSettings;
}

/**
 * A service's configuration from `<PREFIX>_HOST`, `_PORT`, `_DB`, `_API_KEY` (required), `_ALLOWED_HOSTS`,
 * `_ERROR_RATE`, `_LATENCY_MS`, `_OUTAGE` and `METRICS_TOKEN`, and a service's own variables (`extra`, returned
 * parsed as `extra`), read and checked once at start: a bad or missing variable stops the service with a message
 * naming it, every bad one in one message.
 */
export function loadServiceConfig<Extra extends z.ZodRawShape = Record<never, never>>(
  prefix: string,
  defaults: { port: number; dbFilename: string },
  env: NodeJS.ProcessEnv = process.env,
  extra?: Extra,
): ServiceConfig & { readonly extra: z.output<z.ZodObject<Extra>> } {
  const ownSchema = z.object(extra ?? ({} as Extra));
  const schema = ownSchema.extend({
    [`${prefix}_HOST`]: z.string().min(1).default('127.0.0.1'),
    [`${prefix}_PORT`]: z.coerce
      .number()
      .int()
      .min(0, 'must be a port number')
      .max(65535, 'must be a port number')
      .default(defaults.port),
    [`${prefix}_DB`]: z.string().min(1).default(defaults.dbFilename),
    [`${prefix}_API_KEY`]: z
      .string({
        error: `is required: every caller of the service presents it (at least 16 characters; \`npm run dev\` makes one in .data/${prefix.toLowerCase()}-api-key)`,
      })
      .min(16, 'must be at least 16 characters'),
    [`${prefix}_ALLOWED_HOSTS`]: z.string().optional(),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
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
  const host = vars[`${prefix}_HOST`] as string;
  const metricsToken = vars.METRICS_TOKEN as string | undefined;
  return {
    host,
    port: vars[`${prefix}_PORT`] as number,
    dbFilename: vars[`${prefix}_DB`] as string,
    apiKey: vars[`${prefix}_API_KEY`] as string,
    allowedHosts: allowedHosts(host, vars[`${prefix}_ALLOWED_HOSTS`] as string | undefined),
    ...(metricsToken ? { metricsToken } : {}),
    faults: {
      errorRate: vars[`${prefix}_ERROR_RATE`] as number,
      latencyMs: vars[`${prefix}_LATENCY_MS`] as number,
      outage: vars[`${prefix}_OUTAGE`] === 'true',
    },
    extra: ownSchema.parse(parsed.data),
  };
}
