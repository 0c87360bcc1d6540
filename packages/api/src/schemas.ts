/**
 * The API's inputs as zod schemas, importable on their own as `@durable-delivery/api/schemas`: this module loads no
 * Temporal package, so the apps' forms validate with exactly the rules the server applies, without shipping the
 * Temporal client to the browser.
 */
// First: zod reads its configuration as each schema is made, and the imports below make schemas.
import './zod-config';
import {
  deliveryAddressSchema,
  lineItemSchema,
  orderIdSchema,
  orderInputSchema,
  rewardIdSchema,
} from '@durable-delivery/workflows/schema';
import { z } from 'zod';

export { deliveryAddressSchema, lineItemSchema, orderIdSchema, rewardIdSchema };

/**
 * The order form: everything but the customer (whoever is signed in) and the order's time windows (the server's
 * configuration: a customer does not choose how long a driver has). The customer may name a reward to apply
 * (`rewardId`); whether it applies, and whether delivery is free, the order decides with the loyalty and pass
 * workflows. No field sets a discount or a delivery fee.
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
