/**
 * The delivery pass of one customer: charge, sleep a billing period, charge again, for as long as it lasts. The
 * sleep is a durable timer (a month costs nothing while it waits, and survives every restart). The pass is one
 * record (./state.ts) that cancel and resume change (./handlers.ts); the charges, refunds and notifications are the
 * steps in ./steps.ts; the function continues as new before its history grows large.
 */
import {
  ApplicationFailure,
  condition,
  log,
  makeContinueAsNewFunc,
  setWorkflowOptions,
  workflowInfo,
} from '@temporalio/workflow';
import { TEXT_LIMITS, isRecord, parseDuration } from '../order/input';
import { historyIsLong, onVersionedWorkers, rejectStart } from '../shared/helpers';
import {
  DEFAULT_PASS_SETTINGS,
  PassErrorType,
  SUBSCRIPTION_MAX_HISTORY_EVENTS,
  subscribeUpdate,
  subscriptionWorkflowId,
  type DeliveryPass,
  type PassEndReason,
  type PassSettings,
  type SubscriptionCarriedState,
  type SubscriptionInput,
  type SubscriptionWorkflow,
} from './definitions';
import { registerHandlers } from './handlers';
import { Pass, type CheckedInput } from './state';
import { passSteps, type PassSteps } from './steps';

export async function subscription(input: SubscriptionInput): Promise<DeliveryPass> {
  const pass = new Pass(validateStart(input));
  const { customerId, subscriptionId } = pass;
  const steps = passSteps(pass);
  const { charge, notify, settle } = steps;
  registerHandlers(pass);
  pass.addMissingSearchAttributes();
  pass.describe();

  // 1. The first charge, while the customer waits at the Subscribe button (a carried run is paid through already).
  if (!pass.carried) {
    const first = await charge(1, 1, 'first');
    pass.beginPeriod(1);
    if (!first.paid) {
      pass.failed(first.reason);
      await end(pass, steps, first.declined ? 'declined' : 'paymentUnavailable');
      await settle();
      return pass.status();
    }
    pass.activate();
    log.info('delivery pass started', { customerId, subscriptionId });
  }

  // 2. Sleep until the paid period ends, then renew it (or end, if cancelled); for as long as the pass lasts.
  while (!pass.ended()) {
    const waitFor = Math.max(1, (pass.paidThrough ?? Date.now()) - Date.now());
    const interrupted = await condition(
      () => pass.continueRequested || historyIsLong(SUBSCRIPTION_MAX_HISTORY_EVENTS),
      waitFor,
    );
    if (interrupted) {
      // 3. Continue as new, only here between charges: the next run resumes the same wait for the period's end.
      await settle();
      const handOver = pass.handOver();
      log.info('delivery pass continues as new', {
        customerId,
        runs: pass.runs,
        historyLength: workflowInfo().historyLength,
      });
      return makeContinueAsNewFunc<SubscriptionWorkflow>({ typedSearchAttributes: pass.attributes() })({
        customerId,
        subscriptionId,
        paymentMethod: pass.paymentMethod,
        carried: handOver,
      });
    }
    if (pass.state === 'cancelling') {
      await end(pass, steps, 'cancelled');
      notify('passEnded', 'ended');
      break;
    }
    await renew(pass, steps);
  }
  await settle();
  return pass.status();
}

/**
 * A pass runs for ever (continue-as-new each period), so it moves to each new worker build at its next task, like a
 * loyalty account; a change to its steps still goes behind `patched()` (docs/versioning.md).
 */
setWorkflowOptions(onVersionedWorkers('AUTO_UPGRADE'), subscription);

/** The next period's charge, retried on a schedule after a decline; ends the pass when the tries run out. */
async function renew(pass: Pass, steps: PassSteps): Promise<void> {
  const { charge, notify, refundUnsettled } = steps;
  const { settings } = pass;
  pass.beginPeriod(pass.period + 1);
  let attempt = 1;
  for (let tries = 1; ; tries++) {
    pass.renewing = true;
    const outcome = await charge(pass.period, attempt, 'renewal').finally(() => (pass.renewing = false));
    if (outcome.paid) {
      const recovered = pass.state === 'pastDue';
      pass.renewed();
      if (recovered) notify('passRenewed', `period-${pass.period}:renewed`);
      return;
    }
    pass.failed(outcome.reason);
    if (tries >= settings.renewalAttempts) {
      await end(pass, steps, 'renewalFailed');
      notify('passEnded', 'ended');
      return;
    }
    if (outcome.declined) attempt += 1;
    if (pass.retryLater(tries)) notify('passRenewalFailed', `period-${pass.period}:renewalFailed`);
    // Cancelling while past due ends the pass at once; otherwise try again after the delay.
    if (await condition(() => pass.ended(), settings.renewalRetryDelay)) {
      await refundUnsettled();
      return;
    }
  }
}

/** The pass ends: a charge whose outcome is unknown is refunded first. */
async function end(pass: Pass, steps: PassSteps, reason: PassEndReason): Promise<void> {
  await steps.refundUnsettled();
  pass.close(reason);
}

/**
 * Create/start validation: a bad input fails the pass at once; the subscribe update, sent with the start, is
 * refused with the same reason.
 */
function validateStart(input: SubscriptionInput): CheckedInput {
  try {
    return checkInput(input);
  } catch (error) {
    const failure = ApplicationFailure.create({
      type: PassErrorType.invalidInput,
      message: `Invalid pass input: ${error instanceof Error ? error.message : String(error)}`,
      nonRetryable: true,
    });
    return rejectStart(subscribeUpdate, failure);
  }
}

const SUBSCRIPTION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

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
