/**
 * The open loop's parts that decide what is measured: the schedule sends without waiting for answers, and the run's
 * rate and size come from the closed-loop results, bounded by count and by time.
 */
import { openLoopPlan } from '../src/phase';
import { onSchedule } from '../src/schedule';

describe('an open-loop schedule', () => {
  it('sends every request before any has answered, and waits for all of them', async () => {
    const answers: (() => void)[] = [];
    let sent = 0;
    const scheduled = onSchedule(
      5,
      1,
      () => true,
      (index) =>
        new Promise<number>((resolve) => {
          sent += 1;
          answers.push(() => resolve(index));
          // The last one sent answers them all: none answered before every request had gone out.
          if (sent === 5) for (const answer of answers) answer();
        }),
    );
    const { outcomes, maxInFlight, sendTimes } = await scheduled;
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : 'failed'))).toEqual([
      0, 1, 2, 3, 4,
    ]);
    expect(maxInFlight).toBe(5);
    expect(sendTimes).toHaveLength(5);
  });

  it('keeps to the schedule past a failed request, which is an outcome like the others', async () => {
    const { outcomes } = await onSchedule(
      3,
      1,
      () => true,
      async (index) => {
        if (index === 1) throw new Error('declined');
        return index;
      },
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('stops sending once told to', async () => {
    let sent = 0;
    const { outcomes } = await onSchedule(
      10,
      1,
      () => sent < 4,
      async () => {
        sent += 1;
      },
    );
    expect(outcomes).toHaveLength(4);
  });
});

describe('the open-loop run after the closed-loop ones', () => {
  const results = [
    { concurrency: 50, order: { ordersPerSecond: 8.1 } },
    { concurrency: 20, order: { ordersPerSecond: 9 } },
  ];

  it("runs at half the full order's rate at the lowest concurrency, among that concurrency's customers", () => {
    const plan = openLoopPlan({ rate: 'half', orders: 270, seconds: 60 }, results);
    expect(plan).toEqual({
      arrivals: { kind: 'open', perSecond: 4.5, customers: 20 },
      orders: 270,
      rateBasis: 'half of 9.00 orders/s at concurrency 20',
    });
  });

  it('sends no more orders than the time bound allows at that rate, and at least one', () => {
    expect(openLoopPlan({ rate: 'half', orders: 270, seconds: 10 }, results)?.orders).toBe(45);
    expect(openLoopPlan({ rate: 0.01, orders: 270, seconds: 10 }, results)?.orders).toBe(1);
  });

  it('takes a rate that is asked for, and runs none at rate 0 or without closed-loop results', () => {
    expect(openLoopPlan({ rate: 3, orders: 30, seconds: 60 }, results)).toMatchObject({
      arrivals: { perSecond: 3 },
      orders: 30,
      rateBasis: 'set by --open-loop-rate',
    });
    expect(openLoopPlan({ rate: 0, orders: 30, seconds: 60 }, results)).toBeUndefined();
    expect(openLoopPlan({ rate: 'half', orders: 30, seconds: 60 }, [])).toBeUndefined();
  });
});
