import type { InboundStep } from "./inbound-stats.ts";
import { type OverloadResult, refusedBy } from "./overload.ts";
import type { StageLatencies } from "./stages.ts";
import type { Summary } from "./stats.ts";
import type { WorkPerMessage } from "./work-stats.ts";

/** What one process (or group) did: system calls and context switches of all its threads. */
export interface ProcessCounts {
  reads: number;
  writes: number;
  voluntary?: number;
  involuntary?: number;
}

export interface StepResult {
  label: string;
  /** Requests per second asked of the load generator; null = as fast as it goes. */
  offeredRate: number | null;
  durationS: number;
  sent: number;
  accepted: number;
  acceptedPerSec: number;
  /** API latency in ms (autocannon's, corrected for coordinated omission at fixed rates). */
  api: Summary;
  /** From sending the request to receiving the final webhook, in ms. */
  e2e: Summary;
  /** The end-to-end time stage by stage (absent in older reports). */
  stages?: StageLatencies;
  finalStatuses: Record<string, number>;
  /** "<http> <status>" or "error" -> count, for answers other than success. */
  errors: Record<string, number>;
  /** Milliseconds of CPU per second, from the step's start to its last final report, per process (or group). */
  cpuMsPerSec: Record<string, number>;
  /** All our processes, NATS and Postgres together, per accepted message. */
  cpuMsPerMessage: number;
  rssMb: Record<string, number>;
  /**
   * Read / write system calls and context switches per accepted message, by process (older
   * reports: absent; reports before round 9: no switches).
   */
  syscallsPerMessage?: Record<string, ProcessCounts>;
  /** The most messages any consumer had waiting during the step. */
  maxConsumerLag: Record<string, number>;
  /** Mean consumer batch sizes and Postgres work per accepted message (absent in old reports). */
  work?: WorkPerMessage;
  /** The MO traffic beside the sends, with `--inbound` (absent otherwise). */
  inbound?: InboundStep;
  /** The box's speed just before the step (`speedProbeMs`; absent in older reports). */
  speedProbeMs?: number;
}

export interface BenchReport {
  startedAt: string;
  machine: {
    cores: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    nats: string;
    postgres: string;
  };
  settings: {
    receiptDelayMs: number;
    stepSeconds: number;
    connections: number;
    /** NATS ran under the permission file, a user per service (ADR 0015); absent in older reports. */
    natsPermissions?: boolean;
  };
  steps: StepResult[];
  /** The overload steps (issue 17), absent in older reports. */
  overload?: OverloadResult[];
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : "–");

