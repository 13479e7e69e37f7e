import { Counter, Gauge, Histogram } from "prom-client";
import { metricsRegistry } from "./metrics.ts";

// A service defines its own series in its own file (services/<name>/src/metrics.ts) with
// these, all in the one registry its /metrics serves. Conventions (deploy/README.md): the
// `smsgw_` prefix, the unit in the name, `_total` on counters, low-cardinality labels only.

interface Spec<L extends string> {
  name: `smsgw_${string}`;
  help: string;
  labelNames?: readonly L[];
}

export function defineCounter<L extends string = never>(spec: Spec<L>): Counter<L> {
  return new Counter<L>({
    ...spec,
    labelNames: spec.labelNames ?? [],
    registers: [metricsRegistry],
  });
}

export function defineGauge<L extends string = never>(spec: Spec<L>): Gauge<L> {
  return new Gauge<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [metricsRegistry] });
}

export function defineHistogram<L extends string = never>(
  spec: Spec<L> & { buckets: number[] },
): Histogram<L> {
  return new Histogram<L>({
    ...spec,
    labelNames: spec.labelNames ?? [],
    registers: [metricsRegistry],
  });
}

/** Seconds buckets for request-scale latencies (1 ms … 10 s). */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
