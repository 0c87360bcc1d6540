/**
 * The order's input schema, shared by the workflow (which re-validates whatever it is started with, from the API
 * or the Temporal CLI) and the API's forms. zod is pure JavaScript, so it runs in the workflow sandbox.
 */
import {
  InvalidOrderError,
  MAX_LINES,
  MAX_QUANTITY_PER_LINE,
  priceOrder,
  type PricedOrder,
} from '@durable-delivery/catalog';
import ms from 'ms';
import { z } from 'zod';

const MAX_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** A duration as Temporal takes it: milliseconds, or a string like '1 minute' or '90s'. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, context) => {
  const millis = typeof value === 'number' ? value : ms(value as ms.StringValue);
  if (typeof millis !== 'number' || !Number.isFinite(millis) || millis <= 0 || millis > MAX_WINDOW_MS) {
    context.addIssue({
      code: 'custom',
      message: `expected a duration between 1 ms and 30 days, like 60000 or "1 minute", got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return millis;
});

/**
 * The deployment's time windows. The defaults are the seed's one-minute demo windows, short enough for a person
 * to watch every failure mode; a real deployment passes its own.
 */
export const orderWindowsSchema = z.object({
  /** From payment to pickup; past it the order is refunded. */
  pickup: durationSchema.default(60_000),
  /** From pickup to delivery; past it the order is refunded. */
  delivery: durationSchema.default(60_000),
  /** From delivery to the "rate your meal" notification. */
  ratePrompt: durationSchema.default(60_000),
  /** From the rating prompt until ratings are no longer taken and the workflow completes. */
  rating: durationSchema.default(60 * 60_000),
  /** How long transient payment failures are retried before the order gives up. */
  payment: durationSchema.default(5 * 60_000),
});

export type OrderWindows = z.output<typeof orderWindowsSchema>;

export const orderIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"');

export const deliveryAddressSchema = z.object({
  street: z.string().trim().min(1, 'is required').max(200),
  city: z.string().trim().min(1, 'is required').max(100),
  postalCode: z.string().trim().min(1, 'is required').max(20),
  instructions: z.string().trim().max(500).optional(),
});

export const lineItemSchema = z.object({
  productId: z.string().min(1).max(64),
  quantity: z.number().int('must be a whole number').min(1).max(MAX_QUANTITY_PER_LINE),
});

export const orderInputSchema = z.object({
  orderId: orderIdSchema,
  customerId: z.string().trim().min(1, 'is required').max(128),
  customerName: z.string().trim().max(100).optional(),
  items: z.array(lineItemSchema).min(1, 'add at least one dish').max(MAX_LINES),
  deliveryAddress: deliveryAddressSchema,
  /** A card token from the payment provider (see the activities' TEST_CARDS). */
  paymentMethod: z.string().min(1, 'is required').max(100),
  windows: orderWindowsSchema.partial().optional(),
});

/** What a caller sends. Windows are optional: the deployment fills in what it configures. */
export type OrderInput = z.input<typeof orderInputSchema>;

export interface ValidOrder {
  readonly input: z.output<typeof orderInputSchema>;
  readonly windows: OrderWindows;
  readonly priced: PricedOrder;
}

export class OrderInputError extends Error {
  override readonly name = 'OrderInputError';
}

/** Validates and prices an order; throws OrderInputError naming every problem found. */
export function validateOrder(raw: unknown): ValidOrder {
  const parsed = orderInputSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new OrderInputError(`Invalid order: ${problems.join('; ')}`);
  }
  const windows = orderWindowsSchema.parse(parsed.data.windows ?? {});
  try {
    return { input: parsed.data, windows, priced: priceOrder(parsed.data.items) };
  } catch (error) {
    if (error instanceof InvalidOrderError) throw new OrderInputError(`Invalid order: ${error.message}`);
    throw error;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'input';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`))
    .join('');
}
