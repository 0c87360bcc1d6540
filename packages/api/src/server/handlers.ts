import { logJson } from '@durable-delivery/telemetry';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { customerAppRouter, driverAppRouter } from '../root';
import { MAX_BATCH_CALLS } from '../batch';
import { driverSignInSchema } from '../schemas';
import { createContext, type Context } from '../trpc';
import type { AppConfig } from './config';
import {
  CUSTOMER_COOKIE,
  DRIVER_COOKIE,
  clearedDriverCookie,
  cookieValue,
  driverCookie,
  passcodeMatches,
  unsealIdentity,
} from './session';
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

/** The driver app's API: every procedure needs the signed-in driver and acts as that driver. */
export function driverApiHandler(config: AppConfig): Handler {
  const identify = async (req: Request) =>
    (await unsealIdentity(cookieValue(req.headers.get('cookie'), DRIVER_COOKIE), config, 'driver'))?.id;
  return limitedApi(config, identify, ({ request: req }) =>
    fetchRequestHandler({
      endpoint: TRPC_ENDPOINT,
      req,
      router: driverAppRouter,
      maxBatchSize: MAX_BATCH_CALLS,
      createContext: () => driverContext(config, cookieValue(req.headers.get('cookie'), DRIVER_COOKIE)),
    }),
  );
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
export async function driverApiCaller(config: AppConfig, sealedCookie: string | undefined): Promise<DriverApiCaller> {
  return driverAppRouter.createCaller(await driverContext(config, sealedCookie));
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

async function driverContext(config: AppConfig, sealedCookie: string | undefined): Promise<Context> {
  return createContext({
    temporal: await temporalClient(config),
    driver: await unsealIdentity(sealedCookie, config, 'driver'),
    metrics: appMetrics().api,
    log: logJson,
  });
}

/**
 * Driver sign-in and sign-out (app/api/session/route.ts): POST { name, passcode } signs in, DELETE signs out.
 * Answers JSON in the shape the tRPC errors use, so the sign-in form shows field errors the same way.
 */
export function driverSessionHandlers(config: AppConfig): { POST: Handler; DELETE: Handler } {
  return {
    async POST(req) {
      const body: unknown = await req.json().catch(() => undefined);
      const parsed = driverSignInSchema.safeParse(body);
      if (!parsed.success) {
        const fieldErrors: Record<string, string[]> = {};
        for (const issue of parsed.error.issues)
          (fieldErrors[issue.path.join('.') || '(input)'] ??= []).push(issue.message);
        return Response.json({ message: 'Check the highlighted fields.', fieldErrors }, { status: 400 });
      }
      if (!passcodeMatches(parsed.data.passcode, config.driverPasscode)) {
        return Response.json({ message: 'That passcode is not right.' }, { status: 401 });
      }
      return Response.json(
        { driver: { id: parsed.data.name } },
        { headers: { 'set-cookie': await driverCookie(parsed.data.name, config) } },
      );
    },
    DELETE() {
      return Promise.resolve(
        new Response(null, { status: 204, headers: { 'set-cookie': clearedDriverCookie(config) } }),
      );
    },
  };
}
