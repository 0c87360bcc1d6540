import type { OrderInput } from '../src';

/** Ada's usual: the order the workflow tests and the recorded histories are made of. */
export function sampleOrder(orderId: string, overrides: Partial<OrderInput> = {}): OrderInput {
  return {
    orderId,
    customerId: 'customer-ada',
    customerName: 'Ada',
    items: [
      { productId: 'burrata', quantity: 2 },
      { productId: 'tiramisu', quantity: 1 },
    ],
    deliveryAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345' },
    paymentMethod: 'tok_visa',
    ...overrides,
  };
}

/** 2 × 1200 + 700 + 299 delivery: the total of sampleOrder() in cents. */
export const ORDER_TOTAL_CENTS = 3399;
