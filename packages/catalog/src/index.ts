export { products, findProduct, type Product, type ProductId } from './products';
export {
  priceOrder,
  formatCents,
  InvalidOrderError,
  DELIVERY_FEE_CENTS,
  MAX_LINES,
  MAX_QUANTITY_PER_LINE,
  type LineItem,
  type PricedLine,
  type PricedOrder,
} from './pricing';
export { REWARD_LEVEL_NAMES, describeReward } from './rewards';
