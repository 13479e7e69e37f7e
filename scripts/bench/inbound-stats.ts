import type { MoAttempt } from "../lib/mo-traffic.ts";
import { type Summary, summarize } from "./stats.ts";

/** A bench step's MO traffic (`--inbound`, issue 18). */
export interface InboundStep {
  /** MO per second asked of the simulator. */
  rate: number;
  /** MO handed to the carrier, and those it got deliver_sm_resp OK for (the gateway owes them). */
  sent: number;
  acked: number;
  /** Acked MO whose inbound webhook arrived; the rest are `missing`. */
  reached: number;
  missing: number;
  /** From the carrier's deliver_sm (the simulator asked to send) to the webhook's arrival, ms. */
  latency: Summary;
}

/** Matches the acked attempts to the inbound webhooks received (by their unique text). */
export function inboundStep(
  rate: number,
  attempts: readonly MoAttempt[],
  webhooks: ReadonlyMap<string, { at: number }>,
): InboundStep {
  const acked = attempts.filter((a) => a.outcome === "acked");
  const latencies: number[] = [];
  for (const a of acked) {
    const hook = webhooks.get(a.text);
    if (hook) latencies.push(hook.at - a.sentAt);
  }
  return {
    rate,
    sent: new Set(attempts.map((a) => a.n)).size,
    acked: acked.length,
    reached: latencies.length,
    missing: acked.length - latencies.length,
    latency: summarize(latencies),
  };
}

/** The report's section for the steps that carried MO (empty when none did). */
export function inboundMarkdown(
  steps: ReadonlyArray<{ label: string; inbound?: InboundStep }>,
): string {
  const rows = steps.filter((s) => s.inbound !== undefined);
  if (rows.length === 0) return "";
  return [
    "",
    "Inbound (MO) traffic beside the sends (`--inbound`): from the carrier's deliver_sm to the inbound webhook's arrival; the CPU per message above includes the MO's work.",
    "",
    "| offered msg/s | MO/s | MO sent | acked by the gateway | reached the webhook | missing | MO end-to-end p50 / p90 / p99 / max (ms) |",
    "|---:|---:|---:|---:|---:|---:|---|",
    ...rows.map(({ label, inbound: i }) =>
      i
        ? `| ${label} | ${i.rate} | ${i.sent} | ${i.acked} | ${i.reached} | ${i.missing} | ${[i.latency.p50, i.latency.p90, i.latency.p99, i.latency.max].map((v) => (Number.isNaN(v) ? "–" : Math.round(v))).join(" / ")} |`
        : "",
    ),
    "",
  ].join("\n");
}
