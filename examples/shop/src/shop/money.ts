/**
 * Amounts are computed in integer cents: 0.1 + 0.2 must not end up on an invoice. PostgreSQL stores them as
 * numeric(…, 2) and the API shows them as numbers with two decimals at most.
 */
export function toCents(value: number | string): number {
  return Math.round(Number(value) * 100);
}

export function fromCents(cents: number): number {
  return cents / 100;
}

/** A numeric column as text (as pg returns it) to the number shown in JSON. */
export function amount(value: string | number): number {
  return fromCents(toCents(value));
}
