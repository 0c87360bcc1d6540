import {
  ORDER_MEMO_KEY,
  ORDER_WORKFLOW_TYPE,
  OrderStateAttribute,
  OrderStateSinceAttribute,
  OrderTotalCentsAttribute,
  orderIdOf,
  shortOrderNumber,
  type OrderMemo,
  type OrderState,
} from '@durable-delivery/workflows';
import { defaultPayloadConverter, type Client, type Payload } from '@temporalio/client';
import { keyword } from './ids';
import type { EndedOrder } from './order-ending';

/** Where an order goes, as precisely as someone who has not taken it on may know: postal code and city. */
export interface DeliveryArea {
  readonly postalCode: string;
  readonly city: string;
}

/** One line of a list, straight from visibility: no per-order query, so a page costs one server call. */
export interface OrderSummary {
  readonly orderId: string;
  /** What people call the order (shortOrderNumber): the board's cards and messages say this, never the id. */
  readonly orderNumber: string;
  readonly state?: OrderState;
  readonly totalCents?: number;
  readonly startedAt?: string;
  /** From the order's memo (set at start): what a driver needs to see without opening the order. */
  readonly dishes?: string;
  readonly area?: DeliveryArea;
  /** The full address and name: only in the lists of the people the order belongs to (`view: 'full'`). */
  readonly deliveryAddress?: OrderMemo['deliveryAddress'];
  readonly customerName?: string;
  /** When the step the order waits on times out (pickup while paid, delivery while picked up), as the workflow set it. */
  readonly deadline?: string;
  /** On a driver's own list: how an order they held ended, and when (see driver-deliveries). */
  readonly ended?: EndedOrder;
}

/**
 * How much of the customer a list shows. `area`: the dishes and the postal code and city, never the name, street or
 * note (the waiting list, which every driver sees). `full`: everything, for the customer's own list and for the
 * driver who picked the order up.
 */
export type OrderListView = 'area' | 'full';

export interface OrderPage {
  readonly orders: OrderSummary[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string;
}

/**
 * `CustomerId = 'c-1' AND OrderState IN ('paid', 'pickedUp')`: a list of values is any of them. Every value is
 * checked against the id character set.
 */
export function orderQuery(conditions: Record<string, string | readonly string[]>): string {
  return [
    `WorkflowType = ${keyword(ORDER_WORKFLOW_TYPE)}`,
    ...Object.entries(conditions).map(([name, value]) =>
      typeof value === 'string' ? `${name} = ${keyword(value)}` : `${name} IN (${value.map(keyword).join(', ')})`,
    ),
  ].join(' AND ');
}

/**
 * One page of orders matching a visibility query. WorkflowClient.list() pages internally and hides the page token,
 * so this asks the workflow service directly and hands the token out as an opaque cursor.
 * Order: SQL visibility (the dev server's SQLite, and PostgreSQL/MySQL) refuses ORDER BY and always answers open
 * orders first, newest start first, then closed ones by close time, newest first: newest first for a person.
 */
export async function listOrders(
  client: Client,
  query: string,
  page: { cursor?: Uint8Array; limit: number },
  view: OrderListView,
): Promise<OrderPage> {
  // The cursor was checked and decoded by pageInputSchema (cursorSchema): only a page token's shape gets here.
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query,
    pageSize: page.limit,
    nextPageToken: page.cursor,
  });
  const orders = await Promise.all(
    response.executions.map(async (execution): Promise<OrderSummary> => {
      const fields = execution.searchAttributes?.indexedFields ?? {};
      const attribute = <T>(name: string): T | undefined => {
        const payload = fields[name];
        return payload ? defaultPayloadConverter.fromPayload<T>(payload) : undefined;
      };
      const memoPayload = execution.memo?.fields?.[ORDER_MEMO_KEY];
      const memo = memoPayload ? await decodeMemo<OrderMemo>(client, memoPayload) : undefined;
      const seconds = execution.startTime?.seconds;
      const state = attribute<OrderState>(OrderStateAttribute.name);
      const deadline = deadlineOf(state, attribute<string>(OrderStateSinceAttribute.name), memo?.windows);
      const orderId = orderIdOf(execution.execution?.workflowId ?? '') ?? '';
      return {
        orderId,
        orderNumber: shortOrderNumber(orderId),
        state,
        totalCents: attribute<number>(OrderTotalCentsAttribute.name),
        startedAt: seconds ? isoFromTimestamp(seconds, execution.startTime?.nanos ?? 0) : undefined,
        ...(memo ? memoFields(memo, view) : {}),
        ...(deadline ? { deadline } : {}),
      };
    }),
  );
  const token = response.nextPageToken;
  return { orders, ...(token && token.length > 0 ? { nextCursor: Buffer.from(token).toString('base64') } : {}) };
}

/**
 * The deadline of the step an order waits on: the workflow sets it to the moment it entered the state (which it
 * writes as OrderStateSince, in the same workflow task) plus the order's window. Undefined for other states, and for
 * orders whose memo predates the windows.
 */
export function deadlineOf(
  state: OrderState | undefined,
  since: string | undefined,
  windows: OrderMemo['windows'],
): string | undefined {
  if (!since || !windows) return undefined;
  const window = state === 'paid' ? windows.pickup : state === 'pickedUp' ? windows.delivery : undefined;
  const start = Date.parse(since);
  return window === undefined || Number.isNaN(start) ? undefined : new Date(start + window).toISOString();
}

/** The memo's fields a list row carries: the person and their street only in the full view. */
function memoFields(memo: OrderMemo, view: OrderListView): Partial<OrderSummary> {
  const { postalCode, city } = memo.deliveryAddress;
  const summary = { dishes: memo.dishes, area: { postalCode, city } };
  return view === 'full'
    ? { ...summary, deliveryAddress: memo.deliveryAddress, customerName: memo.customerName }
    : summary;
}

/**
 * The raw service call skips the client's data converter, and the memo is encrypted (search attributes never are):
 * run the client's codecs, last first as the SDK does, then its payload converter.
 */
async function decodeMemo<T>(client: Client, payload: Payload): Promise<T> {
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let decoded = payload;
  for (const codec of [...payloadCodecs].reverse()) [decoded = decoded] = await codec.decode([decoded]);
  return payloadConverter.fromPayload<T>(decoded);
}

/** A protobuf timestamp (seconds may be a Long) as ISO-8601. */
function isoFromTimestamp(seconds: { toString(): string }, nanos: number): string {
  return new Date(Number(seconds.toString()) * 1000 + Math.floor(nanos / 1e6)).toISOString();
}
