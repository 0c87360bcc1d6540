import '@durable-delivery/ui/styles.css';
import './app.css';
import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { Header } from './header';
import { NotificationToasts } from './notification-toasts';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: { default: 'Durable Delivery', template: '%s · Durable Delivery' },
  description: 'Order food and follow it to your door.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <Providers>
          <Header />
          <main id="main">{children}</main>
          <NotificationToasts />
        </Providers>
      </body>
    </html>
  );
}
