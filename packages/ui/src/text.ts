/**
 * A message as one sentence: ends with a full stop unless it already ends a sentence. Messages come from several
 * places (the card provider's "…insufficient funds.", the workflow's "Not picked up in time"), and are followed by
 * more words on screen, so "funds.." and "in time We refunded" never reach a person.
 */
export function sentence(text: string | undefined): string {
  const trimmed = (text ?? '').trim();
  if (!trimmed) return '';
  return /[.!?…]["”’)]?$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
