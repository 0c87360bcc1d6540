import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import {
  OrderErrorType,
  OrderStateAttribute,
  DriverIdAttribute,
  deliverUpdate,
  getStatusQuery,
  markDeliveredUpdate,
  pickUpUpdate,
  rateUpdate,
  refundAndCloseUpdate,
  waitForPaymentUpdate,
  type OrderWorkflow,
} from '../src';
import { ORDER_TOTAL_CENTS, OrderTestHarness, anOrder, failureOf, fakeActivities, gate } from './harness';
import type { WorkflowHandle } from '@temporalio/client';
import { eventually } from '@durable-delivery/temporal-server';

let harness: OrderTestHarness;
beforeAll(async () => {
  harness = await OrderTestHarness.create();
});
afterAll(async () => {
  await harness?.teardown();
});

const ops = { operator: 'ops@durable.delivery', reason: 'driver app was down' };

/** The order's workflow result: operator refunds end it as a failure with its own type, like the other refunds. */
async function resultFailure(handle: WorkflowHandle<OrderWorkflow>): Promise<ApplicationFailure> {
  const error = await handle.result().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/** The details the Temporal UI shows for a running workflow: what the workflow set with setCurrentDetails(). */
async function currentDetails(handle: WorkflowHandle<OrderWorkflow>): Promise<string | undefined> {
  // The SDK's built-in query behind the UI's "current details" (WorkflowMetadata in Temporal's API).
  const metadata = await handle.query<{ currentDetails?: string | null }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? undefined;
}

describe('operator actions on a stuck order', () => {
  it('refunds and closes an order nobody picked up, on the word of a named operator', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);

      const answer = await handle.executeUpdate(refundAndCloseUpdate, { args: [ops] });
      // The update answers once the refund went through, not when it was merely requested.
      expect(answer.state).toBe('refunded');
      expect(answer.refundedCents).toBe(ORDER_TOTAL_CENTS);
      expect(answer.failure).toEqual({ code: 'refundedByOperator', message: ops.reason });
      expect(answer.operatorActions).toEqual([{ action: 'refundAndClose', ...ops, at: expect.any(String) }]);
      expect(answer.transitions.map((t) => t.state)).toEqual(['charging', 'paid', 'refunding', 'refunded']);

      const failure = await resultFailure(handle);
      expect(failure.type).toBe(OrderErrorType.refundedByOperator);
      expect(failure.message).toBe(`Refunded by operator ${ops.operator}: ${ops.reason}`);
      expect(activities.refundOrder).toHaveBeenCalledTimes(1);
      expect(activities.refundOrder.mock.calls[0]?.[0].reason).toBe(
        `refunded by operator ${ops.operator}: ${ops.reason}`,
      );
      const status = await handle.query(getStatusQuery);
      expect(status.notifications.map((n) => n.kind)).toEqual(['refundedByOperator']);
      expect(status.notifications[0]?.message).toContain(`(${ops.reason})`);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(OrderStateAttribute)).toBe('refunded');
    });
  });

  it('refunds and closes an order stuck out for delivery, after which its driver can no longer deliver it', async () => {
    const activities = fakeActivities();
    const refund = gate();
    activities.refundOrder.mockImplementation(async (input) => {
      await refund.promise;
      return { refundId: 're_1', refundedCents: input.amountCents };
    });
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });

      const closing = handle.executeUpdate(refundAndCloseUpdate, { args: [ops] });
      // While the refund is in flight the order is already out of the driver's hands.
      await eventually(async () => ((await handle.query(getStatusQuery)).state === 'refunding' ? true : undefined));
      expect(await failureOf(handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] }))).toEqual({
        type: OrderErrorType.wrongState,
        message: expect.stringMatching(/it is being refunded by an operator\.$/),
      });
      expect(await failureOf(handle.executeUpdate(refundAndCloseUpdate, { args: [ops] }))).toEqual({
        type: OrderErrorType.wrongState,
        message: expect.stringMatching(/^Cannot refund and close order .+: it is being refunded by an operator\.$/),
      });
      refund.open();
      expect((await closing).state).toBe('refunded');
      expect((await resultFailure(handle)).type).toBe(OrderErrorType.refundedByOperator);
      expect(activities.refundOrder).toHaveBeenCalledTimes(1);
    });
  });

  it('refunds a delivered order while it still takes a rating (a complaint), and then takes no rating', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start(anOrder({ windows: { ratePrompt: '1 hour', rating: '1 day' } }));
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });

      const complaint = { operator: 'ops@durable.delivery', reason: 'cold food, customer called' };
      const answer = await handle.executeUpdate(refundAndCloseUpdate, { args: [complaint] });
      expect(answer.state).toBe('refunded');
      expect(answer.transitions.map((t) => t.state)).toEqual([
        'charging',
        'paid',
        'pickedUp',
        'delivered',
        'refunding',
        'refunded',
      ]);
      expect((await resultFailure(handle)).type).toBe(OrderErrorType.refundedByOperator);
      const status = await handle.query(getStatusQuery);
      expect(status.notifications.map((n) => n.kind)).toEqual(['pickedUp', 'delivered', 'refundedByOperator']);
      expect(activities.refundOrder).toHaveBeenCalledTimes(1);
    });
  });

  it('marks a picked-up order delivered when the driver could not, and the customer can still rate it', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start(anOrder({ windows: { ratePrompt: '1 hour', rating: '1 day' } }));
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });

      const answer = await handle.executeUpdate(markDeliveredUpdate, {
        args: [{ operator: 'ops@durable.delivery', reason: 'driver phone died; customer confirmed' }],
      });
      expect(answer.state).toBe('delivered');
      expect(answer.driverId).toBe('driver-1');
      expect(answer.operatorActions).toEqual([
        {
          action: 'markDelivered',
          operator: 'ops@durable.delivery',
          reason: 'driver phone died; customer confirmed',
          at: expect.any(String),
        },
      ]);
      expect((await handle.executeUpdate(rateUpdate, { args: [{ stars: 5 }] })).rating?.stars).toBe(5);
      const result = await handle.result();
      expect(result.state).toBe('delivered');
      expect(result.notifications.map((n) => n.kind)).toEqual(['pickedUp', 'delivered']);
    });
  });

  it('marks delivered an order no driver had picked up, without telling the customer it is on its way', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start(anOrder({ windows: { ratePrompt: '1 hour', rating: '1 day' } }));
      await handle.executeUpdate(waitForPaymentUpdate);

      const answer = await handle.executeUpdate(markDeliveredUpdate, {
        args: [{ ...ops, reason: 'restaurant delivered it itself', driverId: 'restaurant-7' }],
      });
      expect(answer.state).toBe('delivered');
      expect(answer.driverId).toBe('restaurant-7');
      expect(answer.transitions.map((t) => t.state)).toEqual(['charging', 'paid', 'delivered']);
      expect((await handle.describe()).typedSearchAttributes.get(DriverIdAttribute)).toBe('restaurant-7');
      await handle.executeUpdate(rateUpdate, { args: [{ stars: 4 }] });
      const result = await handle.result();
      expect(result.notifications.map((n) => n.kind)).toEqual(['delivered']);
    });
  });

  it('refuses an action without an operator or a reason, and one that does not fit the order, saying why', async () => {
    const activities = fakeActivities();
    const charge = gate();
    activities.chargeCustomer.mockImplementation(async (input) => {
      await charge.promise;
      return { chargeId: 'ch_1', amountCents: input.amountCents };
    });
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start();
      expect(
        await failureOf(handle.executeUpdate(refundAndCloseUpdate, { args: [{ operator: ' ', reason: 'x' }] })),
      ).toEqual({
        type: OrderErrorType.invalidArgument,
        message: 'Invalid argument: operator is required: who is acting (a name or an email)',
      });
      expect(
        await failureOf(handle.executeUpdate(markDeliveredUpdate, { args: [{ operator: 'ops', reason: '' }] })),
      ).toEqual({ type: OrderErrorType.invalidArgument, message: 'Invalid argument: reason is required: why' });
      // Still charging: the customer's cancel, not an operator refund, is what applies.
      expect(await failureOf(handle.executeUpdate(refundAndCloseUpdate, { args: [ops] }))).toEqual({
        type: OrderErrorType.wrongState,
        message: expect.stringMatching(/^Cannot refund and close order .+: it is still being charged\.$/),
      });
      expect(await failureOf(handle.executeUpdate(markDeliveredUpdate, { args: [ops] }))).toEqual({
        type: OrderErrorType.wrongState,
        message: expect.stringMatching(/^Cannot mark order .+ delivered: it is still being charged\.$/),
      });
      charge.open();
      await handle.executeUpdate(waitForPaymentUpdate);
      const status = await handle.query(getStatusQuery);
      expect(status.state).toBe('paid');
      expect(status.operatorActions).toEqual([]);
      expect(activities.refundOrder).not.toHaveBeenCalled();
    });
  });

  it('refuses to mark an order delivered by another driver than the one who picked it up', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      expect(
        await failureOf(handle.executeUpdate(markDeliveredUpdate, { args: [{ ...ops, driverId: 'driver-2' }] })),
      ).toEqual({
        type: OrderErrorType.wrongDriver,
        message: expect.stringMatching(/delivered by driver-2: driver driver-1 picked it up\.$/),
      });
      expect((await handle.query(getStatusQuery)).state).toBe('pickedUp');
    });
  });
});

