import { DELIVERY_FEE_CENTS, InvalidOrderError, describeReward, formatCents, priceOrder, products } from '../src';

describe('priceOrder', () => {
  it('totals lines in integer cents and adds the delivery fee', () => {
    const priced = priceOrder([
      { productId: 'burrata', quantity: 2 },
      { productId: 'tiramisu', quantity: 1 },
    ]);
    expect(priced.subtotalCents).toBe(2 * 1200 + 700);
    expect(priced.deliveryFeeCents).toBe(DELIVERY_FEE_CENTS);
    expect(priced.totalCents).toBe(2 * 1200 + 700 + DELIVERY_FEE_CENTS);
    expect(priced.lines.map((line) => [line.product.id, line.quantity, line.lineTotalCents])).toEqual([
      ['burrata', 2, 2400],
      ['tiramisu', 1, 700],
    ]);
  });

  it('merges repeated lines for the same dish', () => {
    const priced = priceOrder([
      { productId: 'poke', quantity: 1 },
      { productId: 'poke', quantity: 2 },
    ]);
    expect(priced.lines).toHaveLength(1);
    expect(priced.lines[0]?.quantity).toBe(3);
  });

  it.each([
    [[], /no items/],
    [[{ productId: 'pizza-hawaii', quantity: 1 }], /Item 1: unknown product "pizza-hawaii"/],
    [[{ productId: 'poke', quantity: 0 }], /Item 1 \(Poke\): quantity must be a whole number of at least 1, got 0/],
    [[{ productId: 'poke', quantity: 1.5 }], /quantity must be a whole number/],
    [[{ productId: 'poke', quantity: 21 }], /Poke: at most 20 per order, got 21/],
    [
      [
        { productId: 'poke', quantity: 15 },
        { productId: 'poke', quantity: 15 },
      ],
      /Poke: at most 20 per order, got 30/,
    ],
  ])('rejects %j with a message naming the problem', (items, message) => {
    expect(() => priceOrder(items)).toThrow(InvalidOrderError);
    expect(() => priceOrder(items)).toThrow(message);
  });
});

describe('catalog', () => {
  it('has unique ids and positive integer prices', () => {
    const ids = products.map((product) => product.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const product of products) {
      expect(Number.isInteger(product.priceCents)).toBe(true);
      expect(product.priceCents).toBeGreaterThan(0);
    }
  });
});

describe('formatCents', () => {
  it.each([
    [0, '$0.00'],
    [5, '$0.05'],
    [2400, '$24.00'],
    [123456, '$1234.56'],
    [-299, '-$2.99'],
  ])('formats %d as %s', (cents, label) => {
    expect(formatCents(cents)).toBe(label);
  });
});

describe('describeReward', () => {
  it('names the discount and the order it needs, in dollars', () => {
    expect(describeReward({ amountCents: 500, minimumSubtotalCents: 2000 })).toBe(
      '$5.00 off an order of $20.00 or more',
    );
  });
});
