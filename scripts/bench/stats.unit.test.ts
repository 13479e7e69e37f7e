import { describe, expect, it } from "vitest";
import { type BenchReport, toMarkdown, toSvg } from "./report.ts";
import { percentile, summarize } from "./stats.ts";

describe("bench statistics", () => {
  it("when percentiles are taken, they use the nearest rank", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });

  it("when a sample is summarized, order does not matter", () => {
    expect(summarize([5, 1, 3, 2, 4])).toEqual({ count: 5, p50: 3, p90: 5, p99: 5, max: 5 });
  });
});

describe("bench report", () => {
  const step = {
    label: "250",
    offeredRate: 250,
    durationS: 10,
    sent: 2500,
    accepted: 2500,
    acceptedPerSec: 250,
    api: summarize([2, 3, 4]),
    e2e: summarize([20, 30, 40]),
    finalStatuses: { delivered: 2500 },
    errors: {},
    cpuMsPerSec: { ingress: 120, nats: 80 },
    cpuMsPerMessage: 0.8,
    rssMb: { ingress: 90 },
    maxConsumerLag: { "event-store": 3 },
  };
  const report: BenchReport = {
    startedAt: "2026-11-25T00:00:00Z",
    machine: {
      cores: 2,
      cpuModel: "x",
      memoryGb: 24,
      node: "24",
      nats: "nats 2.9",
      postgres: "pg 15",
    },
    settings: { receiptDelayMs: 0, stepSeconds: 10, connections: 32 },
    steps: [step, { ...step, offeredRate: null, acceptedPerSec: 1800 }],
  };

  it("when rendered as Markdown, each step is a row with its figures", () => {
    const md = toMarkdown(report);
    expect(md).toMatch(
      /\| 250 \| 250 \| 3\.0 \/ 4\.0 \/ 4\.0 \/ 4\.0 \| 30 \/ 40 \| 2500 delivered \| none \| 0\.80 \| 3 \|/,
    );
    expect(md).toMatch(/\| max \| 1800 \|/);
  });

  it("when rendered as SVG, it draws one line per series", () => {
    const svg = toSvg(report);
    expect(svg.match(/<polyline/g)).toHaveLength(4);
    expect(svg).toMatch(/^<svg/);
  });
});
