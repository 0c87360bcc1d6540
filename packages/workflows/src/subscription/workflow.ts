/**
 * The delivery pass of one customer: charge, sleep a billing period, charge again, for as long as it lasts. The
 * sleep is a durable timer (a month costs nothing while it waits, and survives every restart); the state is plain
 * variables; the function continues as new before its history grows large.
 */
import type { OrderActivities } from '@durable-delivery/activities';
import type { SearchAttributePair } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { CustomerIdAttribute } from '../order/definitions';
import { TEXT_LIMITS, isRecord, parseDuration } from '../order/input';
import { continueAsNewUpdate } from '../shared/definitions';
import {
  historyIsLong,
  iso,
  isoOrUndefined,
  retriedForAnHour,
  retriedUntilDone,
  settled,
  track,
} from '../shared/helpers';
import {
  CHARGES_KEPT,
  DEFAULT_PASS_SETTINGS,
  PASS_PRICE_CENTS,
  PassErrorType,
  PassStatusAttribute,
  SUBSCRIPTION_MAX_HISTORY_EVENTS,
  cancelPassUpdate,
  getPassQuery,
  resumePassUpdate,
  subscribeUpdate,
  subscriptionWorkflowId,
  type CancelPassArgs,
  type DeliveryPass,
  type PassCharge,
  type PassEndReason,
  type PassSettings,
  type PassState,
  type SubscriptionCarriedState,
  type SubscriptionInput,
  type SubscriptionWorkflow,
} from './definitions';
import { passMessage } from './messages';

const SUBSCRIPTION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

interface CheckedInput {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly paymentMethod: string;
  readonly settings: PassSettings;
  readonly carried?: SubscriptionCarriedState;
}

