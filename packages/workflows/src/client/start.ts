import {
  CustomerIdAttribute,
  ORDER_TASK_QUEUE,
  OrderStateAttribute,
  OrderStateSinceAttribute,
  OrderTotalCentsAttribute,
  ORDER_MEMO_KEY,
  orderWorkflowId,
  type OrderMemo,
} from '../order/definitions';
import { validateOrder, type OrderInput } from '../order/input';
import { describeDishes, orderSummary } from '../order/messages';

/**
 * How every caller starts an order, so the API, the benchmark and the tests agree:
 * - the workflow id comes from the client-made order id, and starting it again returns the running order
 *   (USE_EXISTING) instead of charging twice;
 * - an order id is never reused once its workflow has closed (REJECT_DUPLICATE), so its idempotency keys stay unique;
 * - the search attributes are set at start, so the order is listed before its first workflow task runs;
 * - the memo carries what a list row shows (dishes, address, the windows its deadlines come from), so lists need no
 *   per-order query;
 * - the static summary and details are what the Temporal UI shows operators for the order ("2× Burrata · $24.00 ·
 *   Ada"); they hold customer data, so like the input and memo they go through the payload codec.
 * Throws OrderInputError for an invalid order before anything is started.
 */
export function orderStartOptions(input: OrderInput) {
  const { priced, input: order, windows } = validateOrder(input);
  const memo: OrderMemo = {
    dishes: describeDishes(priced),
    deliveryAddress: order.deliveryAddress,
    ...(order.customerName ? { customerName: order.customerName } : {}),
    windows: { pickup: windows.pickup, delivery: windows.delivery },
  };
  return {
    workflowId: orderWorkflowId(input.orderId),
    taskQueue: ORDER_TASK_QUEUE,
    args: [input] as [OrderInput],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    typedSearchAttributes: [
      { key: OrderStateAttribute, value: 'charging' },
      { key: OrderStateSinceAttribute, value: new Date() },
      { key: CustomerIdAttribute, value: input.customerId },
      { key: OrderTotalCentsAttribute, value: priced.totalCents },
    ],
    memo: { [ORDER_MEMO_KEY]: memo },
    staticSummary: orderSummary(priced, order.customerName),
    staticDetails: [
      `**Customer** ${order.customerName ?? order.customerId}`,
      `**Deliver to** ${order.deliveryAddress.street}, ${order.deliveryAddress.postalCode} ${order.deliveryAddress.city}`,
      ...priced.lines.map((line) => `- ${line.quantity}× ${line.product.name}`),
    ].join('\n'),
  };
}
