import { deadlineOf, orderQuery } from '../src/order-list';
import { ENDINGS, endedRefusalLead, orderEnding } from '../src/order-ending';

const at = (minute: number) => `2026-12-07T04:${String(minute).padStart(2, '0')}:00.000Z`;

describe('orderEnding: which ending, and when, for a driver', () => {
  it('is undefined while a driver may still act on the order', () => {
    for (const state of ['charging', 'paid', 'pickedUp'] as const)
      expect(orderEnding({ state, transitions: [{ state, at: at(1) }] })).toBeUndefined();
  });

  it("dates a customer's cancel from the request, whether the refund is running or done", () => {
    const cancellation = { requestedAt: at(3) };
    const transitions = [
      { state: 'paid' as const, at: at(1) },
      { state: 'refunding' as const, at: at(3) },
    ];
    for (const state of ['refunding', 'refunded', 'cancelled'] as const)
      expect(orderEnding({ state, cancellation, transitions })).toEqual({ ending: 'cancelled', at: at(3) });
  });

  it('names the closed window or the operator, dated when the refund began', () => {
    const transitions = [
      { state: 'pickedUp' as const, at: at(1) },
      { state: 'refunding' as const, at: at(6) },
      { state: 'refunded' as const, at: at(7) },
    ];
    for (const code of ['notPickedUpInTime', 'notDeliveredInTime', 'refundedByOperator'] as const)
      expect(orderEnding({ state: 'refunded', failure: { code, message: 'x' }, transitions })).toEqual({
        ending: code,
        at: at(6),
      });
  });

  it('words every ending for the board and for a refusal', () => {
    expect(ENDINGS.notDeliveredInTime.label).toBe('Delivery window closed — refunded');
    expect(endedRefusalLead({ action: 'pickUp', orderNumber: '3f2a9c1e', ending: 'cancelled' })).toBe(
      'Cannot pick up order 3f2a9c1e: it was cancelled by the customer at',
    );
  });
});

describe('deadlineOf: the deadline a list row shows', () => {
  const windows = { pickup: 60_000, delivery: 120_000 };
  it('adds the waiting step’s window to the moment the order entered its state', () => {
    expect(deadlineOf('paid', at(1), windows)).toBe(at(2));
    expect(deadlineOf('pickedUp', at(1), windows)).toBe(at(3));
  });
  it('has none for other states, or for orders whose memo has no windows', () => {
    expect(deadlineOf('refunded', at(1), windows)).toBeUndefined();
    expect(deadlineOf('paid', at(1), undefined)).toBeUndefined();
    expect(deadlineOf('paid', undefined, windows)).toBeUndefined();
  });
});

describe('orderQuery', () => {
  it('matches any of a list of values', () => {
    expect(orderQuery({ DriverId: 'd-1', OrderState: ['pickedUp', 'refunded'] })).toBe(
      "WorkflowType = 'order' AND DriverId = 'd-1' AND OrderState IN ('pickedUp', 'refunded')",
    );
  });
});
