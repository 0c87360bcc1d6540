export { formatCents } from '@durable-delivery/catalog';
export { STATE_LABELS, isFinalState, stateLabel, stateTone, type Tone } from './states';
export { OrderTimeline } from './order-timeline';
export { Notice } from './notice';
export { formatTime } from './time';
