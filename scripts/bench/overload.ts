import postgres from "postgres";
import {
  countRefusals,
  FAST_MS,
  type OverloadFigures,
  overloadFigures,
  shareWithin,
} from "./overload-stats.ts";
import { runPacedStep } from "./paced-load.ts";
import { cpuMs } from "./proc-stats.ts";
import { summarize } from "./stats.ts";

/** One overload step: `multiple` × the measured saturation, offered as an open model. */
export interface OverloadResult extends OverloadFigures {
  label: string;
  /** The box's speed just before the step (`speedProbeMs`; absent in older reports). */
  speedProbeMs?: number;
  multiple: number;
  offeredRate: number;
  durationS: number;
  /** CPU per process during the load (ms per second of the step). */
  cpuMsPerSec: Record<string, number>;
  errors: Record<string, number>;
  /** A second account at a modest rate alongside the flood: it must get through, fast. */
  quiet: QuietFigures | null;
  /** The answers that accepted a message: their share within 200 ms and p99 (ms). */
  acceptedAnswers: { shareWithin200ms: number; p99Ms: number };
  /** The load generator's own event-loop delay (ms): what of the latency is its own. */
  generatorLoopDelayMs: { p99: number; max: number } | null;
  /** Per second of the step, the share of answers within 200 ms: when the slow ones came. */
  fastShareBySecond: number[];
  /** Whether the clients' sockets were open before the step (else opened during it). */
  connectedFirst: boolean;
  /** The refusals by the admission signal that refused them (the doors' shed counters). */
  shedByReason?: Record<string, number>;
  /**
   * The accepting answers as ingress timed them (request received to answered; its histogram
   * has no 200 ms bucket): set apart from the client's figures, what the rest is is outside
   * ingress's handling (the socket, the accept queue, the machine's run queue).
   */
  serverAccepted?: { within100ms: number; within250ms: number };
}

export interface QuietFigures {
  ratePerSec: number;
  sent: number;
  accepted: number;
  refused: number;
  p99Ms: number;
  shareWithin200ms: number;
}

export interface OverloadOptions {
  baseUrl: string;
  query: (n: number) => string;
  multiple: number;
  saturationPerSec: number;
  durationS: number;
  connections: number;
  /** The clients' sockets are open before the step (runPacedStep's `connectFirst`). */
  connectFirst: boolean;
  /** Our processes, NATS and Postgres (summed for the CPU per refusal), and the load generator. */
  pids: ReadonlyMap<string, readonly number[]>;
  /** The saturation step's CPU per accepted message. */
  cpuMsPerAccepted: number;
  databaseUrl: string;
  /** Another account offering `ratePerSec` alongside (issue 17's fairness check). */
  quiet?: { query: (n: number) => string; ratePerSec: number };
  /** The receiver: final reports seen, and taking them. */
  ask<T>(kind: string): Promise<T>;
  drainMs: number;
  onProgress?: (sent: number, accepted: number) => void;
}

const sumCpu = (pids: readonly number[]) => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);

/**
 * Offers `multiple` × saturation for `durationS` and reports what issue 17 asks: the share of
 * answers within 200 ms, the share refused, that every accepted message reached a final
 * report, that no refused request was charged (pricing's ledger: every charge of the step
 * belongs to a message the client heard `success` for), and the CPU per refusal.
 */
