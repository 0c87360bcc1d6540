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
  /** The shared passcode drivers sign in with. */
  readonly driverPasscode: string;
  /** The windows new orders get; unset ones take the workflow's defaults. */
  readonly orderWindows: Partial<OrderWindows>;
  /** The billing period and renewal retry delay new delivery passes get; unset ones take the workflow's defaults. */
  readonly passSettings: Partial<PassSettings>;
  /** The notification service, whose live stream the menu relays to the signed-in customer; unset: no live toasts. */
  readonly notifications?: { readonly url: string; readonly apiKey?: string };
}

/** Named in README.md: the passcode a development server accepts when DRIVER_PASSCODE is not set. */
export const DEVELOPMENT_DRIVER_PASSCODE = 'drive-safely';

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
  DRIVER_PASSCODE: z.string().min(8, 'must be at least 8 characters').optional(),
  COOKIE_SECURE: z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).optional(),
  NOTIFICATIONS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  NOTIFICATIONS_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  ORDER_PICKUP_WINDOW: durationSchema.optional(),
  ORDER_DELIVERY_WINDOW: durationSchema.optional(),
  ORDER_RATE_PROMPT_DELAY: durationSchema.optional(),
  ORDER_RATING_WINDOW: durationSchema.optional(),
  PASS_BILLING_PERIOD: durationSchema.optional(),
  PASS_RENEWAL_RETRY_DELAY: durationSchema.optional(),
});

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
  // A production server never falls back to a passcode that is written in the README.
  if (production && !vars.DRIVER_PASSCODE) {
    throw new AppConfigError('Invalid app environment:\n  DRIVER_PASSCODE: is required in production');
  }
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
    driverPasscode: vars.DRIVER_PASSCODE ?? DEVELOPMENT_DRIVER_PASSCODE,
    ...(vars.NOTIFICATIONS_URL
      ? {
          notifications: {
            url: vars.NOTIFICATIONS_URL,
            ...(vars.NOTIFICATIONS_API_KEY ? { apiKey: vars.NOTIFICATIONS_API_KEY } : {}),
          },
        }
      : {}),
    orderWindows: definedOnly(windows),
    passSettings: definedOnly({
      billingPeriod: vars.PASS_BILLING_PERIOD,
      renewalRetryDelay: vars.PASS_RENEWAL_RETRY_DELAY,
    }),
  };
}

function definedOnly<K extends string>(values: Partial<Record<K, number | undefined>>): Partial<Record<K, number>> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, number] => entry[1] !== undefined),
  ) as Partial<Record<K, number>>;
}
