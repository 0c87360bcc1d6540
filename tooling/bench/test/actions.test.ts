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
    // By the workflow's logic: 1 start; the charge and the loyalty points; the checkout perks, the pickedUp and the
    // delivered notifications as local activities in three workflow tasks; the pickup, delivery and rating-prompt
    // waits as timers; waitForPayment, pickUp, deliver and rate as updates; paid, pickedUp and delivered as
    // search-attribute upserts (charging is set at start, free).
    expect(billableActions(recorded('delivered-and-rated'))).toEqual({
      total: 16,
      workflowStarted: 1,
      activityAttempts: 2,
      localActivityTasks: 3,
      localActivityRetries: 0,
      timers: 3,
      updatesAccepted: 4,
      signals: 0,
      searchAttributeUpserts: 3,
    });
  });

  it('bills no TemporalChangeVersion upsert, and one action per workflow task with markers, patch markers included', () => {
    // An order of the build before the order was pinned (test/histories/retired), both patches taken: each
    // patched() call records a marker and an upsert of TemporalChangeVersion alone, which Temporal Cloud exempts.
    // Markers fall in three tasks: the first (the checkout-perks patch), pickUp's (the pickedUp push) and deliver's
    // (the loyalty-points patch and the delivered push, one action for both).
    // 1 start; perks, charge and earnPoints; 3 timers; 4 updates; total, paid, pickedUp and delivered upserts.
    const history = recorded('retired/delivered-with-perks');
    const changeVersionUpserts = (history.events ?? []).filter((event) =>
      Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).includes(
        'TemporalChangeVersion',
      ),
    );
    expect(changeVersionUpserts).toHaveLength(2);
    expect(billableActions(history)).toEqual({
      total: 18,
      workflowStarted: 1,
      activityAttempts: 3,
      localActivityTasks: 3,
      localActivityRetries: 0,
      timers: 3,
      updatesAccepted: 4,
      signals: 0,
      searchAttributeUpserts: 4,
    });
  });

  it('bills an upsert that sets TemporalChangeVersion beside another attribute', () => {
    const history = recorded('retired/delivered-with-perks');
    const before = billableActions(history).searchAttributeUpserts;
    const upsert = (history.events ?? []).find((event) =>
      Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).includes(
        'TemporalChangeVersion',
      ),
    );
    const fields = upsert?.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    if (!fields) throw new Error('the fixture has no TemporalChangeVersion upsert');
    fields.OrderState = fields.TemporalChangeVersion!;
    expect(billableActions(history).searchAttributeUpserts).toBe(before + 1);
  });

  it("counts each local-activity attempt after the first, from the workflow tasks' metering metadata", () => {
    const history = recorded('delivered-and-rated');
    const completed = (history.events ?? []).filter((event) => event.workflowTaskCompletedEventAttributes);
    // As the server records a task whose local activity (a push) ran three times: two attempts after the first.
    completed[3]!.workflowTaskCompletedEventAttributes!.meteringMetadata = {
      nonfirstLocalActivityExecutionAttempts: 2,
    };
    const actions = billableActions(history);
    expect(actions.localActivityRetries).toBe(2);
    expect(actions.total).toBe(18);
  });

  it('counts every attempt of a retried activity, though the history records only the last one', () => {
    // The charge failed twice before it went through: three attempts, one ActivityTaskStarted event (attempt 3);
    // then the loyalty points, one attempt.
    expect(billableActions(recorded('payment-retried')).activityAttempts).toBe(4);
  });

  it('counts signals, which the seed-style CLI path uses instead of updates', () => {
    const actions = billableActions(recorded('signals-from-cli'));
    expect(actions.signals).toBe(2);
    expect(describeActions(actions)).toMatch(/^\d+ \(workflow 1, .*signals 2, /);
  });
});
