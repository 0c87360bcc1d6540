import { Counter, Registry, metricValue } from '../src';

describe('metricValue', () => {
  it('reads a series by name and labels from Prometheus text, summing what matches', async () => {
    const registry = new Registry();
    const calls = new Counter({
      name: 'calls_total',
      help: 'h',
      labelNames: ['procedure', 'code'],
      registers: [registry],
    });
    calls.inc({ procedure: 'orders.createOrder', code: 'OK' }, 3);
    calls.inc({ procedure: 'orders.createOrder', code: 'CONFLICT' });
    calls.inc({ procedure: 'orders.cancel', code: 'OK' });
    const text = await registry.metrics();
    expect(metricValue(text, 'calls_total', { procedure: 'orders.createOrder', code: 'OK' })).toBe(3);
    expect(metricValue(text, 'calls_total', { procedure: 'orders.createOrder' })).toBe(4);
    expect(metricValue(text, 'calls_total')).toBe(5);
    expect(metricValue(text, 'calls_total', { code: 'NOT_FOUND' })).toBe(0);
    expect(metricValue(text, 'calls')).toBe(0);
  });
});
