import { type Html, html } from "./html.ts";

/** The statuses the chart stacks, bottom to top, with their colours (also in console.css). */
export const CHART_STATUSES = [
  ["delivered", "#2e7d32"],
  ["undelivered", "#c62828"],
  ["expired", "#8d6e63"],
  ["failed", "#6a1b9a"],
  ["sent", "#1565c0"],
  ["queued", "#9e9e9e"],
] as const;

export interface DayBar {
  day: string;
  counts: Partial<Record<string, number>>;
}

/** The last `days` UTC days ending with `today` (YYYY-MM-DD), oldest first. */
export function lastDays(today: string, days: number): string[] {
  const end = Date.parse(`${today}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) =>
    new Date(end - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}

/** Groups (day, status, count) rows into one bar per day, empty days included. */
export function barsOf(
  days: readonly string[],
  rows: ReadonlyArray<{ day: string; status: string; count: number }>,
): DayBar[] {
  const byDay = new Map(days.map((day) => [day, {} as Record<string, number>]));
  for (const row of rows) {
    const counts = byDay.get(row.day);
    if (counts) counts[row.status] = (counts[row.status] ?? 0) + row.count;
  }
  return days.map((day) => ({ day, counts: byDay.get(day) ?? {} }));
}

/**
 * Messages per day by status as stacked bars, an inline SVG drawn on the server (no
 * script, so it paints with the page and passes the CSP). Sized by viewBox: it scales to
 * a phone's width.
 */
export function dailyChart(bars: readonly DayBar[]): Html {
  const width = 640;
  const height = 220;
  const top = 16;
  const bottom = 28;
  const left = 36;
  const plot = height - top - bottom;
  const totals = bars.map((b) => Object.values(b.counts).reduce((s = 0, n = 0) => s + n, 0) ?? 0);
  const max = Math.max(1, ...totals);
  const step = (width - left) / Math.max(1, bars.length);
  const barWidth = Math.max(4, step * 0.7);
  const rects = bars.map((bar, i) => {
    const x = left + i * step + (step - barWidth) / 2;
    let y = top + plot;
    const parts = CHART_STATUSES.map(([status, colour]) => {
      const n = bar.counts[status] ?? 0;
      if (n === 0) return html``;
      const h = (n / max) * plot;
      y -= h;
      return html`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}"><title>${bar.day}: ${n} ${status}</title></rect>`;
    });
    const label =
      // Every few days, counted back from today so that today is always labelled.
      (bars.length - 1 - i) % Math.ceil(bars.length / 7) === 0
        ? html`<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - 8}" text-anchor="middle" font-size="11">${bar.day.slice(5)}</text>`
        : html``;
    return html`${parts}${label}`;
  });
  const total = totals.reduce((s, n) => s + n, 0);
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="Messages per day by status: ${total} in ${bars.length} days"><line x1="${left}" y1="${top + plot}" x2="${width}" y2="${top + plot}" stroke="#999"/><text x="${left - 6}" y="${top + 4}" text-anchor="end" font-size="11">${max}</text><text x="${left - 6}" y="${top + plot}" text-anchor="end" font-size="11">0</text>${rects}</svg>`;
}
