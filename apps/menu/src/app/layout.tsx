import '@durable-delivery/ui/styles.css';
import './app.css';
import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import { NONCE_HEADER } from '@durable-delivery/api/server';
import { Suspense, type ReactNode } from 'react';
import { LocalTimeScript } from '@durable-delivery/ui';
import { Header } from './header';
import { NotificationToasts } from './notification-toasts';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: { default: 'Durable Delivery', template: '%s · Durable Delivery' },
  description: 'Order food and follow it to your door.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The page's CSP nonce (src/proxy.ts): reading the request makes every page render per request, as a nonce must.
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    <html lang="en">
      <head>
        {/* Before the body: the reader's own times are written as the page is parsed (see LocalTimeScript). */}
        <LocalTimeScript nonce={nonce} />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <Providers>
          {/* Each Suspense boundary hydrates as its own piece of work, and the browser gets a turn in between:
              without them a page hydrates in one long task, which a phone's slower CPU makes longer than a tap
              should wait (Lighthouse's total blocking time). Only around client components, which render at once on
              the server: around an async page, a boundary would let the server stream the page after the shell. */}
          <Suspense>
            <Header />
          </Suspense>
          {/* Before the page: on a phone the toasts sit here in the flow, covering nothing (app.css). */}
          <Suspense>
            <NotificationToasts />
          </Suspense>
          <main id="main">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
