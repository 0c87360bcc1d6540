import { resolve } from 'node:path';
import { z } from 'zod';

const rate = z.coerce.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

const envSchema = z.object({
  PAYMENTS_HOST: z.string().min(1).default('127.0.0.1'),
  PAYMENTS_PORT: z.coerce
    .number()
    .int()
    .min(0, 'must be a port number')
    .max(65535, 'must be a port number')
    .default(4010),
  PAYMENTS_DB: z.string().min(1).optional(),
  PAYMENTS_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  PAYMENTS_ERROR_RATE: rate.default(0),
  PAYMENTS_LATENCY_MS: z.coerce.number().int('must be a whole number of milliseconds').min(0).default(0),
  PAYMENTS_OUTAGE: z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).default('false'),
});

export interface PaymentServiceConfig {
  readonly host: string;
  readonly port: number;
  readonly dbFilename: string;
  readonly apiKey?: string;
  readonly faults: { errorRate: number; latencyMs: number; outage: boolean };
}

/** Read and checked once at start: a bad variable stops the service with a message naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PaymentServiceConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid payment service environment:\n${problems.join('\n')}`);
  }
  const vars = parsed.data;
  return {
    host: vars.PAYMENTS_HOST,
    port: vars.PAYMENTS_PORT,
    dbFilename: vars.PAYMENTS_DB ?? resolve(__dirname, '../../../.data/payments/ledger.sqlite'),
    ...(vars.PAYMENTS_API_KEY ? { apiKey: vars.PAYMENTS_API_KEY } : {}),
    faults: {
      errorRate: vars.PAYMENTS_ERROR_RATE,
      latencyMs: vars.PAYMENTS_LATENCY_MS,
      outage: vars.PAYMENTS_OUTAGE === 'true',
    },
  };
}
