export { buildPaymentService, type PaymentServiceOptions } from './server';
export { Ledger, type LedgerEntry } from './ledger';
export { Faults, NO_FAULTS, type FaultSettings } from '@durable-delivery/service-kit';
export { TEST_CARDS } from '@durable-delivery/provider-rules';
export { loadConfig, type PaymentServiceConfig } from './config';
