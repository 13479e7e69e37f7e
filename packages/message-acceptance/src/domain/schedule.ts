import { type Checked, passed, refused } from "./api-error.ts";
import type { Schedule, ScheduleLimits } from "./message-fields.ts";

// ISO 8601 date and time with seconds optional, fraction optional, and Z or an offset.
const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

function instant(name: string, value: unknown): Checked<number | null> {
  if (value === undefined || value === null) return passed(null);
  if (typeof value !== "string" || !ISO_DATE_TIME.test(value)) {
    return refused(
      "invalid_params",
      `${name} must be an ISO 8601 date and time with a time zone, e.g. 2026-11-24T10:00:00Z`,
    );
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !isRealDay(value)) {
    return refused("invalid_params", `${name} is not a real date and time`);
  }
  return passed(ms);
}

/**
 * `sendAt` (scheduled sending) and `validUntil` (give up after), checked against `now`.
 * A `sendAt` in the past means "now" (a clock a little behind ours must not fail a send);
 * it may be at most `maxScheduleAheadMs` ahead. `validUntil` must be after now and after
 * `sendAt`, and at most `maxValidityMs` after the sending time. Both come out in UTC.
 */
export function checkSchedule(
  raw: { sendAt?: unknown; validUntil?: unknown },
  now: number,
  limits: ScheduleLimits,
): Checked<Schedule> {
  const sendAt = instant("sendAt", raw.sendAt);
  if (!sendAt.ok) return sendAt;
  const validUntil = instant("validUntil", raw.validUntil);
  if (!validUntil.ok) return validUntil;

  const scheduled = sendAt.value !== null && sendAt.value > now ? sendAt.value : null;
  if (scheduled !== null && scheduled - now > limits.maxScheduleAheadMs) {
    return refused(
      "invalid_params",
      `sendAt is more than ${hours(limits.maxScheduleAheadMs)} hours ahead`,
    );
  }
  const start = scheduled ?? now;
  if (validUntil.value !== null) {
    if (validUntil.value <= start) {
      return refused(
        "invalid_params",
        scheduled === null ? "validUntil is not in the future" : "validUntil is not after sendAt",
      );
    }
    if (validUntil.value - start > limits.maxValidityMs) {
      return refused(
        "invalid_params",
        `validUntil is more than ${hours(limits.maxValidityMs)} hours after the sending time`,
      );
    }
  }
  return passed({
    sendAt: scheduled === null ? null : new Date(scheduled).toISOString(),
    validUntil: validUntil.value === null ? null : new Date(validUntil.value).toISOString(),
  });
}

/** Date.parse rolls 2026-02-30 over into March: the day must exist in its month. */
function isRealDay(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth;
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 100) / 100;
