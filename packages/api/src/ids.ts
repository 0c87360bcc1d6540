import { z } from 'zod';

/**
 * Customer and driver ids share the order id's character set (letters, digits, "-" and "_"), with room for longer
 * ids from an identity provider. Only values that match are ever written into a visibility query.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** A value as a visibility-query string literal; anything outside the id character set is a bug, not input. */
export function keyword(value: string): string {
  if (!ID_PATTERN.test(value)) throw new Error(`refusing to put ${JSON.stringify(value)} into a visibility query`);
  return `'${value}'`;
}

/** An opaque page cursor: the server's nextPageToken, base64. */
export const cursorSchema = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be a cursor from a previous page');

export const pageInputSchema = z.object({
  cursor: cursorSchema.optional(),
  limit: z.number().int().min(1).max(50).default(20),
});
