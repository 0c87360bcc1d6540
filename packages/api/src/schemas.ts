/**
 * The API's inputs as zod schemas, importable on their own as `@durable-delivery/api/schemas`: this module loads no
 * Temporal package, so the apps' forms validate with exactly the rules the server applies, without shipping the
 * Temporal client to the browser.
 */
import {
  deliveryAddressSchema,
  lineItemSchema,
  orderIdSchema,
  orderInputSchema,
} from '@durable-delivery/workflows/schema';
import { z } from 'zod';

export { deliveryAddressSchema, lineItemSchema, orderIdSchema };

/**
 * The order form: everything but the customer (whoever is signed in) and the order's time windows (the server's
 * configuration: a customer does not choose how long a driver has).
 */
export const createOrderInputSchema = orderInputSchema.omit({ customerId: true, windows: true }).strict();

export type CreateOrderInput = z.input<typeof createOrderInputSchema>;

export const orderRefSchema = z.object({ orderId: orderIdSchema });

export const cancelInputSchema = orderRefSchema.extend({ reason: z.string().trim().max(500).optional() });

export const rateInputSchema = orderRefSchema.extend({
  stars: z.number().int('must be from 1 to 5').min(1, 'must be from 1 to 5').max(5, 'must be from 1 to 5'),
  comment: z.string().trim().max(1000).optional(),
});

/**
 * Customer and driver ids share the order id's character set (letters, digits, "-" and "_"), with room for longer
 * ids from an identity provider. Only values that match are ever written into a visibility query.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** An opaque page cursor: the server's nextPageToken, base64. */
export const cursorSchema = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be a cursor from a previous page');

export const pageInputSchema = z.object({
  cursor: cursorSchema.optional(),
  limit: z.number().int().min(1).max(50).default(20),
});

/** The driver sign-in form. The name becomes the driver id, so it keeps to the id character set. */
export const driverSignInSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(40, 'must be at most 40 characters')
    .regex(/^[A-Za-z0-9_-]+$/, 'may use letters, digits, "-" and "_" only'),
  passcode: z.string().min(1, 'is required').max(200),
});
