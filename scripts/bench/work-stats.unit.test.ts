import { describe, expect, it } from "vitest";
import { addDoorMetrics, type DoorSnapshot, doorBetween } from "./work-stats.ts";

const empty = (): DoorSnapshot => ({
  shed: new Map(),
  accepted: { within100ms: 0, within250ms: 0, count: 0 },
});

function metrics(latency: number, loop: number, fast: number, inTime: number, all: number) {
  return [
    `smsgw_ingress_shed_total{reason="latency"} ${latency}`,
    `smsgw_ingress_shed_total{reason="loop_delay"} ${loop}`,
    `smsgw_ingress_accept_duration_seconds_bucket{le="0.1",outcome="accepted"} ${fast}`,
    `smsgw_ingress_accept_duration_seconds_bucket{le="0.25",outcome="accepted"} ${inTime}`,
    `smsgw_ingress_accept_duration_seconds_bucket{le="0.25",outcome="refused"} 999`,
    `smsgw_ingress_accept_duration_seconds_count{outcome="accepted"} ${all}`,
  ].join("\n");
}

describe("the doors' metrics between two snapshots", () => {
  it("counts refusals by signal and the share of accepting answers in time, during the step only", () => {
    const before = empty();
    addDoorMetrics(metrics(10, 0, 50, 90, 100), before);
    const after = empty();
    addDoorMetrics(metrics(25, 4, 150, 270, 300), after);
    addDoorMetrics("smsgw_consumer_lag_messages 3", after);
    const between = doorBetween(before, after);
    expect(between.shedByReason).toEqual({ latency: 15, loop_delay: 4 });
    expect(between.serverAccepted.within100ms).toBeCloseTo(0.5);
    expect(between.serverAccepted.within250ms).toBeCloseTo(0.9);
  });
});
