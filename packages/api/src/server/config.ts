import {
  durationSchema,
  loadTemporalConnection,
  type OrderWindows,
  type PassSettings,
  type TemporalConnection,
} from '@durable-delivery/workflows';
import { loadPayloadEncryption, type PayloadEncryption } from '@durable-delivery/codec';
import { z } from 'zod';

/**
 * An app server's configuration, read and checked once per process: a bad variable stops the app with a message
 * naming it. Temporal connection settings are Temporal's own environment configuration (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE), so the same build runs against the dev
 * server, a self-hosted cluster or Temporal Cloud.
 */
export interface AppConfig {
  readonly connection: TemporalConnection;
  /** PAYLOAD_ENCRYPTION_KEYS, required in production: the same data converter as the worker's. */
  readonly encryption: PayloadEncryption;
  /** Seals the session cookies; at least 32 characters, from the environment only. */
  readonly sessionSecret: string;
  /**
   * SESSION_SECRET_PREVIOUS: secrets that sealed cookies before a rotation, newest first. Cookies they sealed still
   * read (and the menu seals them again with sessionSecret); nothing new is sealed with them.
   */
  readonly previousSessionSecrets?: readonly string[];
  /** Whether cookies are sent over HTTPS only. */
  readonly secureCookies: boolean;
  /** The windows new orders get; unset ones take the workflow's defaults. */
  readonly orderWindows: Partial<OrderWindows>;
  /** The billing period and renewal retry delay new delivery passes get; unset ones take the workflow's defaults. */
  readonly passSettings: Partial<PassSettings>;
  /** The notification service, whose live stream the menu relays to the signed-in customer; unset: no live toasts. */
  readonly notifications?: { readonly url: string; readonly apiKey: string };
  /**
   * APP_ORIGINS: the origins (scheme://host[:port]) this app is reached at. Only these hosts get an answer, and only
   * these origins may send a state-changing request. Required in production.
   */
  readonly origins: readonly string[];
  /** Per-client limits on the API (see ./limits.ts). */
  readonly rateLimits: RateLimitSettings;
  /** TRUST_PROXY: how many reverse proxies in front of the app append to X-Forwarded-For (0: none). */
  readonly trustProxy: number;
  /** Whether this is a production server (stricter CSP: no eval for React's development tools). */
  readonly production: boolean;
  /** What a scrape of /api/metrics presents (METRICS_TOKEN); without one /api/metrics answers nobody. */
  readonly metricsToken?: string;
}

export interface RateLimitSettings {
  /** Procedure calls per window per client: queries (GET) and mutations (POST). */
  readonly queries: { readonly points: number; readonly seconds: number };
  readonly mutations: { readonly points: number; readonly seconds: number };
  /** API requests of one client in flight at once; more are refused at once instead of queueing. */
  readonly concurrent: number;
  /** An address's budget is this many clients' (many customers may share one address: an office, a NAT). */
  readonly perAddress: number;
  /** Where the counts live: this process's memory, or a PostgreSQL database shared by several replicas. */
  readonly store: { readonly kind: 'memory' } | { readonly kind: 'postgres'; readonly url: string };
}

const appEnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  SESSION_SECRET: z
    .string({ error: 'is required (at least 32 characters; e.g. `openssl rand -base64 32`)' })
    .min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)'),
  SESSION_SECRET_PREVIOUS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((secret) => secret.trim())
        .filter((secret) => secret !== ''),
    )
    .refine((secrets) => secrets.every((secret) => secret.length >= 32), {
      error: 'must list the secrets sealed with before, comma-separated, each at least 32 characters',
    })
    .optional(),
  COOKIE_SECURE: z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).optional(),
  NOTIFICATIONS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  NOTIFICATIONS_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ORDER_PICKUP_WINDOW: durationSchema.optional(),
  ORDER_DELIVERY_WINDOW: durationSchema.optional(),
  ORDER_RATE_PROMPT_DELAY: durationSchema.optional(),
  ORDER_RATING_WINDOW: durationSchema.optional(),
  PASS_BILLING_PERIOD: durationSchema.optional(),
  PASS_RENEWAL_RETRY_DELAY: durationSchema.optional(),
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(1).max(65535).optional(),
  APP_ORIGINS: z.string().optional(),
  TRUST_PROXY: z.coerce.number({ error: 'must be a whole number' }).int().min(0).max(10).optional(),
  RATE_LIMIT_QUERIES: rateSchema().optional(),
  RATE_LIMIT_MUTATIONS: rateSchema().optional(),
  RATE_LIMIT_CONCURRENT: z.coerce.number({ error: 'must be a whole number' }).int().min(1).optional(),
  RATE_LIMIT_PER_ADDRESS: z.coerce.number({ error: 'must be a whole number' }).int().min(1).optional(),
  RATE_LIMIT_STORE: z.enum(['memory', 'postgres'], { error: 'must be "memory" or "postgres"' }).optional(),
  RATE_LIMIT_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
});

/** "60/10s": 60 calls per 10 seconds (s, m or h). */
function rateSchema() {
  return z
    .string()
    .regex(/^\d+\/\d+[smh]$/, 'must look like 60/10s (calls per window; s, m or h)')
    .transform((value) => {
      const [points, window] = value.split('/') as [string, string];
      const unit = { s: 1, m: 60, h: 3600 }[window.slice(-1) as 's' | 'm' | 'h'];
      return { points: Number(points), seconds: Number(window.slice(0, -1)) * unit };
    })
    .refine((rate) => rate.points > 0 && rate.seconds > 0, 'needs at least 1 call per at least 1 second');
}

