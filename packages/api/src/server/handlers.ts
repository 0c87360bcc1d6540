import { logJson } from '@durable-delivery/telemetry';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { customerAppRouter, driverAppRouter } from '../root';
import { MAX_BATCH_CALLS } from '../batch';
import { createContext, type Context, type Driver } from '../trpc';
import type { AppConfig } from './config';
import { CUSTOMER_COOKIE, cookieValue, unsealIdentity } from './session';
import { appMetrics } from './observability';
import { limitedApi } from './limits';
import { temporalClient } from './temporal';

/** Where each app mounts its tRPC handler (app/api/trpc/[trpc]/route.ts). */
export const TRPC_ENDPOINT = '/api/trpc';

type Handler = (request: Request) => Promise<Response>;

/**
 * The menu app's API. The customer is whoever the sealed cookie says (the app's proxy issues one on the first
 * visit); the driver cookie is never read here, and the customer router has no driver procedure.
 */
export function menuApiHandler(config: AppConfig): Handler {
  const identify = async (req: Request) =>
    (await unsealIdentity(cookieValue(req.headers.get('cookie'), CUSTOMER_COOKIE), config, 'customer'))?.id;
  return limitedApi(config, identify, ({ request: req }) =>
    fetchRequestHandler({
      endpoint: TRPC_ENDPOINT,
      req,
      router: customerAppRouter,
      maxBatchSize: MAX_BATCH_CALLS,
      createContext: () => customerContext(config, cookieValue(req.headers.get('cookie'), CUSTOMER_COOKIE)),
    }),
  );
}

/**
 * Who a request's session names: the driver app passes its accounts' lookup (@durable-delivery/accounts), which
 * reads the session cookie and finds the live session in the database; undefined for anyone else.
 */
export type DriverIdentity = (headers: Headers) => Promise<Driver | undefined>;

/** The driver app's API: every procedure needs the signed-in driver and acts as that driver. */
export function driverApiHandler(config: AppConfig, identify: DriverIdentity): Handler {
  return async (original) => {
    // One session lookup per request: the limits key on the driver it finds, and the procedures act as that driver.
    const driver = await identify(original.headers);
    return limitedApi(
      config,
      () => Promise.resolve(driver?.id),
      ({ request: req }) =>
        fetchRequestHandler({
          endpoint: TRPC_ENDPOINT,
          req,
          router: driverAppRouter,
          maxBatchSize: MAX_BATCH_CALLS,
          createContext: () => driverContext(config, driver),
        }),
    )(original);
  };
}

/**
 * The same API for the apps' server components, which render a page's first data into its HTML: the same
 * procedures, checks and identity (the sealed cookie's value, from `cookies()`), called in process instead of over
 * HTTP. A customer's server-rendered page can therefore show nothing the API would not answer that customer.
 */
export async function customerApiCaller(
  config: AppConfig,
  sealedCookie: string | undefined,
): Promise<CustomerApiCaller> {
  return customerAppRouter.createCaller(await customerContext(config, sealedCookie));
}

/** The driver API for the driver app's server components: a signed-out visitor gets UNAUTHORIZED, as over HTTP. */
export async function driverApiCaller(config: AppConfig, driver: Driver | undefined): Promise<DriverApiCaller> {
  return driverAppRouter.createCaller(await driverContext(config, driver));
}

export type CustomerApiCaller = ReturnType<typeof customerAppRouter.createCaller>;
export type DriverApiCaller = ReturnType<typeof driverAppRouter.createCaller>;

async function customerContext(config: AppConfig, sealedCookie: string | undefined): Promise<Context> {
  return createContext({
    temporal: await temporalClient(config),
    customer: await unsealIdentity(sealedCookie, config, 'customer'),
    orderWindows: config.orderWindows,
    metrics: appMetrics().api,
    log: logJson,
    passSettings: config.passSettings,
  });
}

async function driverContext(config: AppConfig, driver: Driver | undefined): Promise<Context> {
  return createContext({
    temporal: await temporalClient(config),
    driver,
    metrics: appMetrics().api,
    log: logJson,
  });
}
