import { customerAppRouter, driverAppRouter } from '@durable-delivery/api';
import { CustomerIdAttribute, loyaltyWorkflowId, subscriptionWorkflowId } from '@durable-delivery/workflows';
import { type APIRequestContext } from '@playwright/test';
import { expect, test } from '../harness/console-guard';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { urls } from '../harness/app';
import { ARTIFACTS } from '../harness/stack';
import { fuzzCases, type FuzzInput, type FuzzSizes } from './fuzz-inputs';
import { signedInCustomer, signedInDriver, type Session } from './fuzz-sessions';

/**
 * Every tRPC procedure of both apps, read from the routers themselves (a new procedure is fuzzed without touching
 * this file), gets at least CASES_PER_PROCEDURE malformed inputs over real HTTP against the production builds, as a
 * signed-in customer (menu) or driver (driver app). Not one answer may be a 5xx; every 4xx carries a JSON error a
 * person can read; and not one workflow may start.
 */
const CASES_PER_PROCEDURE = 300;
const SEED = 19;
/** Requests in flight at once: enough to keep both servers busy, few enough for a 2-core machine. */
const CONCURRENCY = 6;
const QUERY_SIZES: FuzzSizes = { string: 1_500, depth: 300, width: 300 };
const BODY_SIZES: FuzzSizes = { string: 100_000, depth: 3_000, width: 2_000 };
/** A rate-limited answer is waited out (its Retry-After, capped) this many times before it counts as a problem. */
const RATE_LIMIT_RETRIES = 5;

/** The apps' API logs each fault it could not map ("order API: unexpected error"); the stack's log has every line. */
function unexpectedApiErrorsLogged(): number {
  return readFileSync(join(ARTIFACTS, 'stack.log'), 'utf8').split('order API: unexpected error').length - 1;
}

interface ProcedureLike {
  readonly _def: { readonly type: 'query' | 'mutation' | 'subscription'; readonly inputs: readonly unknown[] };
}

interface Target {
  readonly app: 'menu' | 'driver';
  readonly path: string;
  readonly type: 'query' | 'mutation';
  readonly inputs: readonly unknown[];
}

function targetsOf(app: Target['app'], procedures: Record<string, unknown>): Target[] {
  return Object.entries(procedures).map(([path, procedure]) => {
    const { type, inputs } = (procedure as ProcedureLike)._def;
    if (type === 'subscription') throw new Error(`${path}: the fuzz does not speak tRPC subscriptions yet`);
    return { app, path, type, inputs };
  });
}

/** Whether the procedure's own schemas accept an input (then it is not malformed, and may rightly act). */
function schemaAccepts(target: Target, input: FuzzInput): boolean {
  if (input.kind === 'raw' || target.inputs.length === 0) return false;
  return target.inputs.every(
    (schema) => (schema as { safeParse: (value: unknown) => { success: boolean } }).safeParse(input.value).success,
  );
}

/**
 * A mutation gets only inputs its schema refuses: a valid one may rightly place an order or start a pass. A query
 * gets every case, valid ones too: reads start nothing, and a valid-looking read (a made-up cursor) is where the
 * last 500s were.
 */
function casesFor(target: Target, index: number): FuzzInput[] {
  const sizes = target.type === 'query' ? QUERY_SIZES : BODY_SIZES;
  const schema = target.inputs[0];
  const cases: FuzzInput[] = [];
  for (let round = 0; cases.length < CASES_PER_PROCEDURE && round < 10; round += 1) {
    for (const input of fuzzCases(schema, CASES_PER_PROCEDURE, SEED * 1_000 + index * 10 + round, sizes)) {
      if (cases.length < CASES_PER_PROCEDURE && (target.type === 'query' || !schemaAccepts(target, input)))
        cases.push(input);
    }
  }
  return cases;
}

function inputText(input: FuzzInput): string {
  return input.kind === 'raw' ? input.text : JSON.stringify(input.value);
}

async function send(request: APIRequestContext, origin: string, target: Target, input: FuzzInput) {
  const text = inputText(input);
  // As the apps' own pages send them, and as the edge's CSRF rules require: the app's Origin, JSON.
  const headers = { origin, 'content-type': 'application/json' };
  const url = `${origin}/api/trpc/${target.path}`;
  for (let attempt = 0; ; attempt += 1) {
    const response =
      target.type === 'query'
        ? await request.get(`${url}?input=${encodeURIComponent(text)}`, { headers, maxRedirects: 0 })
        : await request.post(url, { headers, data: text, maxRedirects: 0 });
    if (response.status() !== 429 || attempt >= RATE_LIMIT_RETRIES) return response;
    const wait = Math.min(Number(response.headers()['retry-after'] ?? 1), 2);
    await new Promise((resolve) => setTimeout(resolve, (Number.isFinite(wait) ? wait : 1) * 1_000));
  }
}

