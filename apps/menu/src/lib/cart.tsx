'use client';

import { MAX_LINES, MAX_QUANTITY_PER_LINE, findProduct } from '@durable-delivery/catalog';
import { createContext, useCallback, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';

/** A cart is what the customer is about to order: browser state by nature, kept in localStorage across reloads. */
export interface CartLine {
  readonly productId: string;
  readonly quantity: number;
}

/** What the dishes in the cart cost, before delivery (the server prices the order itself at checkout). */
export function subtotalOf(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + (findProduct(line.productId)?.priceCents ?? 0) * line.quantity, 0);
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
  return (
    typeof line?.productId === 'string' &&
    typeof line.quantity === 'number' &&
    Number.isInteger(line.quantity) &&
    line.quantity >= 1 &&
    line.quantity <= MAX_QUANTITY_PER_LINE
  );
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

interface Cart {
  readonly lines: readonly CartLine[];
  /** False until the cart has been read from storage (the server renders an empty cart). */
  readonly ready: boolean;
  readonly count: number;
  setQuantity(productId: string, quantity: number): void;
  add(productId: string): void;
  clear(): void;
}

const CartContext = createContext<Cart | undefined>(undefined);

export function CartProvider({ children }: { children: ReactNode }) {
  const lines = useSyncExternalStore(subscribe, read, () => EMPTY);
  const ready = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );

  const setQuantity = useCallback((productId: string, quantity: number) => {
    const clamped = Math.max(0, Math.min(MAX_QUANTITY_PER_LINE, Math.floor(quantity)));
    const lines = read();
    const others = lines.filter((line) => line.productId !== productId);
    if (clamped === 0) return write(others);
    const existing = lines.findIndex((line) => line.productId === productId);
    if (existing === -1 && lines.length >= MAX_LINES) return;
    write(
      existing === -1
        ? [...lines, { productId, quantity: clamped }]
        : lines.map((line) => (line.productId === productId ? { productId, quantity: clamped } : line)),
    );
  }, []);

  const cart = useMemo<Cart>(
    () => ({
      lines,
      ready,
      count: lines.reduce((sum, line) => sum + line.quantity, 0),
      setQuantity,
      add: (productId) =>
        setQuantity(productId, (lines.find((line) => line.productId === productId)?.quantity ?? 0) + 1),
      clear: () => write(EMPTY),
    }),
    [lines, ready, setQuantity],
  );
  return <CartContext.Provider value={cart}>{children}</CartContext.Provider>;
}

export function useCart(): Cart {
  const cart = useContext(CartContext);
  if (!cart) throw new Error('useCart() needs a <CartProvider> above it');
  return cart;
}
