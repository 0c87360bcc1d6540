import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { billableActions, describeActions } from '../src/actions';

// The order workflow's recorded replay fixtures: real histories, written by the real SDK and test server.
const recorded = (name: string) =>
  historyFromJSON(
    JSON.parse(readFileSync(resolve(__dirname, `../../../packages/workflows/test/histories/${name}.json`), 'utf8')),
  );

describe('Temporal Cloud billable actions counted from a history', () => {
  it('counts a delivered, rated order by the documented rules', () => {
    // By the workflow's logic: 1 start; 1 charge; the pickedUp and delivered notifications as local activities in
    // two workflow tasks; the pickup, delivery and rating-prompt waits as timers; waitForPayment, pickUp, deliver and
    // rate as updates; paid, pickedUp and delivered as search-attribute upserts (charging is set at start, free).
    expect(billableActions(recorded('delivered-and-rated'))).toEqual({
      total: 14,
      workflowStarted: 1,
      activityAttempts: 1,
      localActivityTasks: 2,
      timers: 3,
      updatesAccepted: 4,
      signals: 0,
      searchAttributeUpserts: 3,
    });
  });

  it('counts every attempt of a retried activity, though the history records only the last one', () => {
    // The charge failed twice before it went through: three attempts, one ActivityTaskStarted event (attempt 3).
    expect(billableActions(recorded('payment-retried')).activityAttempts).toBe(3);
  });

  it('counts signals, which the seed-style CLI path uses instead of updates', () => {
    const actions = billableActions(recorded('signals-from-cli'));
    expect(actions.signals).toBe(2);
    expect(describeActions(actions)).toMatch(/^\d+ \(workflow 1, .*signals 2, /);
  });
});
