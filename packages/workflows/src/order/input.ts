/**
 * What an order is started with, and the workflow's own check of it: whatever starts an order (the API, the
 * Temporal CLI, a script) is re-validated here, and a bad order fails fast with a message naming every problem.
 *
 * Deliberately written without a schema library. Temporal runs every workflow with fresh module state, so a
 * library's start-up cost is paid once per order, not once per process: with zod in this module, building its
 * schemas took about a fifth of the worker's CPU under load (see `pnpm bench`). Callers validate the same input
 * with the zod schema in ../client/schema.ts, whose form errors users see first; a contract test keeps the two in
 * agreement.
 */
import {
  InvalidOrderError,
  MAX_LINES,
  MAX_QUANTITY_PER_LINE,
  priceOrder,
  type PricedOrder,
} from '@durable-delivery/catalog';
import ms from 'ms';

/** A duration as Temporal takes it: milliseconds, or a string like '1 minute' or '90s'. */
export type DurationInput = number | string;

export interface DeliveryAddress {
  readonly street: string;
  readonly city: string;
  readonly postalCode: string;
  readonly instructions?: string;
}

/**
 * The deployment's time windows. The defaults are the seed's one-minute demo windows, short enough for a person to
 * watch every failure mode; a real deployment passes its own.
 */
export interface OrderWindows {
  /** From payment to pickup; past it the order is refunded. */
  readonly pickup: number;
  /** From pickup to delivery; past it the order is refunded. */
  readonly delivery: number;
  /** From delivery to the "rate your meal" notification. */
  readonly ratePrompt: number;
  /** From the rating prompt until ratings are no longer taken and the workflow completes. */
  readonly rating: number;
  /** How long transient payment failures are retried before the order gives up. */
  readonly payment: number;
}

export const DEFAULT_WINDOWS: OrderWindows = {
  pickup: 60_000,
  delivery: 60_000,
  ratePrompt: 60_000,
  rating: 60 * 60_000,
  payment: 5 * 60_000,
};

/** What a caller sends. Windows are optional: the deployment fills in what it configures. */
export interface OrderInput {
  readonly orderId: string;
  readonly customerId: string;
  readonly customerName?: string;
  readonly items: readonly { readonly productId: string; readonly quantity: number }[];
  readonly deliveryAddress: DeliveryAddress;
  /** A card token from the payment provider (see the activities' TEST_CARDS). */
  readonly paymentMethod: string;
  /**
   * A loyalty reward the customer chose to apply (`bronze-1`). The order redeems it before charging; whether it
   * applies, and whether delivery is free, the order asks the loyalty and pass workflows itself.
   */
  readonly rewardId?: string;
  readonly windows?: Partial<Record<keyof OrderWindows, DurationInput>>;
}

export interface ValidOrder {
  /** The input with its strings trimmed. */
  readonly input: OrderInput;
  readonly windows: OrderWindows;
  readonly priced: PricedOrder;
}

export class OrderInputError extends Error {
  override readonly name = 'OrderInputError';
}

export const ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** A loyalty reward's id: a level and a count (`bronze-1`). */
export const REWARD_ID_PATTERN = /^[a-z]{1,16}-\d{1,9}$/;
export const REWARD_ID_PROBLEM = 'must be a reward id like "bronze-1"';
export const MAX_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;
export const TEXT_LIMITS = {
  customerId: 128,
  customerName: 100,
  productId: 64,
  street: 200,
  city: 100,
  postalCode: 20,
  instructions: 500,
  paymentMethod: 100,
} as const;

/** Milliseconds for a valid duration (1 ms to 30 days), or undefined. */
export function parseDuration(value: unknown): number | undefined {
  const millis = typeof value === 'number' ? value : typeof value === 'string' ? ms(value as ms.StringValue) : NaN;
  return typeof millis === 'number' && Number.isFinite(millis) && millis > 0 && millis <= MAX_WINDOW_MS
    ? millis
    : undefined;
}

export const DURATION_PROBLEM = 'expected a duration between 1 ms and 30 days, like 60000 or "1 minute"';

