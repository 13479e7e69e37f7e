/**
 * When the message stops being worth delivering: its own validUntil, else the carrier's
 * default validity from now. A validUntil already past still goes out (the carrier will
 * expire it): the sweep turns it into `expired` if no receipt says otherwise.
 */
export function validUntilFor(
  validUntil: string | null | undefined,
  defaultValiditySec: number,
  now: Date,
): Date {
  if (validUntil) return new Date(validUntil);
  return new Date(now.getTime() + defaultValiditySec * 1000);
}
