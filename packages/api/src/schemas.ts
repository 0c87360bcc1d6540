/**
 * The API's inputs as zod schemas, importable on their own as `@durable-delivery/api/schemas`: this module loads no
 * Temporal package, so the apps' forms validate with exactly the rules the server applies, without shipping the
 * Temporal client to the browser.
 */
// First: zod reads its configuration as each schema is made, and the imports below make schemas.
import './zod-config';
import {
  TEXT_LIMITS,
  deliveryAddressSchema,
  lineItemSchema,
  orderIdSchema,
  orderInputSchema,
  rewardIdSchema,
} from '@durable-delivery/workflows/schema';
import { z } from 'zod';
import { customerAddressSchema, optionalTextField } from './address';

export { deliveryAddressSchema, lineItemSchema, orderIdSchema, rewardIdSchema };
export { TEXT_LIMITS } from '@durable-delivery/workflows/schema';
export {
  DELIVERY_COUNTRY,
  POSTAL_FORMAT,
  POSTAL_FORMATS,
  customerAddressSchema,
  postalCodeProblem,
  streetProblem,
  cityProblem,
  unprintableProblem,
} from './address';

/**
 * zod's own messages ("Invalid input: expected string, received number") are written for developers. Every issue a
 * schema gives no message of its own is worded here for a person instead, with zod's documented global error map;
 * the messages our schemas set themselves still win. Set here because every API input passes through this module.
 */
z.config({ customError: personWording });

const TYPE_WORDS: Record<string, string> = {
  string: 'must be text',
  number: 'must be a number',
  int: 'must be a whole number',
  boolean: 'must be true or false',
  array: 'must be a list',
  object: 'must be a group of fields',
};

function personWording(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return TYPE_WORDS[issue.expected] ?? 'is not accepted here';
    case 'too_big':
      return `must ${issue.origin === 'array' ? 'have' : 'be'} at most ${String(issue.maximum)}${unitOf(issue.origin)}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'is required';
      return `must ${issue.origin === 'array' ? 'have' : 'be'} at least ${String(issue.minimum)}${unitOf(issue.origin)}`;
    case 'unrecognized_keys': {
      const names = issue.keys.slice(0, 3).map((key) => `"${key.slice(0, 40)}"`);
      const more = issue.keys.length > 3 ? ` and ${issue.keys.length - 3} more` : '';
      return `has ${issue.keys.length === 1 ? 'a field' : 'fields'} we do not accept: ${names.join(', ')}${more}`;
    }
    case 'invalid_value':
      return issue.values.length <= 5
        ? `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`
        : 'is not one of the accepted values';
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_format':
      return 'is not in the expected format';
    default:
      return 'is not in a form we accept';
  }
}

function unitOf(origin: string): string {
  if (origin === 'string') return ' characters';
  if (origin === 'array' || origin === 'set') return ' items';
  return '';
}

/**
 * The order form: everything but the customer (whoever is signed in) and the order's time windows (the server's
 * configuration: a customer does not choose how long a driver has). The customer may name a reward to apply
 * (`rewardId`); whether it applies, and whether delivery is free, the order decides with the loyalty and pass
 * workflows. No field sets a discount or a delivery fee.
 */
export const createOrderInputSchema = orderInputSchema
  .omit({ customerId: true, windows: true })
  .extend({
    // Stricter than the workflow's structural check: an address a driver can find (./address.ts).
    deliveryAddress: customerAddressSchema,
    customerName: optionalTextField(TEXT_LIMITS.customerName),
  })
  .strict();

export type CreateOrderInput = z.input<typeof createOrderInputSchema>;

export const orderRefSchema = z.object({ orderId: orderIdSchema });

export const cancelInputSchema = orderRefSchema.extend({ reason: z.string().trim().max(500).optional() });

export const rateInputSchema = orderRefSchema.extend({
  stars: z.number().int('must be from 1 to 5').min(1, 'must be from 1 to 5').max(5, 'must be from 1 to 5'),
  comment: z.string().trim().max(1000).optional(),
});

/**
 * Subscribing to the delivery pass. The subscription id is made by the browser, once per attempt, like an order id:
 * a retried request finds the same pass instead of charging twice. Price and billing period are the server's.
 */
export const subscribeInputSchema = z
  .object({
    subscriptionId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"'),
    paymentMethod: z.string().trim().min(1, 'is required').max(100),
  })
  .strict();

export type SubscribeInput = z.input<typeof subscribeInputSchema>;

export const cancelPassInputSchema = z.object({ reason: z.string().trim().max(500).optional() }).strict();

/**
 * Customer and driver ids share the order id's character set (letters, digits, "-" and "_"), with room for longer
 * ids from an identity provider. Only values that match are ever written into a visibility query.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** What a person is told about a cursor that did not come from a previous page (the list's `nextCursor`). */
export const CURSOR_MESSAGE = 'must be a cursor from a previous page';

/**
 * A page cursor: the workflow service's nextPageToken, base64, decoded here so a made-up one is a 400 naming the
 * field before anything reaches the server. Temporal's visibility stores write their page tokens as JSON, and the
 * server does not check what it reads back: a token with a wrong type or an impossible date (measured on the dev
 * server: `{"StartTime":"2026-02-30T00:00:00Z"}`) makes it retry for 18 s and answer UNKNOWN. So a cursor must be
 * canonical base64 of exactly the shape the server writes.
 */
export const cursorSchema = z
  .string()
  .max(4096, CURSOR_MESSAGE)
  .transform((value, ctx) => {
    const bytes = pageTokenOf(value);
    if (!bytes) {
      ctx.addIssue({ code: 'custom', message: CURSOR_MESSAGE });
      return z.NEVER;
    }
    return bytes;
  });

/** Go's time.RFC3339Nano as the server parses it: a real calendar date and time, an offset within a day. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

function isRfc3339(value: string): boolean {
  const match = RFC3339.exec(value);
  if (!match) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = match[8] === 'Z' || (Number(match[9]) < 24 && Number(match[10]) < 60);
  const dateOk = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth;
  return dateOk && hour < 24 && minute < 60 && second < 60 && offsetOk;
}

const tokenTime = z.string().refine(isRfc3339);

/** The page tokens Temporal's visibility stores write: SQL (the dev server, PostgreSQL, MySQL) and Elasticsearch. */
const pageTokenSchema = z.union([
  z
    .object({ CloseTime: tokenTime, StartTime: tokenTime, RunID: z.string().max(128) })
    .partial()
    .strict(),
  z
    .object({
      SearchAfter: z.array(z.union([z.string().max(1024), z.number(), z.null()])).max(16),
      PointInTimeID: z.string().max(4096),
    })
    .partial()
    .strict(),
]);

/** The token a cursor carries, or undefined if it is not canonical base64 of a page token's JSON. */
function pageTokenOf(cursor: string): Uint8Array | undefined {
  if (cursor.length === 0 || cursor.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(cursor)) return undefined;
  // atob and TextDecoder, not Buffer: the apps' browser bundles import these schemas too.
  const binary = atob(cursor);
  if (btoa(binary) !== cursor) return undefined;
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  try {
    const token: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return pageTokenSchema.safeParse(token).success ? bytes : undefined;
  } catch {
    return undefined;
  }
}

// Not strict: tRPC's infinite queries add their own `direction` to the input.
export const pageInputSchema = z.object({
  cursor: cursorSchema.optional(),
  limit: z
    .number({ error: 'must be a whole number from 1 to 50' })
    .int('must be a whole number from 1 to 50')
    .min(1, 'must be a whole number from 1 to 50')
    .max(50, 'must be a whole number from 1 to 50')
    .default(20),
});
