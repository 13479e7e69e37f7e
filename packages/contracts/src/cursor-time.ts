/**
 * Whether the time in a cursor (`YYYY-MM-DDTHH:MM:SS[.fraction]Z`, its shape already
 * checked by the cursor's pattern) is an instant Postgres can take as a timestamptz: the
 * message search's, the events' and the inbound list's cursors carry one. A
 * cursor is the client's to send back, so it may have been edited: a month 13, a 31st of
 * February or the year 0 fit the pattern, and Postgres refuses them with an error that
 * would reach the client as a server error instead of "not a cursor we handed out".
 */
export function isRealCursorTime(text: string): boolean {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)/.exec(text);
  if (!match) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1)
    .map(Number);
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
}

/** Gregorian, as Postgres counts (proleptically before 1582). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
