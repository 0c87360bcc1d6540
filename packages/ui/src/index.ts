export { formatCents } from '@durable-delivery/catalog';
export { STATE_LABELS, isFinalState, stateLabel, stateTone, type Tone } from './states';
export { OrderTimeline } from './order-timeline';
export { Notice } from './notice';
export { formatTime } from './time';
export { errorMessage, fieldErrorsOf, httpStatusOf, isClientError } from './errors';
export { createQueryClient } from './query-client';
export { ErrorScreen } from './error-screen';
