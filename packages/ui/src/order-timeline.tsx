import type { OrderState } from '@durable-delivery/workflows';
import { STATE_LABELS } from './states';
import { LocalTime } from './local-time';

/** The happy path an order walks; a failure ends it early with one of the final problem states. */
const HAPPY_PATH: readonly OrderState[] = ['charging', 'paid', 'pickedUp', 'delivered'];

const STEP_LABELS: Partial<Record<OrderState, string>> = {
  charging: 'Order placed',
  paid: 'Paid',
  pickedUp: 'Picked up',
  delivered: 'Delivered',
};

/**
 * The order's states as a list of steps: the ones it went through (with when), the one it is in, and the ones
 * still ahead. Drawn from the workflow's own transitions, so it is exactly what happened, in order.
 */
export function OrderTimeline({
  state,
  transitions,
}: {
  state: OrderState;
  transitions: readonly { readonly state: OrderState; readonly at: string }[];
}) {
  const reached = new Map(transitions.map((transition) => [transition.state, transition.at]));
  const offPath = transitions.filter((transition) => !HAPPY_PATH.includes(transition.state));
  const stoppedEarly = offPath.length > 0;
  const steps = [
    ...HAPPY_PATH.filter((step) => reached.has(step) || !stoppedEarly).map((step) => ({
      state: step,
      label: STEP_LABELS[step] ?? STATE_LABELS[step],
      at: reached.get(step),
    })),
    ...offPath.map((transition) => ({
      state: transition.state,
      label: STATE_LABELS[transition.state],
      at: transition.at,
    })),
  ];
  return (
    <ol className="timeline" aria-label="Order progress">
      {steps.map((step) => {
        const current = step.state === state;
        const done = step.at !== undefined && !current;
        const status = current ? 'current' : done ? 'done' : 'ahead';
        return (
          <li
            key={step.state}
            className={`timeline-step timeline-${status}`}
            aria-current={current ? 'step' : undefined}
            data-state={step.state}
          >
            <span className="timeline-marker" aria-hidden="true" />
            <span className="timeline-label">{step.label}</span>
            {step.at ? (
              <LocalTime className="timeline-time" iso={step.at} />
            ) : (
              <span className="visually-hidden">not yet</span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
