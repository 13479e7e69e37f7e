/** SMPP type of number (SMPP 3.4 section 5.2.5): the ones that change how we read an address. */
export const Ton = { unknown: 0, international: 1, alphanumeric: 5 } as const;

/**
 * The recipient as the contract's `to`: E.164 with its "+". Customers send the digits of an
 * international number (TON 1, or TON 0 as many ESMEs do), with or without "+"; the phone
 * check that follows refuses what is not a valid number (ESME_RINVDSTADR).
 */
export function destinationOf(address: string): string {
  const trimmed = address.trim();
  return /^\d+$/.test(trimmed) ? `+${trimmed}` : trimmed;
}

/**
 * The sender as the contract's `from`: an alphanumeric sender as given (TON 5), a number as
 * its digits (a leading "+" is dropped as it is on the wire). The sender rules that follow
 * (`checkSender`, routing's rules) judge it exactly as they judge `fromNumber` over HTTP.
 */
export function sourceOf(address: string, ton: number): string {
  const trimmed = address.trim();
  if (ton === Ton.alphanumeric) return trimmed;
  return /^\+\d+$/.test(trimmed) ? trimmed.slice(1) : trimmed;
}