/**
 * Defaults sized for the apps: an order page polls its status every 0.5 s (2/s) and a page load batches a few
 * queries; a checkout or a driver's pick-up is one mutation. A client above these is a script, not a person.
 */
export const DEFAULT_RATE_LIMITS = {
  queries: { points: 60, seconds: 10 },
  mutations: { points: 20, seconds: 10 },
  concurrent: 8,
  perAddress: 10,
} as const;

/** "https://example.com" (no path, no trailing slash), or undefined for anything that is not an http(s) origin. */
function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

export class AppConfigError extends Error {
  override readonly name = 'AppConfigError';
}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = appEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new AppConfigError(`Invalid app environment:\n${problems.join('\n')}`);
  }
  const vars = parsed.data;
  const production = vars.NODE_ENV === 'production';
  // The notification service answers no caller without its key (the menu relays customers' streams with it).
  if (vars.NOTIFICATIONS_URL && !vars.NOTIFICATIONS_API_KEY) {
    throw new AppConfigError(
      'Invalid app environment:\n  NOTIFICATIONS_API_KEY: is required with NOTIFICATIONS_URL (the key the notification service was given)',
    );
  }
  const port = vars.PORT ?? 3000;
  let connection: TemporalConnection;
  let encryption: PayloadEncryption;
  try {
    connection = loadTemporalConnection(env);
  } catch (error) {
    throw new AppConfigError(error instanceof Error ? error.message : String(error));
  }
  try {
    encryption = loadPayloadEncryption(env);
  } catch (error) {
    throw new AppConfigError(`Invalid app environment:\n  ${error instanceof Error ? error.message : String(error)}`);
  }
  const origins = vars.APP_ORIGINS?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const badOrigin = origins?.find((origin) => !originOf(origin));
  if (badOrigin !== undefined) {
    throw new AppConfigError(
      `Invalid app environment:\n  APP_ORIGINS: "${badOrigin}" is not an origin (scheme://host[:port], e.g. https://menu.example.com)`,
    );
  }
  if (production && !origins?.length) {
    throw new AppConfigError(
      'Invalid app environment:\n  APP_ORIGINS: is required in production (the origins the app is reached at, comma-separated)',
    );
  }
  if (vars.RATE_LIMIT_STORE === 'postgres' && !vars.RATE_LIMIT_DATABASE_URL) {
    throw new AppConfigError(
      'Invalid app environment:\n  RATE_LIMIT_DATABASE_URL: is required when RATE_LIMIT_STORE is "postgres"',
    );
  }
  const windows: Partial<Record<keyof OrderWindows, number | undefined>> = {
    pickup: vars.ORDER_PICKUP_WINDOW,
    delivery: vars.ORDER_DELIVERY_WINDOW,
    ratePrompt: vars.ORDER_RATE_PROMPT_DELAY,
    rating: vars.ORDER_RATING_WINDOW,
  };
  return {
    connection,
    encryption,
    sessionSecret: vars.SESSION_SECRET,
    previousSessionSecrets: vars.SESSION_SECRET_PREVIOUS ?? [],
    secureCookies: vars.COOKIE_SECURE ? vars.COOKIE_SECURE === 'true' : production,
    ...(vars.NOTIFICATIONS_URL
      ? {
          notifications: { url: vars.NOTIFICATIONS_URL, apiKey: vars.NOTIFICATIONS_API_KEY as string },
        }
      : {}),
    ...(vars.METRICS_TOKEN ? { metricsToken: vars.METRICS_TOKEN } : {}),
    orderWindows: definedOnly(windows),
    passSettings: definedOnly({
      billingPeriod: vars.PASS_BILLING_PERIOD,
      renewalRetryDelay: vars.PASS_RENEWAL_RETRY_DELAY,
    }),
    // Development: the addresses `npm run dev` prints (the bootstrap sets PORT for each app).
    origins: origins?.length
      ? origins.map((origin) => originOf(origin) as string)
      : [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
    trustProxy: vars.TRUST_PROXY ?? 0,
    production,
    rateLimits: {
      queries: vars.RATE_LIMIT_QUERIES ?? DEFAULT_RATE_LIMITS.queries,
      mutations: vars.RATE_LIMIT_MUTATIONS ?? DEFAULT_RATE_LIMITS.mutations,
      concurrent: vars.RATE_LIMIT_CONCURRENT ?? DEFAULT_RATE_LIMITS.concurrent,
      perAddress: vars.RATE_LIMIT_PER_ADDRESS ?? DEFAULT_RATE_LIMITS.perAddress,
      store:
        vars.RATE_LIMIT_STORE === 'postgres' && vars.RATE_LIMIT_DATABASE_URL
          ? { kind: 'postgres', url: vars.RATE_LIMIT_DATABASE_URL }
          : { kind: 'memory' },
    },
  };
}

function definedOnly<K extends string>(values: Partial<Record<K, number | undefined>>): Partial<Record<K, number>> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, number] => entry[1] !== undefined),
  ) as Partial<Record<K, number>>;
}
