import { createOrderInputSchema, rateInputSchema, subscribeInputSchema, TEXT_LIMITS } from '../src/schemas';
import { POSTAL_FORMATS, postalCodeProblem } from '../src/address';

const valid = {
  orderId: 'order-1',
  customerName: 'Ada',
  items: [{ productId: 'poke', quantity: 2 }],
  deliveryAddress: { street: '1 Main Street', city: 'Springfield', postalCode: '12345', instructions: 'Ring twice' },
  paymentMethod: 'tok_visa',
};

function problems(input: unknown): Record<string, string[]> {
  const parsed = createOrderInputSchema.safeParse(input);
  if (parsed.success) return {};
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (fields[issue.path.join('.')] ??= []).push(issue.message);
  return fields;
}

const address = (fields: Partial<typeof valid.deliveryAddress>) => ({
  ...valid,
  deliveryAddress: { ...valid.deliveryAddress, ...fields },
});

/** zod's own wording, written for developers: none of it may reach a person. */
const LIBRARY_WORDING =
  /Too (big|small)|expected (string|number|array|object)|received|Invalid (input|option|string|type)|<=|>=|Unrecognized/;

describe('the checkout schema', () => {
  it('takes a real address, with or without instructions and name', () => {
    expect(problems(valid)).toEqual({});
    expect(problems({ ...address({ instructions: undefined }), customerName: undefined })).toEqual({});
    expect(problems(address({ postalCode: '12345-6789', street: 'Straße 7', city: 'Saint-Étienne' }))).toEqual({});
    // Blank optional fields are absent, not refused.
    expect(createOrderInputSchema.parse(address({ instructions: '   ' })).deliveryAddress.instructions).toBeUndefined();
  });

  it.each([
    ['!!!', '???', '00000'],
    ['???', '!!!', 'abcde'],
    ['123', '42', '1234'],
  ])('refuses junk as an address (%s, %s, %s), each field with its own message', (street, city, postalCode) => {
    expect(problems(address({ street, city, postalCode }))).toEqual({
      'deliveryAddress.street': ['must name the street, like "1 Main Street"'],
      'deliveryAddress.city': ['must be the name of a city or town'],
      'deliveryAddress.postalCode': ['must be a ZIP code: 5 digits, like 12345 (or ZIP+4, like 12345-6789)'],
    });
  });

  it('refuses text a driver could not read: control characters and direction overrides', () => {
    expect(problems(address({ street: '1 Main\u0007 Street', city: 'Spring\u202Efield' }))).toEqual({
      'deliveryAddress.street': ['must be plain text, without control characters'],
      'deliveryAddress.city': ['must be plain text, without control characters'],
    });
    expect(problems({ ...valid, customerName: 'Ada\u0000' })).toEqual({
      customerName: ['must be plain text, without control characters'],
    });
  });

  it('says "is required" once for a blank field, not also what the text lacks', () => {
    expect(problems(address({ street: '  ', city: '' }))).toEqual({
      'deliveryAddress.street': ['is required'],
      'deliveryAddress.city': ['is required'],
    });
    expect(problems({ ...valid, deliveryAddress: { city: 'Springfield', postalCode: '12345' } })).toEqual({
      'deliveryAddress.street': ['is required'],
    });
  });

  it('names every limit in words, for each field the form has', () => {
    const long = (field: keyof typeof TEXT_LIMITS) => 'a'.repeat(TEXT_LIMITS[field] + 1);
    expect(
      problems({
        ...address({
          street: long('street'),
          city: long('city'),
          postalCode: '1'.repeat(21),
          instructions: long('instructions'),
        }),
        customerName: long('customerName'),
      }),
    ).toEqual({
      customerName: [`must be at most ${TEXT_LIMITS.customerName} characters`],
      'deliveryAddress.street': [`must be at most ${TEXT_LIMITS.street} characters`],
      'deliveryAddress.city': [`must be at most ${TEXT_LIMITS.city} characters`],
      'deliveryAddress.postalCode': [`must be at most ${TEXT_LIMITS.postalCode} characters`],
      'deliveryAddress.instructions': [`must be at most ${TEXT_LIMITS.instructions} characters`],
    });
  });

  it('never words a problem as the schema library does, whatever is sent', () => {
    const bad: unknown[] = [
      undefined,
      null,
      'order',
      { ...valid, orderId: 7 },
      { ...valid, items: 'poke' },
      { ...valid, items: [{ productId: 7, quantity: '2' }] },
      { ...valid, items: [{ productId: 'poke', quantity: 21 }] },
      { ...valid, items: Array.from({ length: 30 }, () => ({ productId: 'poke', quantity: 1 })) },
      { ...valid, deliveryAddress: 'home' },
      { ...valid, deliveryAddress: { ...valid.deliveryAddress, street: 5, floor: 2 } },
      { ...address({ postalCode: 'x'.repeat(400) }), customerName: 'x'.repeat(400), paymentMethod: 'x'.repeat(400) },
      { ...valid, rewardId: 'free lunch', extra: true },
    ];
    const messages = bad.flatMap((input) => Object.values(problems(input)).flat());
    messages.push(
      ...(rateInputSchema.safeParse({ orderId: 'x', stars: 9, comment: 'x'.repeat(2000) }).error?.issues ?? []).map(
        (issue) => issue.message,
      ),
      ...(
        subscribeInputSchema.safeParse({ subscriptionId: '', paymentMethod: 'x'.repeat(200) }).error?.issues ?? []
      ).map((issue) => issue.message),
    );
    expect(messages.length).toBeGreaterThan(20);
    expect(messages.filter((message) => LIBRARY_WORDING.test(message))).toEqual([]);
  });
});

describe('postal codes of the countries the shop knows', () => {
  it.each([
    ['US', '12345', '00000'],
    ['US', '90210-1234', '1234'],
    ['CA', 'K1A 0B1', 'D1A 0B1'],
    ['GB', 'SW1A 1AA', 'SW1A'],
    ['DE', '10115', '00999'],
    ['FR', '75001', '7500'],
    ['NL', '1011 AB', '0123 AB'],
  ] as const)('%s takes %s and refuses %s', (country, good, bad) => {
    expect(postalCodeProblem(good, POSTAL_FORMATS[country])).toBeUndefined();
    expect(postalCodeProblem(bad, POSTAL_FORMATS[country])).toBe(`must be ${POSTAL_FORMATS[country].describe}`);
  });
});
