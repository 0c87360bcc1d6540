import { join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import {
  HttpPaymentsClient,
  IdempotencyConflictError,
  PaymentDeclinedError,
  ServiceUnavailableError,
  SimulatedPayments,
  type ChargeRequest,
  type PaymentsClient,
} from '@durable-delivery/activities';
import type { FastifyInstance } from 'fastify';
import { Ledger, TEST_CARDS, buildPaymentService } from '../src';

/**
 * One suite, two implementations of the activities' PaymentsClient port: the in-process simulator the workflow
 * tests use, and the HTTP client against the real service. If they ever disagree, the workflow tests stop
 * describing production.
 */
interface Subject {
  readonly client: PaymentsClient;
  setOutage(on: boolean): Promise<void>;
  close(): Promise<void>;
}

const subjects: Record<string, () => Promise<Subject>> = {
  simulator: () => {
    const simulator = new SimulatedPayments();
    return Promise.resolve({
      client: simulator,
      setOutage: (on) => Promise.resolve(void simulator.faults.update({ outage: on })),
      close: () => Promise.resolve(),
    });
  },
  'HTTP service': async () => {
    const ledger = new Ledger(join(tempDir('payments-contract-'), 'ledger.sqlite'));
    const apiKey = 'payments-contract-key-0123456789';
    const app: FastifyInstance = buildPaymentService({ ledger, apiKey });
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    return {
      client: new HttpPaymentsClient({ baseUrl, apiKey }),
      setOutage: async (on) => {
        await app.inject({
          method: 'PUT',
          url: '/v1/faults',
          headers: { authorization: `Bearer ${apiKey}` },
          payload: { outage: on },
        });
      },
      close: async () => {
        await app.close();
        ledger.close();
      },
    };
  },
};

let nextKey = 0;
function aCharge(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    idempotencyKey: `order-${++nextKey}:charge`,
    orderId: `${nextKey}`,
    customerId: 'c-1',
    amountCents: 1000,
    currency: 'USD',
    paymentMethod: TEST_CARDS.visa,
    description: 'test',
    ...overrides,
  };
}

describe.each(Object.keys(subjects))('PaymentsClient contract: %s', (name) => {
  let subject: Subject;
  beforeAll(async () => {
    subject = await subjects[name]!();
  });
  afterAll(() => subject.close());

  it('returns the same charge for the same key', async () => {
    const request = aCharge();
    const first = await subject.client.charge(request);
    expect(first).toEqual({ chargeId: expect.any(String), amountCents: 1000 });
    expect(await subject.client.charge(request)).toEqual(first);
  });

  it('declines with the reason, the same way every time', async () => {
    const request = aCharge({ paymentMethod: TEST_CARDS.insufficientFunds });
    for (let i = 0; i < 2; i += 1) {
      const error = await subject.client.charge(request).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PaymentDeclinedError);
      expect(error).toMatchObject({ declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' });
    }
  });

  it('refuses a reused key with other parameters', async () => {
    const request = aCharge();
    await subject.client.charge(request);
    await expect(subject.client.charge({ ...request, amountCents: 1 })).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
  });

  it('fails the flaky card twice as unavailable, then charges', async () => {
    const request = aCharge({ paymentMethod: TEST_CARDS.flaky });
    await expect(subject.client.charge(request)).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(subject.client.charge(request)).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(subject.client.charge(request)).resolves.toMatchObject({ amountCents: 1000 });
  });

  it('refunds what was charged, nothing for a charge that never happened, and never more', async () => {
    const charge = aCharge();
    await subject.client.charge(charge);
    const refund = {
      idempotencyKey: `${charge.idempotencyKey}:refund`,
      chargeIdempotencyKey: charge.idempotencyKey,
      amountCents: 700,
      reason: 'test',
    };
    const first = await subject.client.refund(refund);
    expect(first).toEqual({ refundId: expect.any(String), refundedCents: 700 });
    expect(await subject.client.refund(refund)).toEqual(first);
    const tooMuch = await subject.client
      .refund({ ...refund, idempotencyKey: `${refund.idempotencyKey}-2`, amountCents: 301 })
      .catch((caught: unknown) => caught);
    expect(tooMuch).toMatchObject({ declineCode: 'refund_exceeds_charge' });
    expect(
      await subject.client.refund({
        ...refund,
        idempotencyKey: 'nothing:refund',
        chargeIdempotencyKey: 'never:charge',
      }),
    ).toEqual({
      refundedCents: 0,
    });
  });

  it('is unavailable during an outage and stores nothing, so the retry after it succeeds', async () => {
    const request = aCharge();
    await subject.setOutage(true);
    await expect(subject.client.charge(request)).rejects.toBeInstanceOf(ServiceUnavailableError);
    await subject.setOutage(false);
    await expect(subject.client.charge(request)).resolves.toMatchObject({ amountCents: 1000 });
  });
});

it('counts an unreachable service and a timeout as unavailable (retryable)', async () => {
  const closed = new HttpPaymentsClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2_000 });
  await expect(closed.charge(aCharge())).rejects.toBeInstanceOf(ServiceUnavailableError);
});
