import '@durable-delivery/ui/styles.css';
import './app.css';
import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import { NONCE_HEADER } from '@durable-delivery/api/server';
import type { ReactNode } from 'react';
import { LocalTimeScript } from '@durable-delivery/ui';
import { signedInDriver } from '../server/driver';
import { Providers } from './providers';
import { SignOut } from './sign-out';

export const metadata: Metadata = {
  title: { default: 'Durable Delivery for drivers', template: '%s · Durable Delivery for drivers' },
  description: 'Pick up orders and deliver them.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const driver = await signedInDriver();
  // The page's CSP nonce (src/proxy.ts): reading the request makes every page render per request, as a nonce must.
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    <html lang="en">
      <head>
        {/* Before the body: the reader's own times are written as the page is parsed (see LocalTimeScript). */}
        <LocalTimeScript nonce={nonce} />
      </head>
      <body>
        {/* Around the header too: signing out (in the header) stops the board's refreshes first. */}
        <Providers>
          <a className="skip-link" href="#main">
            Skip to content
          </a>
          <header className="site-header">
            <div className="site-header-inner">
              <a className="brand" href="/">
                Durable Delivery · Drivers
              </a>
              {driver ? (
                <nav className="site-nav" aria-label="Account">
                  <span>
                    Signed in as <strong data-testid="driver-name">{driver.name}</strong>
                  </span>
                  <SignOut />
                </nav>
              ) : null}
            </div>
          </header>
          <main id="main">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
