'use client';

import { DELIVERY_FEE_CENTS, findProduct, formatCents } from '@durable-delivery/catalog';
import Link from 'next/link';
import { MAX_LINES, MAX_QUANTITY_PER_LINE, cartTotals, useCart, type CartPerks } from '../lib/cart';
import { QuantityInput } from './quantity-input';

/**
 * The cart with quantities and totals; `checkout` hides the link to the page the customer is already on. `perks`
 * (at checkout) shows what the customer's pass and chosen reward will take off; the order decides it for itself.
 */
export function CartSummary({ checkout = false, perks }: { checkout?: boolean; perks?: CartPerks }) {
  const cart = useCart();
  const lines = cart.lines.flatMap((line) => {
    const product = findProduct(line.productId);
    return product ? [{ ...line, product, totalCents: product.priceCents * line.quantity }] : [];
  });
  const { subtotalCents, discountCents, totalCents } = cartTotals(cart.lines, perks);

  return (
    <aside className="card cart" aria-labelledby="cart-title">
      <h2 id="cart-title">Your cart</h2>
      {!cart.ready ? (
        <div className="skeleton" aria-label="Loading your cart" />
      ) : lines.length === 0 ? (
        <p className="muted">Your cart is empty. Add a dish from the menu.</p>
      ) : (
        <>
          <ul className="table-list">
            {lines.map((line) => (
              <li key={line.productId} className="cart-line" data-product={line.productId}>
                <label className="cart-line-name" htmlFor={`quantity-${line.productId}`}>
                  {line.product.name}
                </label>
                <QuantityInput productId={line.productId} productName={line.product.name} />
                <span id={`line-total-${line.productId}`} className="cart-line-total">
                  {formatCents(line.totalCents)}
                </span>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => cart.remove(line.productId)}
                  aria-label={`Remove ${line.product.name}`}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <p className="field-hint" data-testid="cart-limits">
            Up to {MAX_QUANTITY_PER_LINE} of each dish, and {MAX_LINES} different dishes, per order.
          </p>
          <dl className="totals">
            <dt>Subtotal</dt>
            <dd>{formatCents(subtotalCents)}</dd>
            <dt>Delivery</dt>
            <dd data-testid="cart-delivery">
              {perks?.freeDelivery ? (
                <>
                  <s aria-label={`instead of ${formatCents(DELIVERY_FEE_CENTS)}`}>{formatCents(DELIVERY_FEE_CENTS)}</s>{' '}
                  Free
                </>
              ) : (
                formatCents(DELIVERY_FEE_CENTS)
              )}
            </dd>
            {discountCents > 0 ? (
              <>
                <dt>Reward</dt>
                <dd data-testid="cart-discount">−{formatCents(discountCents)}</dd>
              </>
            ) : null}
            <dt>Total</dt>
            <dd className="total" data-testid="cart-total">
              {formatCents(totalCents)}
            </dd>
          </dl>
          {checkout ? null : (
            <Link className="button" href="/checkout">
              Go to checkout
            </Link>
          )}
        </>
      )}
    </aside>
  );
}
