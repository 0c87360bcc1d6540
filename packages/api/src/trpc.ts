import { initTRPC, TRPCError } from '@trpc/server';
import type { OrderWindows, PassSettings } from '@durable-delivery/workflows';
import type { Client } from '@temporalio/client';
import { ZodError } from 'zod';
import { toTRPCError } from './errors';
import { ID_PATTERN } from './ids';

export interface Customer {
  readonly id: string;
  readonly name?: string;
}

export interface Driver {
  readonly id: string;
}

export interface Context {
  readonly temporal: Client;
  readonly customer?: Customer;
  readonly driver?: Driver;
  /** The windows new orders get, from the app's configuration; unset means the workflow's defaults. */
  readonly orderWindows?: Partial<OrderWindows>;
  /** The billing period and renewal retries new passes get, from the app's configuration; unset: the defaults. */
  readonly passSettings?: Partial<PassSettings>;
}

/**
 * The apps create one Temporal client per process and read identity from their signed cookie; each request then
 * gets a context built from both. Nothing here connects or reads the environment.
 */
export function createContext(deps: Context): Context {
  return {
    temporal: deps.temporal,
    customer: deps.customer,
    driver: deps.driver,
    orderWindows: deps.orderWindows,
    passSettings: deps.passSettings,
  };
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    // Stacks describe our code, not the request: never send them, whatever NODE_ENV says.
    const { stack: _stack, ...data } = shape.data;
    const fieldErrors =
      error.code === 'BAD_REQUEST' && error.cause instanceof ZodError ? fieldErrorsOf(error.cause) : undefined;
    if (!fieldErrors) return { ...shape, data };
    // zod's own message is a JSON dump of its issues; people get one sentence naming each field.
    const message = `Invalid input: ${Object.entries(fieldErrors)
      .map(([field, problems]) => `${field} ${problems.join(', ')}`)
      .join('; ')}.`;
    return { ...shape, message, data: { ...data, fieldErrors } };
  },
});

/** `{ 'deliveryAddress.street': ['is required'] }`: nested fields keyed by their path, as forms name them. */
function fieldErrorsOf(error: ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.') || '(input)';
    (fields[path] ??= []).push(issue.message);
  }
  return fields;
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// Every procedure maps what it throws in one place, so a Temporal error never reaches a client raw.
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  // tRPC wraps anything that is not a TRPCError as INTERNAL_SERVER_ERROR, keeping the original as the cause.
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR')
    throw toTRPCError(result.error.cause ?? result.error);
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

// Ids go into visibility queries: an identity outside the id character set is refused rather than escaped.
export const customerProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.customer || !ID_PATTERN.test(ctx.customer.id)) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to order.' });
  }
  return next({ ctx: { ...ctx, customer: ctx.customer } });
});

export const driverProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.driver || !ID_PATTERN.test(ctx.driver.id)) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in as a driver.' });
  }
  return next({ ctx: { ...ctx, driver: ctx.driver } });
});
