import { ID_PATTERN } from './schemas';

export { ID_PATTERN, cursorSchema, pageInputSchema } from './schemas';

/** A value as a visibility-query string literal; anything outside the id character set is a bug, not input. */
export function keyword(value: string): string {
  if (!ID_PATTERN.test(value)) throw new Error(`refusing to put ${JSON.stringify(value)} into a visibility query`);
  return `'${value}'`;
}
