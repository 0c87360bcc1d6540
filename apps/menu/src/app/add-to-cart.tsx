'use client';

import { MAX_LINES, MAX_QUANTITY_PER_LINE, useCart } from '../lib/cart';

/** Adds one of a dish; at a limit the button says so instead of doing nothing. */
export function AddToCart({ productId, productName }: { productId: string; productName: string }) {
  const cart = useCart();
  const quantity = cart.lines.find((line) => line.productId === productId)?.quantity ?? 0;
  const limit = cart.addLimit(productId);
  const note =
    limit === 'lineFull'
      ? `${MAX_QUANTITY_PER_LINE} is the most of one dish per order`
      : limit === 'cartFull'
        ? `An order holds at most ${MAX_LINES} different dishes`
        : undefined;
  return (
    <span className="add-to-cart">
      <button
        type="button"
        className="button button-small"
        onClick={() => cart.add(productId)}
        disabled={limit !== undefined}
        aria-label={`Add ${productName} to cart${quantity > 0 ? `, ${quantity} in cart` : ''}`}
        aria-describedby={note ? `add-limit-${productId}` : undefined}
      >
        Add{quantity > 0 ? ` (${quantity})` : ''}
      </button>
      {note ? (
        <span id={`add-limit-${productId}`} className="field-hint" data-testid="add-limit">
          {note}
        </span>
      ) : null}
    </span>
  );
}
