'use client';

import { DELIVERY_FEE_CENTS, MAX_LINES, MAX_QUANTITY_PER_LINE, findProduct } from '@durable-delivery/catalog';
import { useMemo, useSyncExternalStore } from 'react';

/** A cart is what the customer is about to order: browser state by nature, kept in localStorage across reloads. */
export interface CartLine {
  readonly productId: string;
  readonly quantity: number;
}

export { MAX_LINES, MAX_QUANTITY_PER_LINE };

/** What the dishes in the cart cost, before delivery (the server prices the order itself at checkout). */
export function subtotalOf(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + (findProduct(line.productId)?.priceCents ?? 0) * line.quantity, 0);
}

/** What checkout shows about the customer's perks (the order decides them for itself when it is placed). */
export interface CartPerks {
  readonly freeDelivery: boolean;
  readonly discountCents: number;
}

/** The cart's totals as the summary and the pay button show them: one sum, in one place. */
export function cartTotals(lines: readonly CartLine[], perks?: CartPerks) {
  const subtotalCents = subtotalOf(lines);
  const deliveryCents = perks?.freeDelivery ? 0 : DELIVERY_FEE_CENTS;
  const discountCents = perks?.discountCents ?? 0;
  return { subtotalCents, deliveryCents, discountCents, totalCents: subtotalCents - discountCents + deliveryCents };
}

const STORAGE_KEY = 'durable-delivery.cart';
const EMPTY: readonly CartLine[] = [];

// One store per tab, shared by every component; other tabs' changes arrive through the storage event.
let current: readonly CartLine[] | undefined;
const listeners = new Set<() => void>();

function read(): readonly CartLine[] {
  if (current) return current;
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '[]');
    current = Array.isArray(parsed) ? parsed.filter(isCartLine) : EMPTY;
  } catch {
    current = EMPTY;
  }
  return current;
}

function isCartLine(value: unknown): value is CartLine {
  const line = value as Partial<CartLine> | null;
  return typeof line?.productId === 'string' && isQuantity(line.quantity);
}

/** A quantity one line may hold: a whole number from 1 to MAX_QUANTITY_PER_LINE. */
export function isQuantity(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_QUANTITY_PER_LINE;
}

function write(lines: readonly CartLine[]) {
  current = lines;
  window.localStorage.setItem(STORAGE_KEY, JSON.stringify(lines));
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key !== STORAGE_KEY) return;
    current = undefined;
    listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** Why a dish cannot be added: already the most one line holds, or the cart holds as many dishes as an order may. */
export type AddLimit = 'lineFull' | 'cartFull';

function addLimitOf(lines: readonly CartLine[], productId: string): AddLimit | undefined {
  const line = lines.find((candidate) => candidate.productId === productId);
  if (line) return line.quantity >= MAX_QUANTITY_PER_LINE ? 'lineFull' : undefined;
  return lines.length >= MAX_LINES ? 'cartFull' : undefined;
}

/**
 * Sets a line's quantity. Only quantities a line may hold are taken; anything else is refused (false) rather than
 * cut to fit, so the screen can say why: a cart never silently changes what the customer typed. A line is removed
 * only by `remove`, never by a quantity (an emptied box is a customer about to type a number).
 */
function setQuantity(productId: string, quantity: number): boolean {
  if (!isQuantity(quantity)) return false;
  const lines = read();
  const existing = lines.findIndex((line) => line.productId === productId);
  if (existing === -1) {
    if (lines.length >= MAX_LINES) return false;
    write([...lines, { productId, quantity }]);
  } else {
    write(lines.map((line) => (line.productId === productId ? { productId, quantity } : line)));
  }
  return true;
}

export interface Cart {
  readonly lines: readonly CartLine[];
  /** False until the cart has been read from storage (the server renders an empty cart). */
  readonly ready: boolean;
  readonly count: number;
  setQuantity(productId: string, quantity: number): boolean;
  /** Why this dish cannot be added now, if it cannot. */
  addLimit(productId: string): AddLimit | undefined;
  add(productId: string): boolean;
  remove(productId: string): void;
  clear(): void;
}

const alwaysReady = () => true;
const neverReady = () => false;

/**
 * Every component reads the store itself, with the server's snapshot (an empty cart) while it hydrates. Not through
 * a context above the page: the layout hydrates each Suspense boundary on its own turn, and a context value that had
 * already moved to the browser's cart reached the header while it was still hydrating against the server's HTML
 * ("Cart (0)" there, "Cart (3)" here: a hydration error on every full load with a non-empty cart).
 * useSyncExternalStore renders each component's first pass with getServerSnapshot, then the real cart.
 */
export function useCart(): Cart {
  const lines = useSyncExternalStore(subscribe, read, () => EMPTY);
  const ready = useSyncExternalStore(subscribe, alwaysReady, neverReady);
  return useMemo<Cart>(
    () => ({
      lines,
      ready,
      count: lines.reduce((sum, line) => sum + line.quantity, 0),
      setQuantity,
      // From the rendered snapshot, so what a component shows while hydrating matches the server's HTML.
      addLimit: (productId) => addLimitOf(lines, productId),
      add: (productId) => {
        const latest = read();
        if (addLimitOf(latest, productId)) return false;
        return setQuantity(productId, (latest.find((line) => line.productId === productId)?.quantity ?? 0) + 1);
      },
      remove: (productId) => write(read().filter((line) => line.productId !== productId)),
      clear: () => write(EMPTY),
    }),
    [lines, ready],
  );
}
