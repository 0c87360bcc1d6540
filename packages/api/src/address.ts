/**
 * What a delivery address must look like to be delivered to, beyond the order's structural check (the workflow's
 * own, ../../workflows/src/order/input.ts, which any starter passes): text a driver can read, a street and a city
 * with letters in them, and a postal code of the country the shop delivers in. In the API's schema, so the checkout
 * form (which imports it) and the server refuse the same addresses with the same words.
 */
// First: zod reads its configuration as each schema is made (see ./zod-config).
import './zod-config';
import { TEXT_LIMITS } from '@durable-delivery/workflows/schema';
import { z } from 'zod';

interface PostalFormat {
  /** What the field is called there and what it looks like, in the message a customer reads. */
  readonly describe: string;
  readonly pattern: RegExp;
  /** Codes of the right shape that no post office uses (all zeros and the like): typed to get past a form. */
  readonly unused?: RegExp;
  /** How a phone should offer its keyboard: digits only, or letters too. */
  readonly inputMode: 'numeric' | 'text';
}

/** The countries whose postal codes the shop knows; DELIVERY_COUNTRY picks the one it delivers in. */
export const POSTAL_FORMATS = {
  US: {
    describe: 'a ZIP code: 5 digits, like 12345 (or ZIP+4, like 12345-6789)',
    pattern: /^\d{5}(-\d{4})?$/,
    // The lowest ZIP code in use is 00501.
    unused: /^000/,
    inputMode: 'numeric',
  },
  CA: {
    describe: 'a postal code like K1A 0B1',
    pattern: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$/i,
    inputMode: 'text',
  },
  GB: {
    describe: 'a postcode like SW1A 1AA',
    pattern: /^([A-Z]{1,2}\d[A-Z\d]?) ?\d[A-Z]{2}$/i,
    inputMode: 'text',
  },
  DE: { describe: 'a Postleitzahl: 5 digits, like 10115', pattern: /^\d{5}$/, unused: /^00/, inputMode: 'numeric' },
  FR: { describe: 'a code postal: 5 digits, like 75001', pattern: /^\d{5}$/, unused: /^00/, inputMode: 'numeric' },
  NL: { describe: 'a postcode like 1011 AB', pattern: /^[1-9]\d{3} ?[A-Z]{2}$/i, inputMode: 'text' },
} as const satisfies Record<string, PostalFormat>;

export type DeliveryCountry = keyof typeof POSTAL_FORMATS;

/** The one country the shop delivers in (the demo's addresses are Springfield, 12345). */
export const DELIVERY_COUNTRY: DeliveryCountry = 'US';

export const POSTAL_FORMAT: PostalFormat = POSTAL_FORMATS[DELIVERY_COUNTRY];

// Control characters, unassigned or private-use code points, lone surrogates and the bidirectional overrides that
// make text read differently than it is stored: nothing a driver could read off a screen.
const UNPRINTABLE = /[\p{Cc}\p{Co}\p{Cn}\p{Cs}\u202A-\u202E\u2066-\u2069]/u;
const LETTER = /\p{L}/u;

export const TEXT_PROBLEM = 'must be plain text, without control characters';

/** Why a piece of text cannot go on an order, if it cannot (empty text is the required check's, not this). */
export function unprintableProblem(value: string): string | undefined {
  return UNPRINTABLE.test(value) ? TEXT_PROBLEM : undefined;
}

export function streetProblem(value: string): string | undefined {
  return unprintableProblem(value) ?? (LETTER.test(value) ? undefined : 'must name the street, like "1 Main Street"');
}

export function cityProblem(value: string): string | undefined {
  return unprintableProblem(value) ?? (LETTER.test(value) ? undefined : 'must be the name of a city or town');
}

export function postalCodeProblem(value: string, format: PostalFormat = POSTAL_FORMAT): string | undefined {
  if (!format.pattern.test(value) || format.unused?.test(value)) return `must be ${format.describe}`;
  return undefined;
}

/**
 * A trimmed text field: one message per field (the first problem), so "" says "is required" and not also that it
 * has no letters. `problemOf` sees non-empty text within the limit. Optional: blank is taken as absent.
 */
export function textField(
  max: number,
  problemOf: (value: string) => string | undefined = unprintableProblem,
  required = true,
) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
    .trim()
    .superRefine((value, ctx) => {
      if (value === '' && !required) return;
      const problem =
        value === '' ? 'is required' : value.length > max ? `must be at most ${max} characters` : problemOf(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

export function optionalTextField(max: number) {
  return textField(max, unprintableProblem, false)
    .transform((value) => (value === '' ? undefined : value))
    .optional();
}

export const customerAddressSchema = z
  .object({
    street: textField(TEXT_LIMITS.street, streetProblem),
    city: textField(TEXT_LIMITS.city, cityProblem),
    postalCode: textField(TEXT_LIMITS.postalCode, postalCodeProblem),
    instructions: optionalTextField(TEXT_LIMITS.instructions),
  })
  .strict();
