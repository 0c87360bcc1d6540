import { defineUpdate } from '@temporalio/workflow';

/**
 * Sent by an operator to a workflow that runs forever (loyalty, subscription): continue as new now, once in-flight
 * work has settled, carrying all state. A run started after a deploy runs the new code from its first event, which
 * is how a change that `patched()` cannot express reaches these workflows. Answers the number of the next run.
 */
export const continueAsNewUpdate = defineUpdate<number>('continueAsNew');