export function toMarkdown(report: BenchReport): string {
  const { machine, settings } = report;
  const lines = [
    `Measured ${report.startedAt} on ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}, ${machine.nats}, ${machine.postgres}; receipts after ${settings.receiptDelayMs} ms; ${settings.stepSeconds} s per step. NATS, Postgres, the simulator, the webhook receiver and the load generator share the machine.${settings.natsPermissions ? " NATS runs under the permission file (a nats-server of the bench's own, each service as its own user, ADR 0015)." : ""}`,
    "",
    "| offered msg/s | accepted msg/s | API p50 / p90 / p99 / max (ms) | end-to-end p50 / p99 (ms) | final | errors | CPU ms per msg | consumer lag (max) |",
    "|---:|---:|---|---|---|---|---:|---:|",
  ];
  for (const step of report.steps) {
    const finals = Object.entries(step.finalStatuses)
      .map(([status, n]) => `${n} ${status}`)
      .join(", ");
    const errors = Object.entries(step.errors)
      .map(([kind, n]) => `${n} ${kind}`)
      .join(", ");
    const lag = Math.max(0, ...Object.values(step.maxConsumerLag));
    lines.push(
      `| ${step.offeredRate ?? "max"} | ${step.acceptedPerSec.toFixed(0)} | ${ms(step.api.p50)} / ${ms(step.api.p90)} / ${ms(step.api.p99)} / ${ms(step.api.max)} | ${ms(step.e2e.p50)} / ${ms(step.e2e.p99)} | ${finals || "–"} | ${errors || "none"} | ${step.cpuMsPerMessage.toFixed(2)} | ${lag} |`,
    );
  }
  lines.push(
    "",
    "CPU per process (ms of CPU per second from the start of the step until its last final report; 1,000 = one core busy):",
    "",
  );
  const names = [...new Set(report.steps.flatMap((s) => Object.keys(s.cpuMsPerSec)))];
  lines.push(`| offered | ${names.join(" | ")} |`, `|---:|${names.map(() => "---:").join("|")}|`);
  for (const step of report.steps) {
    lines.push(
      `| ${step.offeredRate ?? "max"} | ${names.map((n) => (step.cpuMsPerSec[n] ?? 0).toFixed(0)).join(" | ")} |`,
    );
  }
  const withSyscalls = report.steps.filter((s) => s.syscallsPerMessage);
  if (withSyscalls.length > 0) {
    lines.push(
      "",
      "Read / write system calls per accepted message, by process (`/proc/<pid>/io`; every socket read and write counts, but Postgres's recv calls do not show there; on this box a loopback TCP write costs about 20 µs):",
      "",
      `| offered | ${names.join(" | ")} |`,
      `|---:|${names.map(() => "---:").join("|")}|`,
    );
    for (const step of withSyscalls) {
      const calls = step.syscallsPerMessage ?? {};
      lines.push(
        `| ${step.offeredRate ?? "max"} | ${names
          .map((n) => {
            const c = calls[n];
            return c ? `${c.reads.toFixed(1)} / ${c.writes.toFixed(1)}` : "–";
          })
          .join(" | ")} |`,
      );
    }
  }
  const withSwitches = report.steps.filter((s) =>
    Object.values(s.syscallsPerMessage ?? {}).some((c) => c.voluntary !== undefined),
  );
  if (withSwitches.length > 0) {
    lines.push(
      "",
      "Context switches per accepted message, by process, every thread (voluntary / involuntary: it waited, or another task preempted it; on this box each costs tens of µs, and at low rates they are most of the CPU):",
      "",
      `| offered | ${names.join(" | ")} | all but the bench |`,
      `|---:|${names.map(() => "---:").join("|")}|---:|`,
    );
    for (const step of withSwitches) {
      const counts = step.syscallsPerMessage ?? {};
      let total = 0;
      const cells = names.map((n) => {
        const c = counts[n];
        if (c?.voluntary === undefined || c.involuntary === undefined) return "–";
        if (!n.startsWith("bench")) total += c.voluntary + c.involuntary;
        return `${c.voluntary.toFixed(1)} / ${c.involuntary.toFixed(1)}`;
      });
      lines.push(`| ${step.offeredRate ?? "max"} | ${cells.join(" | ")} | ${total.toFixed(0)} |`);
    }
  }
  const withWork = report.steps.filter((s) => s.work);
  if (withWork.length > 0) {
    const consumers = [...new Set(withWork.flatMap((s) => Object.keys(s.work?.meanBatch ?? {})))];
    lines.push(
      "",
      "Work per message: Postgres commits and row operations per accepted message, NATS protocol messages per accepted message (2 per stored publish, 1 per delivery, 1 per ack, 2 for the authorize request; stored publishes / deliveries in brackets), the mean batch each consumer handled, and the sends admission refused by the signal that refused them (`smsgw_ingress_shed_total`):",
      "",
      `| offered | pg commits | pg row ops | NATS msgs (stored / delivered) | ${consumers.join(" | ")} | refused by (admission signal) |`,
      `|---:|---:|---:|---:|${consumers.map(() => "---:").join("|")}|---|`,
    );
    for (const step of withWork) {
      const work = step.work as WorkPerMessage;
      lines.push(
        `| ${step.offeredRate ?? "max"} | ${work.postgresCommits.toFixed(1)} | ${work.postgresRowOps.toFixed(1)} | ${natsCell(work)} | ${consumers.map((c) => (work.meanBatch[c] ?? 0).toFixed(1)).join(" | ")} | ${refusedBy(work.shedByReason)} |`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

function natsCell(work: WorkPerMessage): string {
  if (work.natsMessages === undefined) return "?";
  return `${work.natsMessages.toFixed(1)} (${(work.natsStored ?? 0).toFixed(1)} / ${(work.natsDeliveries ?? 0).toFixed(1)})`;
}

/** A small line chart of latency against offered load, as SVG (the README shows it). */
export function toSvg(report: BenchReport): string {
  const width = 640;
  const height = 360;
  const pad = { left: 56, right: 130, top: 24, bottom: 44 };
  const steps = report.steps;
  const series = [
    { name: "API p50", color: "#4e79a7", pick: (s: StepResult) => s.api.p50 },
    { name: "API p99", color: "#2b4a6f", pick: (s: StepResult) => s.api.p99 },
    { name: "end-to-end p50", color: "#f28e2b", pick: (s: StepResult) => s.e2e.p50 },
    { name: "end-to-end p99", color: "#b45f06", pick: (s: StepResult) => s.e2e.p99 },
  ];
  const values = steps.flatMap((s) => series.map((line) => line.pick(s))).filter(Number.isFinite);
  const top = Math.max(1, ...values) * 1.1;
  const x = (i: number) =>
    pad.left + (steps.length <= 1 ? 0 : (i * (width - pad.left - pad.right)) / (steps.length - 1));
  const y = (v: number) => pad.top + (1 - v / top) * (height - pad.top - pad.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    "<title>Gateway latency against offered load: API and end-to-end, p50 and p99</title>",
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${pad.left}" y="14" font-size="12">Latency (ms) vs offered load (msg/s)</text>`,
  ];
  for (let tick = 0; tick <= 4; tick++) {
    const v = (top * tick) / 4;
    parts.push(
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${pad.left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(0)}</text>`,
    );
  }
  steps.forEach((step, i) => {
    parts.push(
      `<text x="${x(i)}" y="${height - pad.bottom + 16}" text-anchor="middle">${step.offeredRate ?? "max"}</text>`,
      `<text x="${x(i)}" y="${height - pad.bottom + 30}" text-anchor="middle" fill="#666">(${step.acceptedPerSec.toFixed(0)})</text>`,
    );
  });
  series.forEach((line, index) => {
    const points = steps
      .map((s, i) => [x(i), line.pick(s)] as const)
      .filter(([, v]) => Number.isFinite(v))
      .map(([px, v]) => `${px.toFixed(1)},${y(v).toFixed(1)}`);
    parts.push(
      `<polyline fill="none" stroke="${line.color}" stroke-width="2" points="${points.join(" ")}"/>`,
    );
    const ly = pad.top + 14 + index * 16;
    parts.push(
      `<line x1="${width - pad.right + 10}" x2="${width - pad.right + 28}" y1="${ly - 4}" y2="${ly - 4}" stroke="${line.color}" stroke-width="2"/>`,
      `<text x="${width - pad.right + 32}" y="${ly}">${line.name}</text>`,
    );
  });
  parts.push(
    `<text x="${(pad.left + width - pad.right) / 2}" y="${height - 4}" text-anchor="middle" fill="#666">offered (accepted) msg/s</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}

/** Where each step's end-to-end time went, stage by stage (p50 / p99 in ms). */
export function stagesMarkdown(steps: readonly StepResult[]): string {
  const rows = steps.filter((s) => s.stages);
  if (rows.length === 0) return "";
  const ms = (s: Summary) =>
    Number.isNaN(s.p50) ? "–" : `${Math.round(s.p50)} / ${Math.round(s.p99)}`;
  return [
    "",
    "Where the end-to-end time went, p50 / p99 in ms per stage (each status's time as the service that saw it stamped it; the stages' percentiles do not add up to the end-to-end ones):",
    "",
    "| offered | request → accepted | accepted → a carrier took it | → its receipt | receipt → final webhook at the receiver |",
    "|---:|---|---|---|---|",
    ...rows.map((step) => {
      const st = step.stages as StageLatencies;
      return `| ${step.offeredRate ?? "max"} | ${ms(st.accept)} | ${ms(st.toCarrier)} | ${ms(st.receipt)} | ${ms(st.report)} |`;
    }),
    "",
  ].join("\n");
}
