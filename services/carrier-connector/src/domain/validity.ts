/**
 * SMPP 3.4 absolute time (§7.1.1): "YYMMDDhhmmsstnnp", t tenths of a second, nn the offset
 * from UTC in quarter hours, p "+"/"-". Written in UTC, so always "…000+".
 */
export function smppAbsoluteTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    two(at.getUTCFullYear() % 100) +
    two(at.getUTCMonth() + 1) +
    two(at.getUTCDate()) +
    two(at.getUTCHours()) +
    two(at.getUTCMinutes()) +
    two(at.getUTCSeconds()) +
    `${Math.floor(at.getUTCMilliseconds() / 100)}00+`
  );
}

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
