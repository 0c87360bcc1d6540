/**
 * Importable on its own as `@durable-delivery/workflows/schema`: it loads no Temporal package, so browser bundles (the
 * apps' forms) can share it.
 *
 * The order's input as a zod schema, for callers: the API validates requests with it and forms share it, so people
 * see a field-by-field error before anything is started. It describes the same rules as the workflow's own check
 * (../order/input.ts, which runs without a schema library for speed); test/input-contract.test.ts keeps them equal.
 */
import { MAX_LINES, MAX_QUANTITY_PER_LINE } from '@durable-delivery/catalog';
import { z } from 'zod';
import {
  DEFAULT_WINDOWS,
  DURATION_PROBLEM,
  ORDER_ID_PATTERN,
  REWARD_ID_PATTERN,
  REWARD_ID_PROBLEM,
  TEXT_LIMITS,
  parseDuration,
  type OrderInput,
} from '../order/input';

/** The longest text each field takes: forms set their inputs' maxlength from these. */
export { TEXT_LIMITS };

/** A duration as Temporal takes it (milliseconds, or a string like '1 minute'), parsed to milliseconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, context) => {
  const millis = parseDuration(value);
  if (millis === undefined) {
    context.addIssue({ code: 'custom', message: `${DURATION_PROBLEM}, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return millis;
});

const requiredText = (max: number) =>
  z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

export const orderIdSchema = z.string().regex(ORDER_ID_PATTERN, 'must be 1-64 letters, digits, "-" or "_"');

export const rewardIdSchema = z.string().regex(REWARD_ID_PATTERN, REWARD_ID_PROBLEM);

export const deliveryAddressSchema = z.object({
  street: requiredText(TEXT_LIMITS.street),
  city: requiredText(TEXT_LIMITS.city),
  postalCode: requiredText(TEXT_LIMITS.postalCode),
  instructions: z
    .string()
    .trim()
    .max(TEXT_LIMITS.instructions, `must be at most ${TEXT_LIMITS.instructions} characters`)
    .optional(),
});

export const lineItemSchema = z.object({
  productId: requiredText(TEXT_LIMITS.productId),
  quantity: z
    .number()
    .int(`must be a whole number from 1 to ${MAX_QUANTITY_PER_LINE}`)
    .min(1, `must be a whole number from 1 to ${MAX_QUANTITY_PER_LINE}`)
    .max(MAX_QUANTITY_PER_LINE, `must be a whole number from 1 to ${MAX_QUANTITY_PER_LINE}`),
});

export const orderWindowsSchema = z
  .object(
    Object.fromEntries(Object.keys(DEFAULT_WINDOWS).map((key) => [key, durationSchema.optional()])) as Record<
      keyof typeof DEFAULT_WINDOWS,
      z.ZodOptional<typeof durationSchema>
    >,
  )
  .strict();

export const orderInputSchema = z.object({
  orderId: orderIdSchema,
  customerId: requiredText(TEXT_LIMITS.customerId),
  customerName: z
    .string()
    .trim()
    .max(TEXT_LIMITS.customerName, `must be at most ${TEXT_LIMITS.customerName} characters`)
    .optional(),
  items: z.array(lineItemSchema).min(1, 'add at least one dish').max(MAX_LINES, `at most ${MAX_LINES} lines`),
  deliveryAddress: deliveryAddressSchema,
  paymentMethod: requiredText(TEXT_LIMITS.paymentMethod),
  rewardId: rewardIdSchema.optional(),
  windows: orderWindowsSchema.optional(),
}) satisfies z.ZodType<unknown, OrderInput>;