describe('what the Temporal UI shows operators', () => {
  it('shows the step the order waits on, and until when, as its current details', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      const paid = await handle.query(getStatusQuery);
      expect(await currentDetails(handle)).toBe(
        `**Waiting for a driver** until ${paid.deadlines.pickUpBy}; refunded if nobody picks it up`,
      );
      const pickedUp = await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      expect(await currentDetails(handle)).toBe(
        `**Out for delivery** with driver driver-1 until ${pickedUp.deadlines.deliverBy}`,
      );
      const delivered = await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });
      expect(await currentDetails(handle)).toBe(`**Delivered**; taking a rating until ${delivered.deadlines.rateBy}`);
      await handle.executeUpdate(rateUpdate, { args: [{ stars: 3 }] });
      expect(await currentDetails(handle)).toBe('**Delivered**, rated 3/5');
    });
  });

  it('gives the order a one-line summary and its details, and every activity a summary', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.executeUpdate(refundAndCloseUpdate, { args: [ops] });
      await resultFailure(handle);

      const described = await handle.describe();
      expect(await described.staticSummary()).toBe('2× Burrata, Tiramisu · $33.99 · Ada');
      expect(await described.staticDetails()).toBe(
        ['**Customer** Ada', '**Deliver to** 1 Main St, 12345 Springfield', '- 2× Burrata', '- 1× Tiramisu'].join('\n'),
      );

      const history = await handle.fetchHistory();
      const summaries = (history.events ?? []).flatMap((event) => {
        const summary = event.userMetadata?.summary;
        if (!summary) return [];
        const text = defaultPayloadConverter.fromPayload<string>(summary);
        return [event.activityTaskScheduledEventAttributes ? `activity: ${text}` : `marker: ${text}`];
      });
      expect(summaries).toEqual(
        expect.arrayContaining([
          'activity: Charge $33.99',
          `activity: Refund $33.99: refunded by operator ${ops.operator}: ${ops.reason}`,
        ]),
      );
    });
  });
});
