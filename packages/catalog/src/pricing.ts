import { findProduct, type Product } from './products';

/** What one order is made of, as a customer puts it in the cart. */
export interface LineItem {
  readonly productId: string;
  readonly quantity: number;
}

export interface PricedLine {
  readonly product: Product;
  readonly quantity: number;
  readonly lineTotalCents: number;
}

export interface PricedOrder {
  readonly lines: readonly PricedLine[];
  readonly subtotalCents: number;
  readonly deliveryFeeCents: number;
  readonly totalCents: number;
}

/** Flat delivery fee, in cents. */
export const DELIVERY_FEE_CENTS = 299;
/** Limits that keep a cart sane for a kitchen and a single driver. */
export const MAX_QUANTITY_PER_LINE = 20;
export const MAX_LINES = 20;

/** Why a cart cannot be priced, in words a customer or an operator can act on. */
export class InvalidOrderError extends Error {
  override readonly name = 'InvalidOrderError';
}

/**
 * Prices a cart. Lines for the same product are merged, so a cart built by repeated clicks prices the same as
 * one with a quantity. Throws InvalidOrderError naming the first problem it finds.
 */
export function priceOrder(items: readonly LineItem[]): PricedOrder {
  if (items.length === 0) throw new InvalidOrderError('The order has no items: add at least one dish.');

  const quantities = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    const product = findProduct(item.productId);
    if (!product) throw new InvalidOrderError(`Item ${index + 1}: unknown product "${item.productId}".`);
    if (!Number.isInteger(item.quantity) || item.quantity < 1) {
      throw new InvalidOrderError(
        `Item ${index + 1} (${product.name}): quantity must be a whole number of at least 1, got ${String(item.quantity)}.`,
      );
    }
    quantities.set(product.id, (quantities.get(product.id) ?? 0) + item.quantity);
  }
  if (quantities.size > MAX_LINES) {
    throw new InvalidOrderError(`An order can hold at most ${MAX_LINES} different dishes, got ${quantities.size}.`);
  }

  const lines: PricedLine[] = [];
  for (const [productId, quantity] of quantities) {
    const product = findProduct(productId)!;
    if (quantity > MAX_QUANTITY_PER_LINE) {
      throw new InvalidOrderError(`${product.name}: at most ${MAX_QUANTITY_PER_LINE} per order, got ${quantity}.`);
    }
    lines.push({ product, quantity, lineTotalCents: product.priceCents * quantity });
  }
  const subtotalCents = lines.reduce((sum, line) => sum + line.lineTotalCents, 0);
  return { lines, subtotalCents, deliveryFeeCents: DELIVERY_FEE_CENTS, totalCents: subtotalCents + DELIVERY_FEE_CENTS };
}

/** "$24.00" — the one place cents become a price label. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
