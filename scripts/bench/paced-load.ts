import { monitorEventLoopDelay } from "node:perf_hooks";
import { Pool } from "undici";
import { type LoadOutcome, recordAnswer } from "./load-step.ts";
import { FAST_MS } from "./overload-stats.ts";
import { summarize } from "./stats.ts";

/**
 * A fixed offered rate as an open model: request i is due at start + i / rate, whatever
 * happened to the earlier ones, and its latency is measured from when it was due (so a
 * stall is not hidden by requests that were never sent: no coordinated omission).
 * autocannon's `overallRate` sends each second's requests back to back at the start of the
 * second (lib/httpClient.js resets a per-second counter), which measures a burst of `rate`
 * requests, not a steady `rate`; autocannon stays for the "as fast as it goes" step.
 */
export async function runPacedStep(options: {
  baseUrl: string;
  query: (n: number) => string;
  rate: number;
  connections: number;
  durationS: number;
  /**
   * Open every socket before the first request is due (a client pool already connected, as
   * a load balancer's is), instead of as the load needs them during the step.
   */
  connectFirst?: boolean;
  onProgress?: (sent: number, accepted: number) => void;
}): Promise<LoadOutcome> {
  const pool = new Pool(options.baseUrl, { connections: options.connections, pipelining: 1 });
  if (options.connectFirst) await connectAll(pool, options.connections);
  const accepted = new Map<string, number>();
  const errors: Record<string, number> = {};
  const latencies: number[] = [];
  const acceptedLatencies: number[] = [];
  /** Per second of the step (by when each request was due): answers, and those within 200 ms. */
  const bySecond: Array<{ answers: number; fast: number }> = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const total = Math.round(options.rate * options.durationS);
  const intervalMs = 1000 / options.rate;
  const startedAt = performance.now();
  const epochAtStart = Date.now();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;

  const fire = (n: number) => {
    const dueAt = startedAt + n * intervalMs;
    const work = pool
      .request({ method: "GET", path: `/?${options.query(n)}` })
      .then(async ({ statusCode, body }) => {
        const text = await body.text();
        const latency = performance.now() - dueAt;
        latencies.push(latency);
        countBySecond(bySecond, n * intervalMs, latency);
        const at = epochAtStart + (dueAt - startedAt);
        if (recordAnswer({ accepted, errors }, statusCode, text, at)) {
          acceptedLatencies.push(latency);
        }
      })
      .catch(() => {
        const latency = performance.now() - dueAt;
        latencies.push(latency);
        countBySecond(bySecond, n * intervalMs, latency);
        errors.connection = (errors.connection ?? 0) + 1;
      })
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  };

  const progress = setInterval(() => options.onProgress?.(sent, accepted.size), 1_000);
  await new Promise<void>((resolve) => {
    // Node timers fire at most every ~1 ms: each tick sends what has fallen due since.
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor((performance.now() - startedAt) / intervalMs) + 1);
      while (sent < due) fire(sent++);
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.allSettled([...inFlight]);
  loopDelay.disable();
  clearInterval(progress);
  await pool.close();
  const { p50, p90, p99, max } = summarize(latencies);
  return {
    sent,
    accepted,
    errors,
    api: { p50, p90, p99, max },
    latenciesMs: latencies,
    acceptedLatenciesMs: acceptedLatencies,
    fastShareBySecond: bySecond.map(({ answers, fast }) =>
      answers > 0 ? fast / answers : Number.NaN,
    ),
    generatorLoopDelayMs: {
      p99: loopDelay.percentile(99) / 1e6,
      max: loopDelay.max / 1e6,
    },
  };
}

/**
 * One request on each socket at once makes the pool open all of them (a pool opens a socket
 * for a request that finds every open one busy). A path nothing serves: a 404, no work.
 */
async function connectAll(pool: Pool, connections: number): Promise<void> {
  await Promise.allSettled(
    Array.from({ length: connections }, () =>
      pool.request({ method: "GET", path: "/connect" }).then(({ body }) => body.text()),
    ),
  );
}

function countBySecond(
  into: Array<{ answers: number; fast: number }>,
  dueOffsetMs: number,
  latencyMs: number,
): void {
  const second = Math.floor(dueOffsetMs / 1000);
  for (let i = into.length; i <= second; i++) into.push({ answers: 0, fast: 0 });
  const slot = into[second] as { answers: number; fast: number };
  slot.answers++;
  if (latencyMs <= FAST_MS) slot.fast++;
}
