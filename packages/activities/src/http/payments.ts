import {
  IdempotencyConflictError,
  InvalidRequestError,
  PaymentDeclinedError,
  ServiceUnavailableError,
  type Charge,
  type ChargeRequest,
  type PaymentsClient,
  type Refund,
  type RefundRequest,
} from '../clients';
import { postJson, type ServiceAnswer, type ServiceOptions } from './request';

export type HttpPaymentsOptions = ServiceOptions;

/**
 * The payment service (apps/payments) over HTTP. Failures are classified for Temporal's retry policy:
 * a decline or a refund above what remains (402, 409) and a malformed request (400) or a reused key (422) are
 * answers — retrying the same request cannot change them; a 5xx, a timeout, a refused connection or a rejected
 * API key (an operator can fix it while the order waits) are retried. The idempotency key makes every retry safe.
 */
export class HttpPaymentsClient implements PaymentsClient {
  constructor(private readonly options: HttpPaymentsOptions) {}

  async charge(request: ChargeRequest): Promise<Charge> {
    const answer = await postJson('Payment service', this.options, '/v1/charges', request.idempotencyKey, {
      orderId: request.orderId,
      customerId: request.customerId,
      amountCents: request.amountCents,
      currency: request.currency,
      paymentMethod: request.paymentMethod,
      description: request.description,
    });
    if (answer.status === 201) {
      const charge = answer.body as { id: string; amountCents: number };
      return { chargeId: charge.id, amountCents: charge.amountCents };
    }
    throw failure(answer);
  }

  async refund(request: RefundRequest): Promise<Refund> {
    const answer = await postJson('Payment service', this.options, '/v1/refunds', request.idempotencyKey, {
      chargeIdempotencyKey: request.chargeIdempotencyKey,
      amountCents: request.amountCents,
      reason: request.reason,
    });
    if (answer.status === 200 || answer.status === 201) {
      const refund = answer.body as { id: string | null; refundedCents: number };
      return refund.id ? { refundId: refund.id, refundedCents: refund.refundedCents } : { refundedCents: 0 };
    }
    throw failure(answer);
  }
}

function failure({ status, error }: ServiceAnswer): Error {
  const message = error?.message ?? `Payment service answered ${status}`;
  if (status === 402 || status === 409) return new PaymentDeclinedError(error?.code ?? 'declined', message);
  if (status === 422) return new IdempotencyConflictError(message);
  if (status === 400) return new InvalidRequestError(`Payment service refused the request: ${message}`);
  // 401/403 (a wrong API key), 404 (a wrong URL), 5xx: configuration or availability, worth retrying.
  return new ServiceUnavailableError(`Payment service answered ${status}: ${message}`);
}