/** Validates and prices an order; throws OrderInputError naming every problem found. */
export function validateOrder(raw: unknown): ValidOrder {
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`${path}: ${message}`);
  if (!isRecord(raw)) throw new OrderInputError('Invalid order: input: expected an object');
  const input = raw;

  const text = (record: Record<string, unknown>, path: string, key: string, max: number, optional = false) => {
    const value = record[key];
    if (value === undefined && optional) return undefined;
    if (typeof value !== 'string') {
      problem(path, value === undefined ? 'is required' : 'must be text');
      return undefined;
    }
    const trimmed = value.trim();
    if (!optional && trimmed === '') problem(path, 'is required');
    else if (trimmed.length > max) problem(path, `must be at most ${max} characters`);
    return trimmed;
  };

  const orderId = input.orderId;
  if (typeof orderId !== 'string' || !ORDER_ID_PATTERN.test(orderId)) {
    problem('orderId', 'must be 1-64 letters, digits, "-" or "_"');
  }
  const customerId = text(input, 'customerId', 'customerId', TEXT_LIMITS.customerId);
  const customerName = text(input, 'customerName', 'customerName', TEXT_LIMITS.customerName, true);

  const items: { productId: string; quantity: number }[] = [];
  if (!Array.isArray(input.items)) problem('items', 'add at least one dish');
  else if (input.items.length === 0) problem('items', 'add at least one dish');
  else if (input.items.length > MAX_LINES) problem('items', `at most ${MAX_LINES} lines`);
  else {
    input.items.forEach((item: unknown, index) => {
      const path = `items[${index}]`;
      if (!isRecord(item)) return void problem(path, 'expected an object');
      const productId = text(item, `${path}.productId`, 'productId', TEXT_LIMITS.productId);
      const { quantity } = item;
      if (
        typeof quantity !== 'number' ||
        !Number.isInteger(quantity) ||
        quantity < 1 ||
        quantity > MAX_QUANTITY_PER_LINE
      ) {
        problem(`${path}.quantity`, `must be a whole number from 1 to ${MAX_QUANTITY_PER_LINE}`);
      } else if (productId !== undefined) items.push({ productId, quantity });
    });
  }

  let deliveryAddress: DeliveryAddress | undefined;
  if (!isRecord(input.deliveryAddress)) problem('deliveryAddress', 'is required');
  else {
    const address = input.deliveryAddress;
    const street = text(address, 'deliveryAddress.street', 'street', TEXT_LIMITS.street);
    const city = text(address, 'deliveryAddress.city', 'city', TEXT_LIMITS.city);
    const postalCode = text(address, 'deliveryAddress.postalCode', 'postalCode', TEXT_LIMITS.postalCode);
    const instructions = text(address, 'deliveryAddress.instructions', 'instructions', TEXT_LIMITS.instructions, true);
    if (street !== undefined && city !== undefined && postalCode !== undefined) {
      deliveryAddress = { street, city, postalCode, ...(instructions ? { instructions } : {}) };
    }
  }
  const paymentMethod = text(input, 'paymentMethod', 'paymentMethod', TEXT_LIMITS.paymentMethod);
  const { rewardId } = input;
  if (rewardId !== undefined && (typeof rewardId !== 'string' || !REWARD_ID_PATTERN.test(rewardId))) {
    problem('rewardId', REWARD_ID_PROBLEM);
  }

  const windows: Record<string, number> = { ...DEFAULT_WINDOWS };
  if (input.windows !== undefined) {
    if (!isRecord(input.windows)) problem('windows', 'expected an object');
    else {
      for (const [key, value] of Object.entries(input.windows)) {
        if (!(key in DEFAULT_WINDOWS))
          problem(`windows.${key}`, `unknown window (known: ${Object.keys(DEFAULT_WINDOWS).join(', ')})`);
        else if (value === undefined) continue;
        else {
          const millis = parseDuration(value);
          if (millis === undefined) problem(`windows.${key}`, `${DURATION_PROBLEM}, got ${JSON.stringify(value)}`);
          else windows[key] = millis;
        }
      }
    }
  }

  if (problems.length > 0) throw new OrderInputError(`Invalid order: ${problems.join('; ')}`);
  try {
    return {
      input: {
        orderId: orderId as string,
        customerId: customerId!,
        ...(customerName ? { customerName } : {}),
        items,
        deliveryAddress: deliveryAddress!,
        paymentMethod: paymentMethod!,
        ...(typeof rewardId === 'string' ? { rewardId } : {}),
        windows,
      },
      windows: windows as unknown as OrderWindows,
      priced: priceOrder(items),
    };
  } catch (error) {
    if (error instanceof InvalidOrderError) throw new OrderInputError(`Invalid order: ${error.message}`);
    throw error;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
