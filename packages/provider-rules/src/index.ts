export {
  TEST_CARDS,
  TEST_CARD_CHOICES,
  FLAKY_FAILURES_PER_CHARGE,
  decideCharge,
  transientFailure,
  type CardDecision,
  type TestCardToken,
} from './cards';
export {
  MAX_AMOUNT_CENTS,
  answerOnce,
  chargeFingerprint,
  decideRefund,
  isValidAmount,
  refundFingerprint,
  type FirstAnswer,
  type KeyedAnswer,
  type Operation,
  type RefundDecision,
  type StoredAnswer,
} from './payments';
export { Faults, NO_FAULTS, faultSettingsSchema, type FaultSettings } from './faults';
