// Loaded by path (DataConverter.failureConverterPath) by the worker, the workflow bundle and the clients. It runs
// inside the workflow sandbox too, so it imports nothing but @temporalio/common: no Node builtins.
import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces moved into a payload (`encodedAttributes`), so the payload codec encrypts them
 * like any other payload: a declined card's message or an address in a stack trace stays out of the history in
 * plain text. The server and a client without the codec see "Encoded failure"; reading is unchanged for clients
 * with it, because every failure converter applies encoded attributes when they are present.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
