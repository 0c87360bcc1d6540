import {
  CustomerIdAttribute,
  ORDER_TASK_QUEUE,
  OrderStateAttribute,
  OrderStateSinceAttribute,
  OrderTotalCentsAttribute,
  orderWorkflowId,
} from '../order/definitions';
import { validateOrder, type OrderInput } from '../order/input';

/**
 * How every caller starts an order, so the API, the benchmark and the tests agree:
 * - the workflow id comes from the client-made order id, and starting it again returns the running order
 *   (USE_EXISTING) instead of charging twice;
 * - an order id is never reused once its workflow has closed (REJECT_DUPLICATE), so its idempotency keys stay unique;
 * - the search attributes are set at start, so the order is listed before its first workflow task runs.
 * Throws OrderInputError for an invalid order before anything is started.
 */
export function orderStartOptions(input: OrderInput) {
  const { priced } = validateOrder(input);
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
  };
}
