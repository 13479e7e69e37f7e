/**
 * SMPP 3.4 absolute time (§7.1.1): "YYMMDDhhmmsstnnp", t tenths of a second, nn the offset
 * from UTC in quarter hours, p "+"/"-". Written in UTC, so always "…000+" (validity_period,
 * query_sm_resp's final_date).
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
