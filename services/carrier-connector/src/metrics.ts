import { Counter, Gauge, Histogram, metricsRegistry } from "@smsgw/service-kit";
import { classifyCommandStatus, RECEIPT_STATS } from "@smsgw/smpp";
import type { CarrierLink } from "./handlers/carrier-link.ts";

/**
 * The connector's series, on the kit's registry (served at /metrics on the health port), named
 * as deploy/'s dashboards and alerts expect. Labels are the carrier (operator-configured, a
 * handful), a result, a status class or a receipt stat: never a message id, an account or a
 * phone number.
 */

/** The links of every connector in this process (tests run several). */
const linkSources = new Set<() => Iterable<CarrierLink>>();

function perCarrier(gauge: Gauge<"carrier">, value: (link: CarrierLink) => number): void {
  gauge.reset();
  for (const source of linkSources) {
    for (const link of source()) gauge.inc({ carrier: link.carrier.id }, value(link));
  }
}

export const bindsUp = new Gauge({
  name: "smsgw_carrier_bind_up",
  help: "Binds to the carrier up on this replica (0: none; a pair counts as two).",
  labelNames: ["carrier"] as const,
  registers: [metricsRegistry],
  collect() {
    perCarrier(this, (link) => link.status().bindsUp);
  },
});

export const bindSlotsHeld = new Gauge({
  name: "smsgw_carrier_bind_slots_held",
  help: "The carrier's bind slots this replica leases (ADR 7).",
  labelNames: ["carrier"] as const,
  registers: [metricsRegistry],
  collect() {
    perCarrier(this, (link) => link.slots().length);
  },
});

export const windowInFlight = new Gauge({
  name: "smsgw_carrier_window_in_flight",
  help: "submit_sm sent on this replica's binds and awaiting their response.",
  labelNames: ["carrier"] as const,
  registers: [metricsRegistry],
  collect() {
    perCarrier(this, (link) => link.inFlight());
  },
});

/** Adds a connector's links to the gauges; returns the undo. */
export function watchLinks(source: () => Iterable<CarrierLink>): () => void {
  linkSources.add(source);
  return () => linkSources.delete(source);
}

/** ok: accepted; rejected: an error status; throttled; timeout: sent, no answer (outcome unknown). */
export type SubmitResult = "ok" | "rejected" | "throttled" | "timeout";

const submits = new Counter({
  name: "smsgw_carrier_submits_total",
  help: "submit_sm answered or given up, by carrier and result (ok, rejected, throttled, timeout: sent and never answered).",
  labelNames: ["carrier", "result"] as const,
  registers: [metricsRegistry],
});

const submitErrors = new Counter({
  name: "smsgw_carrier_submit_errors_total",
  help: "submit_sm refused (submit_sm_resp or generic_nack), by carrier and command-status class (retry, unclear, permanent, session).",
  labelNames: ["carrier", "class"] as const,
  registers: [metricsRegistry],
});

const submitDuration = new Histogram({
  name: "smsgw_carrier_submit_duration_seconds",
  help: "From sending a submit_sm to its response (answered ones).",
  labelNames: ["carrier"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

const throttlePauses = new Counter({
  name: "smsgw_carrier_throttle_pauses_total",
  help: "Pauses started or lengthened because the carrier throttled us (ESME_RTHROTTLED / ESME_RMSGQFUL).",
  labelNames: ["carrier"] as const,
  registers: [metricsRegistry],
});

const receipts = new Counter({
  name: "smsgw_carrier_receipts_total",
  help: "Delivery receipts mapped to a message, by carrier and stat (unknown stats as OTHER).",
  labelNames: ["carrier", "stat"] as const,
  registers: [metricsRegistry],
});

const receiptLatency = new Histogram({
  name: "smsgw_carrier_receipt_latency_seconds",
  help: "From a part's submit_sm_resp being stored to its final receipt.",
  labelNames: ["carrier"] as const,
  buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 21_600, 86_400],
  registers: [metricsRegistry],
});

const receiptsDropped = new Counter({
  name: "smsgw_carrier_receipts_dropped_total",
  help: "Receipts for an id no part holds, acknowledged and dropped after RECEIPT_UNKNOWN_DROP_MS.",
  labelNames: ["carrier"] as const,
  registers: [metricsRegistry],
});

const notices = new Counter({
  name: "smsgw_carrier_notices_total",
  help: "deliver_sm / data_sm that are neither an MO nor a receipt (SME or user acknowledgements, intermediate notifications), acknowledged and not acted on.",
  labelNames: ["carrier", "notice"] as const,
  registers: [metricsRegistry],
});

const unansweredDrops = new Counter({
  name: "smsgw_carrier_unanswered_drops_total",
  help: "Binds dropped (and bound again) after rebindAfterTimeouts submit_sm in a row got no answer while the SMSC still answered enquire_link.",
  labelNames: ["carrier"] as const,
  registers: [metricsRegistry],
});

const KNOWN_STATS = new Set<string>(RECEIPT_STATS);

export const carrierMetrics = {
  /** One submit_sm's end: its command_status and how long it took, or "timeout" (no answer). */
  submit(carrier: string, result: SubmitResult, commandStatus?: number, seconds?: number): void {
    submits.inc({ carrier, result });
    if (seconds !== undefined) submitDuration.observe({ carrier }, seconds);
    if (commandStatus !== undefined && commandStatus !== 0) {
      submitErrors.inc({ carrier, class: classifyCommandStatus(commandStatus) });
    }
  },
  throttlePause(carrier: string): void {
    throttlePauses.inc({ carrier });
  },
  /** A bind dropped because its submits went unanswered (a wedged SMSC). */
  unansweredDrop(carrier: string): void {
    unansweredDrops.inc({ carrier });
  },
  /** A notice (an acknowledgement or an intermediate notification) acknowledged and left. */
  notice(carrier: string, notice: string): void {
    notices.inc({ carrier, notice });
  },
  /** A receipt whose id stayed unknown: acknowledged so the carrier stops sending it. */
  receiptDropped(carrier: string): void {
    receiptsDropped.inc({ carrier });
  },
  /** A mapped receipt; a final one with its part's submit time also feeds the latency. */
  receipt(carrier: string, stat: string, final: boolean, submittedAt: Date | undefined, now: Date) {
    receipts.inc({ carrier, stat: KNOWN_STATS.has(stat) ? stat : "OTHER" });
    if (final && submittedAt) {
      receiptLatency.observe(
        { carrier },
        Math.max(0, (now.getTime() - submittedAt.getTime()) / 1000),
      );
    }
  },
};
