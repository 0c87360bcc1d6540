import { OrderInputError, orderInputSchema, validateOrder, type OrderInput } from '../src';

// The workflow checks its input without a schema library (for speed in the sandbox); callers use the zod schema.
// Both must accept and reject the same orders, and blame the same fields.
const valid: OrderInput = {
  orderId: 'order_1-A',
  customerId: 'ada',
  customerName: 'Ada',
  items: [{ productId: 'poke', quantity: 2 }],
  deliveryAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345', instructions: 'Ring twice' },
  paymentMethod: 'tok_visa',
  windows: { pickup: '10 minutes', delivery: 90_000 },
};

const cases: [string, unknown, string[]][] = [
  ['a complete order', valid, []],
  ['an order without optional fields', { ...valid, customerName: undefined, windows: undefined }, []],
  ['not an object', 'burrata please', ['input']],
  ['a bad order id', { ...valid, orderId: 'has spaces' }, ['orderId']],
  ['a too long order id', { ...valid, orderId: 'x'.repeat(65) }, ['orderId']],
  ['a blank customer', { ...valid, customerId: '   ' }, ['customerId']],
  ['a missing customer', { ...valid, customerId: undefined }, ['customerId']],
  ['no items', { ...valid, items: [] }, ['items']],
  ['items that are not a list', { ...valid, items: 'poke' }, ['items']],
  ['a zero quantity', { ...valid, items: [{ productId: 'poke', quantity: 0 }] }, ['items[0].quantity']],
  ['a fractional quantity', { ...valid, items: [{ productId: 'poke', quantity: 1.5 }] }, ['items[0].quantity']],
  ['a quantity as text', { ...valid, items: [{ productId: 'poke', quantity: '2' }] }, ['items[0].quantity']],
  ['too many of one dish', { ...valid, items: [{ productId: 'poke', quantity: 21 }] }, ['items[0].quantity']],
  ['a blank product', { ...valid, items: [{ productId: '', quantity: 1 }] }, ['items[0].productId']],
  ['no address', { ...valid, deliveryAddress: undefined }, ['deliveryAddress']],
  [
    'a blank street',
    { ...valid, deliveryAddress: { ...valid.deliveryAddress, street: '' } },
    ['deliveryAddress.street'],
  ],
  [
    'a long postal code',
    { ...valid, deliveryAddress: { ...valid.deliveryAddress, postalCode: '1'.repeat(21) } },
    ['deliveryAddress.postalCode'],
  ],
  ['no payment method', { ...valid, paymentMethod: '' }, ['paymentMethod']],
  ['a bad window', { ...valid, windows: { pickup: 'soon' } }, ['windows.pickup']],
  ['a negative window', { ...valid, windows: { delivery: -5 } }, ['windows.delivery']],
  ['an unknown window', { ...valid, windows: { lunch: '1 hour' } }, ['windows', 'windows.lunch']],
  [
    'several problems at once',
    { ...valid, customerId: '', items: [], paymentMethod: 7 },
    ['customerId', 'items', 'paymentMethod'],
  ],
];

function workflowVerdict(input: unknown): string[] {
  try {
    validateOrder(input);
    return [];
  } catch (error) {
    if (!(error instanceof OrderInputError)) throw error;
    return error.message
      .replace(/^Invalid order: /, '')
      .split('; ')
      .map((problem) => problem.slice(0, problem.indexOf(':')));
  }
}

function schemaVerdict(input: unknown): string[] {
  const parsed = orderInputSchema.safeParse(input);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) =>
    issue.path.length === 0
      ? 'input'
      : issue.path
          .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`))
          .join(''),
  );
}

describe('the workflow’s input check and the callers’ zod schema', () => {
  it.each(cases)('agree on %s', (_name, input, fields) => {
    const workflow = workflowVerdict(input);
    const schema = schemaVerdict(input);
    // zod reports an unknown key on the object that holds it; the workflow names the key itself.
    const expected = fields.filter((field) => field !== 'windows');
    expect(new Set(workflow.filter((field) => field !== 'windows'))).toEqual(new Set(expected));
    expect(new Set(schema.filter((field) => field !== 'windows.lunch'))).toEqual(
      new Set(fields.filter((field) => field !== 'windows.lunch')),
    );
  });

  it('names an unknown product, which only the catalog knows', () => {
    expect(() => validateOrder({ ...valid, items: [{ productId: 'unicorn-steak', quantity: 1 }] })).toThrow(
      'Invalid order: Item 1: unknown product "unicorn-steak".',
    );
  });

  it('trims what it keeps and fills in the default windows', () => {
    const { input, windows } = validateOrder({ ...valid, customerId: '  ada  ', windows: undefined });
    expect(input.customerId).toBe('ada');
    expect(windows).toEqual({
      pickup: 60_000,
      delivery: 60_000,
      ratePrompt: 60_000,
      rating: 3_600_000,
      payment: 300_000,
    });
  });
});
