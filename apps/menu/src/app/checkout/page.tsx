import type { Metadata } from 'next';
import { CartSummary } from '../cart-summary';
import { CheckoutForm } from './checkout-form';

export const metadata: Metadata = { title: 'Checkout' };

export default function CheckoutPage() {
  return (
    <div className="two-columns">
      <section aria-labelledby="checkout-title">
        <h1 id="checkout-title">Checkout</h1>
        <CheckoutForm />
      </section>
      <CartSummary checkout />
    </div>
  );
}
