import { loyaltySearchAttributes } from './loyalty/definitions';
import { orderSearchAttributes } from './order/definitions';
import { subscriptionSearchAttributes } from './subscription/definitions';

/** Every custom search attribute this project's workflows use, once each: what a Temporal server must register. */
export const allSearchAttributes = [
  ...new Map(
    [...orderSearchAttributes, ...loyaltySearchAttributes, ...subscriptionSearchAttributes].map((key) => [
      key.name,
      key,
    ]),
  ).values(),
];
