import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { logJson } from '@durable-delivery/telemetry';
import { initTRPC, TRPCError } from '@trpc/server';
import type { OrderWindows, PassSettings } from '@durable-delivery/workflows';
import type { Client } from '@temporalio/client';
import { ZodError } from 'zod';
import { OrderEndedError, refusalForDriver, toTRPCError } from './errors';
import { ID_PATTERN } from './ids';
import type { ApiMetrics } from './metrics';

export interface Customer {
  readonly id: string;
  readonly name?: string;
}

/** A signed-in driver: `id` is the account's stable id (the workflow's DriverId); `name` is what people see. */
export interface Driver {
  readonly id: string;
  readonly name: string;
}

export interface Context {
  readonly temporal: Client;
  readonly customer?: Customer;
  readonly driver?: Driver;
  /** The windows new orders get, from the app's configuration; unset means the workflow's defaults. */
  readonly orderWindows?: Partial<OrderWindows>;
  /** Where each call's count and duration go (the app's /api/metrics); unset records nothing. */
  readonly metrics?: ApiMetrics;
  /** Where each call's log line goes (JSON lines on stdout in the apps); unset logs nothing. */
  readonly log?: ApiLog;
  /** The billing period and renewal retries new passes get, from the app's configuration; unset: the defaults. */
  readonly passSettings?: Partial<PassSettings>;
}

export type ApiLog = typeof logJson;

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
    metrics: deps.metrics,
    log: deps.log,
    passSettings: deps.passSettings,
  };
}

/** How many fields an error message names; fieldErrors has them all. */
const MESSAGE_FIELDS = 5;

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    // Stacks describe our code, not the request: never send them, whatever NODE_ENV says.
    const { stack: _stack, ...data } = shape.data;
    // A driver's refusal on an ended order: which ending and when, for the board to word in the driver's time.
    if (error.cause instanceof OrderEndedError) return { ...shape, data: { ...data, ended: error.cause.ended } };
    // A body or `input` that is not JSON: the parser's own words ("in JSON at position 1") are no help to a person.
    if (error.code === 'BAD_REQUEST' && isJsonSyntaxError(error.cause))
      return { ...shape, message: 'The request is not valid JSON.', data };
    const fieldErrors =
      error.code === 'BAD_REQUEST' && error.cause instanceof ZodError ? fieldErrorsOf(error.cause) : undefined;
    if (!fieldErrors) return { ...shape, data };
    // zod's own message is a JSON dump of its issues; people get one sentence naming each field (the first few).
    const fields = Object.entries(fieldErrors);
    const named = fields
      .slice(0, MESSAGE_FIELDS)
      .map(([field, problems]) => `${field === '(input)' ? 'the request' : field} ${problems.join(', ')}`);
    const more = fields.length > MESSAGE_FIELDS ? `; and ${fields.length - MESSAGE_FIELDS} more` : '';
    const message = `Invalid input: ${named.join('; ')}${more}.`;
    return { ...shape, message, data: { ...data, fieldErrors } };
  },
});

/**
 * JSON.parse's SyntaxError. A test runner's sandbox gets the host's, which tRPC wraps (not being an Error of this
 * realm) keeping its message: V8's JSON messages all name JSON.
 */
function isJsonSyntaxError(cause: unknown): boolean {
  return (
    cause instanceof SyntaxError ||
    (cause instanceof Error && !(cause instanceof ZodError) && /\bJSON\b/.test(cause.message))
  );
}

/** `{ 'deliveryAddress.street': ['is required'] }`: nested fields keyed by their path, as forms name them. */
function fieldErrorsOf(error: ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.') || '(input)';
    const problems = (fields[path] ??= []);
    // One check can fail twice (a number both not whole and too big, each with the same words): say it once.
    if (!problems.includes(issue.message)) problems.push(issue.message);
  }
  return fields;
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// Every procedure maps what it throws in one place, so a Temporal error never reaches a client raw.
const mapErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  // tRPC wraps anything that is not a TRPCError as INTERNAL_SERVER_ERROR, keeping the original as the cause.
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR')
    throw toTRPCError(result.error.cause ?? result.error, ctx.log);
  return result;
});

const tracer = trace.getTracer('@durable-delivery/api');

/**
 * Every call is a span (`trpc orders.create`), active while the procedure runs, so the Temporal client's spans —
 * and through them the workflow's and the activities' — are its children; counted and timed by result code; and
 * logged as one line with its order id and trace id when it changes something or fails (reads that succeed are
 * not logged: an open order page asks every half second). The fault behind a 500 is logged once more, in detail,
 * by toTRPCError.
 */
const observe = t.middleware(({ ctx, path, type, next, getRawInput }) =>
  tracer.startActiveSpan(`trpc ${path}`, { attributes: { 'rpc.system': 'trpc', 'rpc.method': path } }, async (span) => {
    const started = process.hrtime.bigint();
    try {
      const result = await next();
      const code = result.ok ? 'OK' : result.error.code;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      span.setAttribute('trpc.code', code);
      if (code === 'INTERNAL_SERVER_ERROR') span.setStatus({ code: SpanStatusCode.ERROR });
      ctx.metrics?.observe({ procedure: path, type, code, seconds });
      if (type === 'mutation' || !result.ok) {
        const orderId = await getRawInput().then(orderIdIn, () => undefined);
        if (orderId) span.setAttribute('order.id', orderId);
        ctx.log?.('INFO', 'api call', {
          procedure: path,
          code,
          durationMs: Math.round(seconds * 1000),
          ...(orderId ? { orderId } : {}),
        });
      }
      return result;
    } finally {
      span.end();
    }
  }),
);

function orderIdIn(input: unknown): string | undefined {
  const orderId = (input as { orderId?: unknown } | null | undefined)?.orderId;
  return typeof orderId === 'string' && ID_PATTERN.test(orderId) ? orderId : undefined;
}

export const publicProcedure = t.procedure.use(observe).use(mapErrors);

// Ids go into visibility queries: an identity outside the id character set is refused rather than escaped.
export const customerProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.customer || !ID_PATTERN.test(ctx.customer.id)) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to order.' });
  }
  return next({ ctx: { ...ctx, customer: ctx.customer } });
});

export const driverProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const driver = ctx.driver;
  if (!driver || !ID_PATTERN.test(driver.id)) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in as a driver.' });
  }
  const result = await next({ ctx: { ...ctx, driver } });
  if (result.ok) return result;
  // The workflow's refusals name the driver who holds an order; a driver is never told who another driver is.
  const { error } = result;
  throw refusalForDriver(
    error.code === 'INTERNAL_SERVER_ERROR' ? toTRPCError(error.cause ?? error, ctx.log) : error,
    driver.id,
  );
});
