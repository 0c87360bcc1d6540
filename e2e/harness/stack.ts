import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startStack as startWholeStack } from '@durable-delivery/stack';

export const ARTIFACTS = resolve(__dirname, '../artifacts');

/** Where each piece of the running stack answers; the specs read these from the environment. */
export interface StackUrls {
  readonly menu: string;
  /** A second menu server whose orders get a short pick-up window, for the refund flow. */
  readonly menuShortPickup: string;
  /** A menu server whose orders get a short delivery window: a driver holds an order as its window closes. */
  readonly menuShortDelivery: string;
  readonly driver: string;
  /**
   * The fuzz's own servers of both apps: the same builds and checks, with per-client rates raised (the fuzz sends
   * thousands of calls as one customer and one driver; the limits have specs of their own, on the servers above).
   */
  readonly menuFuzz: string;
  readonly driverFuzz: string;
  readonly temporal: string;
  /** The dev server's Web UI, which decodes payloads through the codec server (the Temporal UI spec). */
  readonly temporalUi: string;
  readonly codecServer: string;
  readonly codecServerToken: string;
  /** The driver app's accounts store, where the specs create their drivers (harness/app.ts newDriver). */
  readonly accountsDatabaseUrl: string;
  /** Where Prometheus scrapes each process (the observability spec), with the token every metrics endpoint wants. */
  readonly scrape: {
    readonly token: string;
    /** host:port of the worker's health server, whose /metrics relays the SDK's endpoint. */
    readonly worker: string;
    readonly payments: string;
    readonly notifications: string;
  };
}

const FUZZ_RATES = { RATE_LIMIT_QUERIES: '2000/10s', RATE_LIMIT_MUTATIONS: '2000/10s' };

/**
 * The whole real stack, as production runs it (@durable-delivery/stack): a Temporal dev server with its Web UI wired
 * to the codec server, the payment and notification services, the built worker calling them, and `next-serve` on
 * the production builds of both apps, encrypted with a key made for the run. Windows are shortened by configuration
 * only (ORDER_* variables), exactly as an operator would. Every process's output goes to artifacts/stack.log.
 */
export async function startStack(): Promise<{ urls: StackUrls; stop: () => Promise<void> }> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const stack = await startWholeStack({
    label: 'e2e',
    temporal: { ui: true },
    logFile: join(ARTIFACTS, 'stack.log'),
    env: {
      apps: {
        // Long enough for a person (or a slow machine) to act; the rating tail short, so orders finish. Longer than
        // the whole suite takes on a busy machine (20 minutes and more), so that no order a spec leaves waiting
        // refunds in a later spec: the metrics spec counts every refund the payment service makes.
        ORDER_PICKUP_WINDOW: '60 minutes',
        ORDER_DELIVERY_WINDOW: '60 minutes',
        ORDER_RATE_PROMPT_DELAY: '1 second',
        ORDER_RATING_WINDOW: '10 minutes',
        // The pass's billing period, by configuration like the windows: the pass page shows it.
        PASS_BILLING_PERIOD: '10 minutes',
      },
    },
    moreApps: [
      { name: 'menu-short-pickup', app: 'menu', env: { ORDER_PICKUP_WINDOW: '8 seconds' } },
      { name: 'menu-short-delivery', app: 'menu', env: { ORDER_DELIVERY_WINDOW: '20 seconds' } },
      { name: 'menu-fuzz', app: 'menu', env: FUZZ_RATES },
      { name: 'driver-fuzz', app: 'driver', env: FUZZ_RATES },
    ],
  });
  const { urls } = stack;
  // The browser opens the apps on localhost: a secure context, so the apps' secure cookies come back.
  const browserUrl = (name: string) => `http://localhost:${stack.app(name).port}`;
  return {
    urls: {
      menu: browserUrl('menu'),
      menuShortPickup: browserUrl('menu-short-pickup'),
      menuShortDelivery: browserUrl('menu-short-delivery'),
      driver: browserUrl('driver'),
      menuFuzz: browserUrl('menu-fuzz'),
      driverFuzz: browserUrl('driver-fuzz'),
      temporal: stack.temporal.address,
      temporalUi: urls.temporalUi ?? '',
      codecServer: urls.codecServer ?? '',
      codecServerToken: stack.codecServerToken,
      accountsDatabaseUrl: stack.accountsDatabaseUrl,
      scrape: {
        token: stack.metricsToken,
        worker: stack.workers[0] ? new URL(stack.workers[0].healthUrl).host : '',
        payments: urls.payments ?? '',
        notifications: urls.notifications ?? '',
      },
    },
    stop: () => stack.stop(),
  };
}
