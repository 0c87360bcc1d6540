'use client';

import Link from 'next/link';
import { useCart } from '../lib/cart';

// No prefetching from the header: it is on every page, and prefetching its four routes as each page loads fetched
// their code too (checkout's form and schemas are the largest) while the page itself was still starting.
export function Header() {
  const cart = useCart();
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link className="brand" href="/" prefetch={false}>
          Durable Delivery
        </Link>
        <nav className="site-nav" aria-label="Main">
          <Link href="/" prefetch={false}>
            Menu
          </Link>
          <Link href="/orders" prefetch={false}>
            My orders
          </Link>
          <Link href="/rewards" prefetch={false}>
            Rewards
          </Link>
          <Link href="/checkout" prefetch={false}>
            Cart ({cart.count})<span className="visually-hidden"> {cart.count === 1 ? 'item' : 'items'}</span>
          </Link>
        </nav>
      </div>
    </header>
  );
}
