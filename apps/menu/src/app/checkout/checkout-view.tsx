'use client';

import { formatCents } from '@durable-delivery/catalog';
import { cartTotals, useCart } from '../../lib/cart';
import { CartSummary } from '../cart-summary';
import { CheckoutForm } from './checkout-form';
import { useCheckoutPerks } from './reward-choice';

/** The form and the cart side by side, sharing the perks: the summary shows what the chosen reward and pass change. */
export function CheckoutView() {
  const perks = useCheckoutPerks();
  const cart = useCart();
  const cartPerks = { freeDelivery: perks.freeDelivery, discountCents: perks.reward?.amountCents ?? 0 };
  const { totalCents } = cartTotals(cart.lines, cartPerks);
  return (
    <>
      {/* On a phone the cart comes after the form: this bar keeps the total in sight from the top of the page and
          leads to the cart. Hidden beside the form on wider screens, where the cart itself is in view. */}
      {cart.ready && cart.count > 0 ? (
        <div className="checkout-bar" data-testid="checkout-bar">
          <span>
            {cart.count} {cart.count === 1 ? 'item' : 'items'} · Total <strong>{formatCents(totalCents)}</strong>
          </span>
          <a href="#cart-title">Review cart</a>
        </div>
      ) : null}
      <div className="two-columns">
        <section aria-labelledby="checkout-title">
          <h1 id="checkout-title">Checkout</h1>
          <CheckoutForm perks={perks} totalCents={totalCents} />
        </section>
        <CartSummary checkout perks={cartPerks} />
      </div>
    </>
  );
}
