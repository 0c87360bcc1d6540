import { resolve } from 'node:path';
import { z } from 'zod';

const rate = z.coerce.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

const envSchema = z.object({
  NOTIFICATIONS_HOST: z.string().min(1).default('127.0.0.1'),
  NOTIFICATIONS_PORT: z.coerce
    .number()
    .int()
    .min(0, 'must be a port number')
    .max(65535, 'must be a port number')
    .default(4020),
  NOTIFICATIONS_DB: z.string().min(1).optional(),
  NOTIFICATIONS_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  NOTIFICATIONS_ERROR_RATE: rate.default(0),
  NOTIFICATIONS_LATENCY_MS: z.coerce.number().int('must be a whole number of milliseconds').min(0).default(0),
  NOTIFICATIONS_OUTAGE: z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).default('false'),
});

export interface NotificationServiceConfig {
  readonly host: string;
  readonly port: number;
  readonly dbFilename: string;
  readonly apiKey?: string;
  readonly faults: { errorRate: number; latencyMs: number; outage: boolean };
}

/** Read and checked once at start: a bad variable stops the service with a message naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): NotificationServiceConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid notification service environment:\n${problems.join('\n')}`);
  }
  const vars = parsed.data;
  return {
    host: vars.NOTIFICATIONS_HOST,
    port: vars.NOTIFICATIONS_PORT,
    dbFilename: vars.NOTIFICATIONS_DB ?? resolve(__dirname, '../../../.data/notifications/inbox.sqlite'),
    ...(vars.NOTIFICATIONS_API_KEY ? { apiKey: vars.NOTIFICATIONS_API_KEY } : {}),
    faults: {
      errorRate: vars.NOTIFICATIONS_ERROR_RATE,
      latencyMs: vars.NOTIFICATIONS_LATENCY_MS,
      outage: vars.NOTIFICATIONS_OUTAGE === 'true',
    },
  };
}