/** What is wrong with an error message a person would be shown, if anything. */
function messageProblem(message: unknown): string | undefined {
  if (typeof message !== 'string' || message.trim() === '') return 'no message';
  if (/^\s*[[{]/.test(message)) return 'a JSON dump, not a sentence';
  if (/internal|something went wrong/i.test(message)) return 'an internal error';
  if (/\bat .+:\d+:\d+/.test(message)) return 'a stack trace';
  // zod's own wordings: the API words every field's problem itself.
  if (
    /expected \w+, received|Unrecognized key|Too (big|small):|Invalid (input|option)\b(?!:)|in JSON at|Unexpected (end|token)/.test(
      message,
    )
  )
    return "a library's raw wording";
  if (message.length > 1_000) return 'too long to read';
  return undefined;
}

function errorMessageOf(body: unknown): unknown {
  const parsed = body as { error?: { message?: unknown }; message?: unknown } | undefined;
  return parsed?.error?.message ?? parsed?.message;
}

test('every procedure of both apps refuses ≥ 300 malformed inputs each with a readable 4xx, and starts nothing', async ({
  browser,
}) => {
  test.setTimeout(8 * 60_000);
  const targets = [
    ...targetsOf('menu', customerAppRouter._def.procedures),
    ...targetsOf('driver', driverAppRouter._def.procedures),
  ];
  expect(targets.filter((target) => target.app === 'driver').length).toBeGreaterThan(0);

  const customer = await signedInCustomer(browser, urls().menuFuzz);
  const driver = await signedInDriver(browser, urls().driverFuzz);
  const sessions: Record<Target['app'], Session> = { menu: customer, driver };
  const origins: Record<Target['app'], string> = { menu: urls().menuFuzz, driver: urls().driverFuzz };

  // Who the fuzz customer is, so the workflows started for them can be counted afterwards.
  const summary = await customer.request.get(`${urls().menuFuzz}/api/trpc/rewards.summary`);
  const customerId = ((await summary.json()) as { result: { data: { customerId: string } } }).result.data.customerId;
  expect(customerId).toMatch(/^c-/);

  const errorsBefore = unexpectedApiErrorsLogged();
  const work = targets.flatMap((target, index) => casesFor(target, index).map((input) => ({ target, input })));
  const sent = new Map<string, number>();
  const statuses = new Map<number, number>();
  // Problems grouped by procedure and kind, each with a count and its first example, so one run shows them all.
  const problems = new Map<string, { count: number; example: string }>();
  const report = (target: Target, input: FuzzInput, problem: string, detail: string) => {
    const key = `${target.path}: ${problem}`;
    const seen = problems.get(key);
    if (seen) seen.count += 1;
    else problems.set(key, { count: 1, example: `${inputText(input).slice(0, 120)} → ${detail.slice(0, 200)}` });
  };

  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < work.length) {
        const { target, input } = work[next++]!;
        const response = await send(sessions[target.app].request, origins[target.app], target, input);
        const status = response.status();
        sent.set(target.path, (sent.get(target.path) ?? 0) + 1);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) {
          report(target, input, `answered ${status}`, await response.text());
          continue;
        }
        if (status === 429) report(target, input, 'still rate-limited: the e2e stack must allow the fuzz', '');
        if (status < 400) continue;
        const body: unknown = await response.json().catch(() => undefined);
        if (body === undefined) {
          report(target, input, `answered ${status} without a JSON body`, await response.text());
          continue;
        }
        const message = errorMessageOf(body);
        const problem = messageProblem(message);
        if (problem) report(target, input, `answered ${status} with ${problem}`, JSON.stringify(message));
      }
    }),
  );

  test.info().annotations.push({
    type: 'fuzz',
    description: `${work.length} requests to ${targets.length} procedures; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  });
  expect([...problems].map(([problem, { count, example }]) => `${problem} (${count}×), e.g. ${example}`)).toEqual([]);
  for (const target of targets) expect(sent.get(target.path), target.path).toBeGreaterThanOrEqual(300);

  // Not one workflow for the fuzz's customer: no order (every order carries its customer's id from its start), no
  // delivery pass, no loyalty account.
  const connection = await Connection.connect({ address: process.env.E2E_TEMPORAL_ADDRESS });
  try {
    const client = new Client({ connection });
    const orders = await client.workflow.count(`${CustomerIdAttribute.name} = '${customerId}'`);
    expect(orders.count).toBe(0);
    for (const workflowId of [subscriptionWorkflowId(customerId), loyaltyWorkflowId(customerId)]) {
      await expect(client.workflow.getHandle(workflowId).describe(), workflowId).rejects.toBeInstanceOf(
        WorkflowNotFoundError,
      );
    }
  } finally {
    await connection.close();
  }

  // Malformed input is the client's mistake: nothing of it is logged as a fault of ours (checked last: the apps'
  // output reaches the log through a pipe).
  expect(unexpectedApiErrorsLogged() - errorsBefore).toBe(0);

  await customer.close();
  await driver.close();
});
