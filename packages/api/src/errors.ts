import {
  CheckoutUnconfirmedError,
  LoyaltyErrorType,
  OrderErrorType,
  OrderIdTakenError,
  OrderInputError,
  PassErrorType,
} from '@durable-delivery/workflows';
import {
  ApplicationFailure,
  QueryNotRegisteredError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
} from '@temporalio/client';
import { endedRefusalLead, type EndedRefusal } from './order-ending';
import type { ApiLog } from './trpc';
import { TRPCError } from '@trpc/server';

/** One answer for "no such order" and "not yours", so a guessed id reveals nothing. */
export function orderNotFound(): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: 'Order not found.' });
}

/**
 * The cause of a driver's refusal on an order that has ended (or is ending): the error formatter sends it as
 * `data.ended`, so the board can say which and when in the driver's own time zone.
 */
export class OrderEndedError extends Error {
  override readonly name = 'OrderEndedError';
  constructor(readonly ended: EndedRefusal) {
    super(`${endedRefusalLead(ended)} ${ended.at.slice(11, 19)} UTC.`);
  }
}

/** "Cannot deliver order 3f2a9c1e: it was refunded: … closed at 04:31:02 UTC." as a CONFLICT, with the details. */
export function orderEnded(ended: EndedRefusal): TRPCError {
  const cause = new OrderEndedError(ended);
  return new TRPCError({ code: 'CONFLICT', message: cause.message, cause });
}

/** A client-made order id that is already taken (by an earlier order, or by someone else's). */
export function orderIdTaken(): TRPCError {
  return new TRPCError({ code: 'CONFLICT', message: 'This order id is already in use. Start a new order.' });
}

/** For the pass's actions when the customer never had one. */
export function passNotFound(): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: 'You have no delivery pass. Subscribe to get free delivery.' });
}

const CONFLICT_TYPES: ReadonlySet<string> = new Set([
  OrderErrorType.wrongState,
  OrderErrorType.wrongDriver,
  LoyaltyErrorType.rewardUnavailable,
  LoyaltyErrorType.tooLate,
  PassErrorType.wrongState,
]);
const BAD_REQUEST_TYPES: ReadonlySet<string> = new Set([
  OrderErrorType.invalidArgument,
  OrderErrorType.invalidInput,
  LoyaltyErrorType.invalidInput,
  PassErrorType.invalidInput,
]);

/**
 * A refusal as a driver may read it. The workflow words its refusals for operators and customers and names the
 * driver who holds an order ("it was already picked up by driver d-…", "picked up by driver d-…, not d-…"); a
 * driver learns only whether it was them or another driver, so no answer tells anyone whom to impersonate.
 */
export function refusalForDriver(error: TRPCError, driverId: string): TRPCError {
  const message = error.message.replace(/ by driver ([A-Za-z0-9_-]+)(, not [A-Za-z0-9_-]+)?/g, (_, holder: string) =>
    holder === driverId ? ' by you' : ' by another driver',
  );
  return message === error.message ? error : new TRPCError({ code: error.code, message, cause: error.cause });
}

/**
 * A refusal as the customer reads it: the driver who holds their order by the name the driver goes by (recorded at
 * pick-up), never by account id or login; "your driver" on an order picked up before names were recorded.
 */
export function refusalForCustomer(error: TRPCError, driverName: string | undefined): TRPCError {
  const message = error.message.replace(
    / by driver [A-Za-z0-9_-]+/g,
    driverName ? ` by ${driverName}` : ' by your driver',
  );
  return message === error.message ? error : new TRPCError({ code: error.code, message, cause: error.cause });
}

/**
 * Temporal and workflow errors (order, loyalty, pass) as tRPC codes, in one place. The workflows' own messages are
 * written for people ("it was already picked up by driver d-7"), so they pass through; anything unexpected is logged
 * here (to `log`), once, and the client gets a generic message.
 */
export function toTRPCError(error: unknown, log?: ApiLog): TRPCError {
  if (error instanceof TRPCError) return error;
  if (error instanceof WorkflowNotFoundError) return orderNotFound();
  // Not "not found": the order may exist a moment from now, and a retry (same order id) charges once.
  if (error instanceof CheckoutUnconfirmedError) {
    log?.('WARN', 'order API: checkout not confirmed in time', { orderId: error.orderId });
    return new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'We could not confirm your order in time. Please try again: you will not be charged twice.',
    });
  }
  // An order that failed its input check (only a raw Temporal CLI start can make one) has no status to show.
  if (error instanceof QueryNotRegisteredError) return orderNotFound();
  if (error instanceof WorkflowExecutionAlreadyStartedError || error instanceof OrderIdTakenError)
    return orderIdTaken();
  if (error instanceof OrderInputError) return new TRPCError({ code: 'BAD_REQUEST', message: error.message });

  // A rejected update carries the workflow's ApplicationFailure as its cause.
  const failure = error instanceof WorkflowUpdateFailedError ? error.cause : error;
  if (failure instanceof ApplicationFailure && failure.type) {
    if (CONFLICT_TYPES.has(failure.type)) return new TRPCError({ code: 'CONFLICT', message: failure.message });
    if (BAD_REQUEST_TYPES.has(failure.type)) return new TRPCError({ code: 'BAD_REQUEST', message: failure.message });
  }

  if (isBusy(error)) {
    log?.('WARN', 'order API: Temporal busy or unreachable', { error });
    return new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'We are very busy right now and could not answer in time. Please try again in a moment.',
    });
  }

  log?.('ERROR', 'order API: unexpected error', { error });
  return new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
    message: 'Something went wrong on our side. Please try again.',
  });
}

/** gRPC codes that mean "not now" rather than "wrong": a deadline passed, the server is overloaded or unreachable. */
const BUSY_GRPC_CODES: ReadonlySet<number> = new Set([
  4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */,
]);

/**
 * Temporal could not answer in time (an overloaded server, a query whose worker was too slow): the request was
 * fine and may succeed if tried again, so it is a 503, not a bug to log as one.
 */
function isBusy(error: unknown): boolean {
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  const grpc = error instanceof ServiceError ? error.cause : error;
  return isGrpcServiceError(grpc) && BUSY_GRPC_CODES.has(grpc.code);
}
