import { TEST_CARD_CHOICES } from '@durable-delivery/provider-rules';

/**
 * The cards a customer can pay with. This is a demo shop on a simulated payment provider, so these are its test
 * cards, listed once in @durable-delivery/provider-rules (which the payment service and the simulator follow); a
 * real shop would put its provider's card form here.
 */
export const PAYMENT_METHODS = TEST_CARD_CHOICES;
