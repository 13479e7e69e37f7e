import { checkSchedule, type Schedule, type ScheduleLimits } from "@smsgw/message-acceptance";
import { CommandStatus } from "@smsgw/smpp";

/**
 * An SMPP 3.4 time (section 7.1.1: schedule_delivery_time, validity_period) as an ISO UTC
 * instant: "" is none; `YYMMDDhhmmsstnnp` is absolute (t tenths of a second, nn the offset
 * from UTC in quarter hours, p "+" ahead of UTC or "-" behind); `YYMMDDhhmmss000R` is
 * relative to `now`. Undefined when the text is neither (the caller refuses the submit).
 */
export function readSmppTime(text: string, now: number): string | null | undefined {
  if (text === "") return null;
  const match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d)(\d{2})([+\-R])$/.exec(text);
  if (!match) return undefined;
  const [yy, mo, dd, hh, mi, ss, tenths, offset, kind] = match
    .slice(1)
    .map((part, i) => (i === 8 ? part : Number(part))) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    string,
  ];
  if (kind === "R") {
    const start = new Date(now);
    const at = Date.UTC(
      start.getUTCFullYear() + yy,
      start.getUTCMonth() + mo,
      start.getUTCDate() + dd,
      start.getUTCHours() + hh,
      start.getUTCMinutes() + mi,
      start.getUTCSeconds() + ss,
      start.getUTCMilliseconds(),
    );
    return new Date(at).toISOString();
  }
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59 || offset > 48) {
    return undefined;
  }
  const local = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss, tenths * 100);
  if (new Date(local).getUTCDate() !== dd) return undefined; // 30 February
  const shift = offset * 15 * 60_000;
  return new Date(kind === "+" ? local - shift : local + shift).toISOString();
}

/**
 * schedule_delivery_time and validity_period (submit_sm; data_sm has neither) as the
 * message's sendAt and validUntil, under the same limits as v1's (`checkSchedule`): a bad
 * one is ESME_RINVSCHED or ESME_RINVEXPIRY.
 */
export function scheduleOf(
  fields: { scheduleDeliveryTime: string; validityPeriod: string },
  now: number,
  limits: ScheduleLimits,
): { ok: true; value: Schedule } | { ok: false; status: number; outcome: string } {
  const badSchedule = {
    ok: false as const,
    status: CommandStatus.ESME_RINVSCHED,
    outcome: "bad_schedule",
  };
  const badExpiry = {
    ok: false as const,
    status: CommandStatus.ESME_RINVEXPIRY,
    outcome: "bad_validity",
  };
  const sendAt = readSmppTime(fields.scheduleDeliveryTime, now);
  if (sendAt === undefined || !checkSchedule({ sendAt }, now, limits).ok) return badSchedule;
  const validUntil = readSmppTime(fields.validityPeriod, now);
  if (validUntil === undefined) return badExpiry;
  const checked = checkSchedule({ sendAt, validUntil }, now, limits);
  return checked.ok ? { ok: true, value: checked.value } : badExpiry;
}
