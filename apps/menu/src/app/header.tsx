'use client';

import Link from 'next/link';
import { useCart } from '../lib/cart';

export function Header() {
  const cart = useCart();
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link className="brand" href="/">
          Durable Delivery
        </Link>
        <nav className="site-nav" aria-label="Main">
          <Link href="/">Menu</Link>
          <Link href="/orders">My orders</Link>
          <Link href="/rewards">Rewards</Link>
          <Link href="/checkout">
            Cart ({cart.count})<span className="visually-hidden"> {cart.count === 1 ? 'item' : 'items'}</span>
          </Link>
        </nav>
      </div>
    </header>
  );
}
