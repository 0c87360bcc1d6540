export { runChaos, type ChaosOptions, type ChaosReport } from './chaos';
export { formatReport } from './report';