export async function runOverloadStep(options: OverloadOptions): Promise<OverloadResult> {
  const rate = Math.round(options.multiple * options.saturationPerSec);
  const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const [{ since } = { since: new Date() }] = await sql<{ since: Date }[]>`
      select clock_timestamp() as since`;
    const cpuBefore = new Map([...options.pids].map(([name, list]) => [name, sumCpu(list)]));
    const started = Date.now();
    const [load, quietLoad] = await Promise.all([
      runPacedStep({
        baseUrl: options.baseUrl,
        query: options.query,
        rate,
        connections: options.connections,
        connectFirst: options.connectFirst,
        durationS: options.durationS,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      }),
      options.quiet
        ? runPacedStep({
            baseUrl: options.baseUrl,
            query: options.quiet.query,
            rate: options.quiet.ratePerSec,
            connections: 8,
            connectFirst: options.connectFirst,
            durationS: options.durationS,
          })
        : null,
    ]);
    const accepted = new Set([...load.accepted.keys(), ...(quietLoad?.accepted.keys() ?? [])]);
    const elapsedS = (Date.now() - started) / 1000;
    const cpuMsPerSec: Record<string, number> = {};
    let cpuTotal = 0;
    for (const [name, list] of options.pids) {
      const used = sumCpu(list) - (cpuBefore.get(name) ?? 0);
      cpuMsPerSec[name] = used / elapsedS;
      if (!name.startsWith("bench")) cpuTotal += used;
    }

    // Every accepted message must end final and be reported (bounded wait).
    const deadline = Date.now() + options.drainMs;
    while (Date.now() < deadline) {
      const { finals } = await options.ask<{ finals: number }>("count");
      if (finals >= accepted.size) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const taken = await options.ask<{ finals: Array<[string, unknown]> }>("take");
    const final = new Set(taken.finals.map(([messageId]) => messageId));
    const acceptedNotFinal = [...accepted].filter((id) => !final.has(id)).length;

    const charged = await sql<{ message_id: string }[]>`
      select message_id from pricing.ledger where kind = 'charge' and created_at >= ${since}`;
    const chargedNotAccepted = charged.filter((row) => !accepted.has(row.message_id)).length;

    return {
      label: `${options.multiple}× saturation`,
      multiple: options.multiple,
      offeredRate: rate,
      durationS: elapsedS,
      cpuMsPerSec,
      errors: load.errors,
      acceptedAnswers: {
        shareWithin200ms: shareWithin(load.acceptedLatenciesMs ?? [], FAST_MS),
        p99Ms: summarize(load.acceptedLatenciesMs ?? []).p99,
      },
      generatorLoopDelayMs: load.generatorLoopDelayMs ?? null,
      fastShareBySecond: load.fastShareBySecond ?? [],
      connectedFirst: options.connectFirst,
      quiet:
        quietLoad && options.quiet
          ? {
              ratePerSec: options.quiet.ratePerSec,
              sent: quietLoad.sent,
              accepted: quietLoad.accepted.size,
              refused: countRefusals(quietLoad.errors).refused,
              p99Ms: quietLoad.api.p99,
              shareWithin200ms: shareWithin(quietLoad.latenciesMs ?? [], FAST_MS),
            }
          : null,
      ...overloadFigures({
        sent: load.sent,
        accepted: load.accepted.size,
        errors: load.errors,
        latenciesMs: load.latenciesMs ?? [],
        acceptedNotFinal,
        chargedNotAccepted,
        cpuMs: cpuTotal,
        cpuMsPerAccepted: options.cpuMsPerAccepted,
      }),
    };
  } finally {
    await sql.end();
  }
}

const pct = (share: number) => (Number.isNaN(share) ? "–" : `${(share * 100).toFixed(1)} %`);
const yes = (ok: boolean) => (ok ? "yes" : "**no**");
const loop = (delay: { p99: number; max: number } | null) =>
  delay ? `${Math.round(delay.p99)} / ${Math.round(delay.max)}` : "–";

export const refusedBy = (shed: Record<string, number> | undefined) => {
  const reasons = Object.entries(shed ?? {});
  return reasons.length === 0 ? "–" : reasons.map(([r, n]) => `${r} ${n}`).join(", ");
};

/** The overload steps as a Markdown section (appended to latest.md). */
export function overloadMarkdown(results: readonly OverloadResult[]): string {
  if (results.length === 0) return "";
  const lines = [
    "## Overload (issue 17)",
    "",
    "Offered as an open model at multiples of the saturation measured above. Latency is from",
    "when each request was due. A refusal is 429 `rate_limit` (at capacity). A second, quiet",
    "account sends 10 msg/s alongside the flood: none of it may be refused (fairness).",
    results[0]?.connectedFirst
      ? "The clients' sockets are open when a step starts (`--overload-connect before`)."
      : "The clients open their sockets as each step needs them (`--overload-connect during`).",
    "",
    "| step | offered/s | sent | accepted | refused | ≤ 200 ms | API p99 ms | refused share | accepted not final | refused charged | CPU ms / refusal | quiet account: refused, ≤ 200 ms, p99 ms | accepting answers: ≤ 200 ms, p99 ms | load generator's loop delay p99 / max ms | refused by (admission signal) | accepting answers as ingress timed them: ≤ 100 / ≤ 250 ms |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const q = r.quiet;
    const quiet = q
      ? `${q.refused} of ${q.sent} (${yes(q.refused === 0)}), ${pct(q.shareWithin200ms)}, ${Math.round(q.p99Ms)}`
      : "–";
    lines.push(
      `| ${r.label} | ${r.offeredRate} | ${r.sent} | ${r.accepted} | ${r.refused} | ${pct(r.shareWithin200ms)} (${yes(r.verdict.answersFast)}) | ${Math.round(r.api.p99)} | ${pct(r.shareRefused)} | ${r.acceptedNotFinal} (${yes(r.verdict.everyAcceptedFinal)}) | ${r.chargedNotAccepted} (${yes(r.verdict.noRefusedCharged)}) | ${Number.isNaN(r.cpuMsPerRefused) ? "–" : r.cpuMsPerRefused.toFixed(3)} | ${quiet} | ${pct(r.acceptedAnswers.shareWithin200ms)}, ${Math.round(r.acceptedAnswers.p99Ms)} | ${loop(r.generatorLoopDelayMs)} | ${refusedBy(r.shedByReason)} | ${r.serverAccepted ? `${pct(r.serverAccepted.within100ms)} / ${pct(r.serverAccepted.within250ms)}` : "–"} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
