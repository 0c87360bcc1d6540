/**
 * How the apps talk to a delivery pass: the query, the subscribe update sent with the start, cancel and resume
 * (each with its validator), and an operator's continue-as-new.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { isRecord } from '../order/input';
import { continueAsNewUpdate } from '../shared/definitions';
import { iso, refuse } from '../shared/helpers';
import {
  PassErrorType,
  cancelPassUpdate,
  getPassQuery,
  resumePassUpdate,
  subscribeUpdate,
  type CancelPassArgs,
  type DeliveryPass,
} from './definitions';
import type { Pass } from './state';

/** Registers every handler of `pass`, in the order the SDK has always seen them. */
export function registerHandlers(pass: Pass): void {
  const wrongState = (message: string): never => refuse(PassErrorType.wrongState, message);

  setHandler(getPassQuery, () => pass.status());

  // Answered once the first charge has settled, paid or not.
  setHandler(subscribeUpdate, async (): Promise<DeliveryPass> => {
    await condition(() => pass.state !== 'pending');
    return pass.status();
  });

  const checkCancel = (args?: CancelPassArgs): void => {
    if (args !== undefined && args !== null && !isRecord(args)) {
      throw ApplicationFailure.create({
        type: PassErrorType.invalidArgument,
        message: 'Invalid argument: expected an object like {"reason": "…"}',
        nonRetryable: true,
      });
    }
    const { state } = pass;
    if (state === 'pending' || pass.renewing)
      wrongState('Your pass is being charged right now; try again in a moment.');
    if (state === 'cancelling') {
      wrongState(`Your pass is already cancelled; it ends on ${iso(pass.paidThrough ?? Date.now())}.`);
    }
    if (state === 'ended') wrongState('Your pass has already ended.');
  };
  setHandler(
    cancelPassUpdate,
    (args?: CancelPassArgs): DeliveryPass => {
      checkCancel(args);
      pass.cancel();
      return pass.status();
    },
    { validator: checkCancel },
  );

  const checkResume = (): void => {
    const { state } = pass;
    if (state === 'active') wrongState('Your pass is already active.');
    if (state === 'pending') wrongState('Your pass is being charged right now; try again in a moment.');
    if (state === 'pastDue') {
      wrongState('Your pass renewal is being retried; it resumes as soon as a charge goes through.');
    }
    if (state === 'ended') wrongState('Your pass has ended; subscribe again to start a new one.');
  };
  setHandler(
    resumePassUpdate,
    (): DeliveryPass => {
      checkResume();
      pass.resume();
      return pass.status();
    },
    { validator: checkResume },
  );

  setHandler(continueAsNewUpdate, () => {
    pass.continueRequested = true;
    return pass.runs + 1;
  });
}
