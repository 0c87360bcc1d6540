import { ApplicationFailure, ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { TRPCError } from '@trpc/server';
import { OrderErrorType } from '@durable-delivery/workflows';
import { refusalForDriver, toTRPCError } from '../src/errors';

// How Temporal's answers become the API's: what a person reads, and what is logged as a bug.

/** A gRPC error as @grpc/grpc-js makes it (what the Temporal client wraps in a ServiceError). */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

function mapped(error: unknown) {
  const logged: { level: string; message: string }[] = [];
  const answer = toTRPCError(error, (level, message) => void logged.push({ level, message }));
  return { code: answer.code, message: answer.message, logged: logged.map((entry) => entry.level) };
}

describe('toTRPCError', () => {
  it.each([
    ['DEADLINE_EXCEEDED', 4],
    ['RESOURCE_EXHAUSTED', 8],
    ['UNAVAILABLE', 14],
  ])('answers a Temporal %s with 503 and a sentence, logged as a warning not a bug', (_, code) => {
    const error = new ServiceError('Failed to query Workflow', { cause: grpcError(code, 'busy') });
    expect(mapped(error)).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      message: 'We are very busy right now and could not answer in time. Please try again in a moment.',
      logged: ['WARN'],
    });
  });

  it('keeps a generic 500, logged once as an error, for anything it does not know', () => {
    expect(mapped(new ServiceError('Failed', { cause: grpcError(13, 'internal') }))).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Something went wrong on our side. Please try again.',
      logged: ['ERROR'],
    });
    expect(mapped(new Error('boom')).logged).toEqual(['ERROR']);
  });

  it("passes the workflow's own refusals through with their codes", () => {
    expect(mapped(new WorkflowNotFoundError('gone', 'order-x', undefined))).toMatchObject({ code: 'NOT_FOUND' });
    const refused = ApplicationFailure.create({
      type: OrderErrorType.wrongState,
      message: 'It was already delivered.',
    });
    expect(mapped(refused)).toEqual({ code: 'CONFLICT', message: 'It was already delivered.', logged: [] });
  });
});

describe('refusalForDriver', () => {
  const refusal = new TRPCError({
    code: 'CONFLICT',
    message: 'Cannot deliver order 1: it was picked up by driver d-1, not d-2.',
  });

  it('never names another driver', () => {
    expect(refusalForDriver(refusal, 'd-2').message).toBe(
      'Cannot deliver order 1: it was picked up by another driver.',
    );
    expect(refusalForDriver(refusal, 'd-1').message).toBe('Cannot deliver order 1: it was picked up by you.');
  });
});
