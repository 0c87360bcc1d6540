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

export interface HttpPaymentsOptions {
  /** e.g. http://127.0.0.1:4010 */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set. */
  readonly apiKey?: string;
  /** How long one call may take before it counts as failed (and is retried by Temporal); default 10 s. */
  readonly timeoutMs?: number;
}

interface ErrorBody {
  readonly error?: { readonly type?: string; readonly code?: string; readonly message?: string };
}

/**
 * The payment service (apps/payments) over HTTP. Failures are classified for Temporal's retry policy:
 * a decline or a refund above what remains (402, 409) and a malformed request (400) or a reused key (422) are
 * answers — retrying the same request cannot change them; a 5xx, a timeout, a refused connection or a rejected
 * API key (an operator can fix it while the order waits) are retried. The idempotency key makes every retry safe.
 */
export class HttpPaymentsClient implements PaymentsClient {
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpPaymentsOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async charge(request: ChargeRequest): Promise<Charge> {
    const { status, body } = await this.post('/v1/charges', request.idempotencyKey, {
      orderId: request.orderId,
      customerId: request.customerId,
      amountCents: request.amountCents,
      currency: request.currency,
      paymentMethod: request.paymentMethod,
      description: request.description,
    });
    if (status === 201) {
      const charge = body as { id: string; amountCents: number };
      return { chargeId: charge.id, amountCents: charge.amountCents };
    }
    throw this.failure(status, body);
  }

  async refund(request: RefundRequest): Promise<Refund> {
    const { status, body } = await this.post('/v1/refunds', request.idempotencyKey, {
      chargeIdempotencyKey: request.chargeIdempotencyKey,
      amountCents: request.amountCents,
      reason: request.reason,
    });
    if (status === 200 || status === 201) {
      const refund = body as { id: string | null; refundedCents: number };
      return refund.id ? { refundId: refund.id, refundedCents: refund.refundedCents } : { refundedCents: 0 };
    }
    throw this.failure(status, body);
  }

  private async post(
    path: string,
    idempotencyKey: string,
    payload: unknown,
  ): Promise<{ status: number; body: unknown }> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.options.baseUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `timed out after ${this.timeoutMs} ms`
          : String(error);
      throw new ServiceUnavailableError(`Payment service unreachable (${reason})`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  }

  private failure(status: number, body: unknown): Error {
    const error = (body as ErrorBody | undefined)?.error;
    const message = error?.message ?? `Payment service answered ${status}`;
    if (status === 402 || status === 409) return new PaymentDeclinedError(error?.code ?? 'declined', message);
    if (status === 422) return new IdempotencyConflictError(message);
    if (status === 400) return new InvalidRequestError(`Payment service refused the request: ${message}`);
    // 401/403 (a wrong API key), 404 (a wrong URL), 5xx: configuration or availability, worth retrying.
    return new ServiceUnavailableError(`Payment service answered ${status}: ${message}`);
  }
}
