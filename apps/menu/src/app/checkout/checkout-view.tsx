'use client';

import { CartSummary } from '../cart-summary';
import { CheckoutForm } from './checkout-form';
import { useCheckoutPerks } from './reward-choice';

/** The form and the cart side by side, sharing the perks: the summary shows what the chosen reward and pass change. */
export function CheckoutView() {
  const perks = useCheckoutPerks();
  return (
    <div className="two-columns">
      <section aria-labelledby="checkout-title">
        <h1 id="checkout-title">Checkout</h1>
        <CheckoutForm perks={perks} />
      </section>
      <CartSummary
        checkout
        perks={{ freeDelivery: perks.freeDelivery, discountCents: perks.reward?.amountCents ?? 0 }}
      />
    </div>
  );
}