function checkInput(input: unknown): CheckedInput {
  const problems: string[] = [];
  if (!isRecord(input)) throw new Error('input: expected an object');
  const { customerId, subscriptionId, paymentMethod, settings = {} } = input;
  if (typeof customerId !== 'string' || customerId.trim() === '' || customerId.length > TEXT_LIMITS.customerId) {
    problems.push(`customerId: must be 1-${TEXT_LIMITS.customerId} characters`);
  } else if (workflowInfo().workflowId !== subscriptionWorkflowId(customerId)) {
    problems.push(`the workflow id must be "${subscriptionWorkflowId(customerId)}" for customer ${customerId}`);
  }
  if (typeof subscriptionId !== 'string' || !SUBSCRIPTION_ID_PATTERN.test(subscriptionId)) {
    problems.push('subscriptionId: must be 1-64 letters, digits, "-" or "_"');
  }
  if (typeof paymentMethod !== 'string' || paymentMethod.trim() === '' || paymentMethod.length > 100) {
    problems.push('paymentMethod: is required (a card token)');
  }
  const resolved: Record<string, number> = { ...DEFAULT_PASS_SETTINGS };
  if (!isRecord(settings)) problems.push('settings: expected an object');
  else {
    for (const key of ['billingPeriod', 'renewalRetryDelay'] as const) {
      if (settings[key] === undefined) continue;
      const millis = parseDuration(settings[key]);
      if (millis === undefined) problems.push(`settings.${key}: expected a duration between 1 ms and 30 days`);
      else resolved[key] = millis;
    }
    const attempts = settings.renewalAttempts;
    if (attempts !== undefined) {
      if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1 || attempts > 10) {
        problems.push('settings.renewalAttempts: must be a whole number from 1 to 10');
      } else resolved.renewalAttempts = attempts;
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  const carried = input.carried as SubscriptionCarriedState | undefined;
  return {
    customerId: customerId as string,
    subscriptionId: subscriptionId as string,
    paymentMethod: (paymentMethod as string).trim(),
    settings: carried?.settings ?? (resolved as unknown as PassSettings),
    ...(carried ? { carried } : {}),
  };
}

export async function subscription(input: SubscriptionInput): Promise<DeliveryPass> {
  let checked: CheckedInput;
  try {
    checked = checkInput(input);
  } catch (error) {
    const failure = ApplicationFailure.create({
      type: PassErrorType.invalidInput,
      message: `Invalid pass input: ${error instanceof Error ? error.message : String(error)}`,
      nonRetryable: true,
    });
    // Subscribe comes with the start (update-with-start): reject it with the reason the workflow fails with.
    setHandler(subscribeUpdate, (): Promise<DeliveryPass> => Promise.reject(failure), {
      validator: (): void => {
        throw failure;
      },
    });
    throw failure;
  }
  return runPass(checked);
}

async function runPass({
  customerId,
  subscriptionId,
  settings,
  carried,
  ...input
}: CheckedInput): Promise<DeliveryPass> {
  // The first charge answers a person waiting at the Subscribe button: it gives up like an order's charge does.
  const firstCharge = proxyActivities<OrderActivities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '5 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  });
  // A renewal has all day: transient failures are retried for up to an hour before the try counts as failed.
  const renewals = proxyActivities<OrderActivities>(retriedForAnHour);
  const refunds = proxyActivities<OrderActivities>(retriedUntilDone);
  const push = proxyActivities<OrderActivities>(retriedForAnHour);

  const paymentMethod = carried?.paymentMethod ?? input.paymentMethod;
  const runs = (carried?.runs ?? 0) + 1;
  let state: PassState = carried?.state ?? 'pending';
  const subscribedAt = carried?.subscribedAt ?? iso(Date.now());
  let period = carried?.period ?? 0;
  let paidThrough: number | undefined = carried?.paidThrough;
  let timesCharged = carried?.timesCharged ?? 0;
  let totalChargedCents = carried?.totalChargedCents ?? 0;
  const charges: PassCharge[] = [...(carried?.charges ?? [])];
  let nextTryAt: number | undefined;
  let renewal: { nextTry: number; of: number } | undefined;
  let failure: string | undefined;
  let endedAt: number | undefined;
  let endReason: PassEndReason | undefined;
  let continueRequested = false;
  const pending = new Set<Promise<unknown>>();

  const status = (): DeliveryPass => ({
    customerId,
    subscriptionId,
    state,
    priceCents: PASS_PRICE_CENTS,
    billingPeriodMs: settings.billingPeriod,
    subscribedAt,
    period,
    paidThrough: isoOrUndefined(paidThrough),
    nextChargeAt: isoOrUndefined(state === 'active' ? paidThrough : state === 'pastDue' ? nextTryAt : undefined),
    endsAt: isoOrUndefined(state === 'cancelling' ? paidThrough : undefined),
    endedAt: isoOrUndefined(endedAt),
    endReason,
    timesCharged,
    totalChargedCents,
    charges: [...charges],
    freeDelivery:
      (state === 'active' || state === 'cancelling') && paidThrough !== undefined && Date.now() < paidThrough,
    failure,
    renewal,
    runs,
  });

  const attributes = (): SearchAttributePair[] => [
    { key: CustomerIdAttribute, value: customerId },
    { key: PassStatusAttribute, value: state },
  ];

  function enter(next: PassState): void {
    state = next;
    upsertSearchAttributes(attributes());
    setCurrentDetails(`${state} · period ${period} · charged ${timesCharged} times · run ${runs}`);
  }

  function notify(kind: 'passRenewalFailed' | 'passRenewed' | 'passEnded', key: string): void {
    const message = passMessage(kind, { priceCents: PASS_PRICE_CENTS, reason: failure, endReason });
    track(
      pending,
      push
        .sendPushNotification({ customerId, kind, key: `pass:${subscriptionId}:${key}`, message })
        .catch((error: unknown) =>
          log.warn('pass notification was not delivered', { customerId, kind, error: String(error) }),
        ),
    );
  }

  function refuse(message: string): never {
    throw ApplicationFailure.create({ type: PassErrorType.wrongState, message, nonRetryable: true });
  }

  /** The charge whose outcome is unknown (its activity gave up): refunded by its key if the pass ends on it. */
  let unsettled: { period: number; attempt: number } | undefined;
  /** True while a renewal charge is in flight: cancelling then would race the charge, so it waits. */
  let renewing = false;

  async function refundUnsettled(): Promise<void> {
    if (!unsettled) return;
    await refunds.refundSubscriptionCharge({
      subscriptionId,
      period: unsettled.period,
      attempt: unsettled.attempt,
      amountCents: PASS_PRICE_CENTS,
      reason: 'pass charge outcome unknown',
    });
    unsettled = undefined;
  }

  function close(reason: PassEndReason): void {
    endReason = reason;
    endedAt = Date.now();
    nextTryAt = undefined;
    renewal = undefined;
    enter('ended');
    log.info('delivery pass ended', { customerId, reason, timesCharged });
  }

  async function end(reason: PassEndReason): Promise<void> {
    await refundUnsettled();
    close(reason);
  }

  type Outcome = { paid: true } | { paid: false; declined: boolean; reason: string };

  async function charge(chargePeriod: number, attempt: number, via: typeof renewals): Promise<Outcome> {
    const base = { period: chargePeriod, attempt, amountCents: PASS_PRICE_CENTS };
    try {
      const result = await via.chargeSubscription({
        customerId,
        subscriptionId,
        period: chargePeriod,
        attempt,
        amountCents: PASS_PRICE_CENTS,
        paymentMethod,
      });
      unsettled = undefined;
      timesCharged += 1;
      totalChargedCents += result.amountCents;
      record({ ...base, outcome: 'paid', chargeId: result.chargeId, at: iso(Date.now()) });
      return { paid: true };
    } catch (error) {
      if (isCancellation(error)) throw error;
      const cause = error instanceof ActivityFailure ? error.cause : undefined;
      const declined = cause instanceof ApplicationFailure && cause.nonRetryable === true;
      const reason = declined ? cause.message : 'the payment service could not be reached';
      // A charge that timed out may have gone through with its reply lost: the next try reuses its key, so the
      // provider answers with what happened instead of charging again.
      unsettled = declined ? undefined : { period: chargePeriod, attempt };
      record({ ...base, outcome: declined ? 'declined' : 'unavailable', reason, at: iso(Date.now()) });
      return { paid: false, declined, reason };
    }
  }

  function record(entry: PassCharge): void {
    charges.unshift(entry);
    charges.splice(CHARGES_KEPT);
  }

  setHandler(getPassQuery, status);

  setHandler(subscribeUpdate, async (): Promise<DeliveryPass> => {
    await condition(() => state !== 'pending');
    return status();
  });

  const checkCancel = (args?: CancelPassArgs): void => {
    if (args !== undefined && args !== null && !isRecord(args)) {
      throw ApplicationFailure.create({
        type: PassErrorType.invalidArgument,
        message: 'Invalid argument: expected an object like {"reason": "…"}',
        nonRetryable: true,
      });
    }
    if (state === 'pending' || renewing) refuse('Your pass is being charged right now; try again in a moment.');
    if (state === 'cancelling') refuse(`Your pass is already cancelled; it ends on ${iso(paidThrough ?? Date.now())}.`);
    if (state === 'ended') refuse('Your pass has already ended.');
  };
  setHandler(
    cancelPassUpdate,
    (args?: CancelPassArgs): DeliveryPass => {
      checkCancel(args);
      // Past due, nothing paid is left to run out: it ends now, and the renewal loop stops trying.
      if (state === 'pastDue') close('cancelled');
      else enter('cancelling');
      log.info('delivery pass cancelled', { customerId, state });
      return status();
    },
    { validator: checkCancel },
  );

  const checkResume = (): void => {
    if (state === 'active') refuse('Your pass is already active.');
    if (state === 'pending') refuse('Your pass is being charged right now; try again in a moment.');
    if (state === 'pastDue') refuse('Your pass renewal is being retried; it resumes as soon as a charge goes through.');
    if (state === 'ended') refuse('Your pass has ended; subscribe again to start a new one.');
  };
  setHandler(
    resumePassUpdate,
    (): DeliveryPass => {
      checkResume();
      enter('active');
      return status();
    },
    { validator: checkResume },
  );

  setHandler(continueAsNewUpdate, () => {
    continueRequested = true;
    return runs + 1;
  });

  // Started from the Temporal CLI, it has no search attributes yet; the API sets them at start.
  if (workflowInfo().typedSearchAttributes.get(PassStatusAttribute) === undefined) upsertSearchAttributes(attributes());
  setCurrentDetails(`${state} · period ${period} · charged ${timesCharged} times · run ${runs}`);

  if (!carried) {
    const first = await charge(1, 1, firstCharge);
    period = 1;
    if (!first.paid) {
      failure = first.reason;
      await end(first.declined ? 'declined' : 'paymentUnavailable');
      await settled(pending);
      return status();
    }
    paidThrough = Date.now() + settings.billingPeriod;
    enter('active');
    log.info('delivery pass started', { customerId, subscriptionId });
  }

  /** The next period's charge, retried on a schedule after a decline; ends the pass when the tries run out. */
  async function renew(): Promise<void> {
    period += 1;
    let attempt = 1;
    for (let tries = 1; ; tries++) {
      renewing = true;
      const outcome = await charge(period, attempt, renewals).finally(() => (renewing = false));
      if (outcome.paid) {
        const recovered = state === 'pastDue';
        // The billing date stays put: a renewal paid late still covers the period from its due date.
        paidThrough = (paidThrough ?? Date.now()) + settings.billingPeriod;
        failure = undefined;
        nextTryAt = undefined;
        renewal = undefined;
        enter('active');
        if (recovered) notify('passRenewed', `period-${period}:renewed`);
        return;
      }
      failure = outcome.reason;
      if (tries >= settings.renewalAttempts) {
        await end('renewalFailed');
        notify('passEnded', 'ended');
        return;
      }
      if (outcome.declined) attempt += 1;
      nextTryAt = Date.now() + settings.renewalRetryDelay;
      renewal = { nextTry: tries + 1, of: settings.renewalAttempts };
      if (state !== 'pastDue') {
        enter('pastDue');
        notify('passRenewalFailed', `period-${period}:renewalFailed`);
      }
      // Cancelling while past due ends the pass at once; otherwise try again after the delay.
      if (await condition(() => state === 'ended', settings.renewalRetryDelay)) {
        await refundUnsettled();
        return;
      }
    }
  }

  // Handlers change `state` between awaits: read it through a function, not a narrowed variable.
  const ended = () => state === 'ended';
  while (!ended()) {
    const waitFor = Math.max(1, (paidThrough ?? Date.now()) - Date.now());
    const interrupted = await condition(
      () => continueRequested || historyIsLong(SUBSCRIPTION_MAX_HISTORY_EVENTS),
      waitFor,
    );
    if (interrupted) {
      await settled(pending);
      // Only here, between charges: the next run resumes the same wait for the end of the paid period.
      const handOver: SubscriptionCarriedState = {
        paymentMethod,
        settings,
        state: state === 'cancelling' ? 'cancelling' : 'active',
        subscribedAt,
        period,
        paidThrough: paidThrough ?? Date.now(),
        timesCharged,
        totalChargedCents,
        charges,
        runs,
      };
      log.info('delivery pass continues as new', { customerId, runs, historyLength: workflowInfo().historyLength });
      return makeContinueAsNewFunc<SubscriptionWorkflow>({ typedSearchAttributes: attributes() })({
        customerId,
        subscriptionId,
        paymentMethod,
        carried: handOver,
      });
    }
    if (state === 'cancelling') {
      await end('cancelled');
      notify('passEnded', 'ended');
      break;
    }
    await renew();
  }
  await settled(pending);
  return status();
}
