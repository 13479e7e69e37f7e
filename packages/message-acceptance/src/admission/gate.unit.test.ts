import { EventEmitter } from "node:events";
import type { AccountRecord } from "@smsgw/contracts";
import type { Logger } from "@smsgw/service-kit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type AdmissionGate, startAdmission } from "./gate.ts";
import type { AdmissionMetrics } from "./metrics.ts";

/** Whether the gate's loop-delay sampler runs (a timer waking the process 100 times a second). */
const sampler = vi.hoisted(() => ({ enabled: false }));
vi.mock("node:perf_hooks", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:perf_hooks")>();
  return {
    ...real,
    monitorEventLoopDelay: (options?: { resolution?: number }) => {
      const histogram = real.monitorEventLoopDelay(options);
      const enable = histogram.enable.bind(histogram);
      const disable = histogram.disable.bind(histogram);
      histogram.enable = () => {
        sampler.enabled = true;
        return enable();
      };
      histogram.disable = () => {
        sampler.enabled = false;
        return disable();
      };
      return histogram;
    },
  };
});

const MIN_IN_FLIGHT = 64;
const quiet = { set: () => undefined };
const silent = { warn: () => undefined, info: () => undefined } as unknown as Logger;

/** A gate over a stream with no durables, ticking every 10 ms, its limit and overloaded gauge as they move. */
function idleGate(log: Logger = silent) {
  let limit = Number.NaN;
  let overloaded = Number.NaN;
  const metrics = {
    shed: { inc: () => undefined },
    shedding: quiet,
    overloaded: { set: (value: number) => (overloaded = value) },
    pressure: quiet,
    backlogAgeSeconds: quiet,
    limit: { set: (value: number) => (limit = value) },
    inFlight: quiet,
  } as unknown as AdmissionMetrics;
  const gate = startAdmission({
    jsm: { consumers: { list: async function* () {} } } as never,
    stream: "SMS_EVENTS",
    path: [],
    ignored: new Set(),
    perCarrier: [],
    policy: {
      maxDelayMs: 10_000,
      targetLatencyMs: 100,
      overloadTargetLatencyMs: 60,
      maxLoopDelayMs: 40,
      minInFlight: MIN_IN_FLIGHT,
      overloadMinInFlight: 16,
      maxInFlight: 1_000,
    },
    defaultLimits: {
      ip: { ratePerSec: 100, burst: 100 },
      account: { ratePerSec: 1_000, burst: 10_000 },
    },
    pollMs: 10,
    metrics,
    log,
  });
  return { gate, limit: () => limit, overloaded: () => overloaded };
}

/** An answer still open: its send stays in flight until `close`. */
const openAnswer = () => new EventEmitter();
const account = (accountId: string) => ({ accountId }) as AccountRecord;

let running: AdmissionGate | undefined;
afterEach(() => running?.stop());

/** Starts a gate and waits until its limit has come down to the floor, as on a quiet gateway. */
async function quietGateway(log?: Logger) {
  const started = idleGate(log);
  running = started.gate;
  const deadline = Date.now() + 5_000;
  while (started.limit() !== MIN_IN_FLIGHT && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(started.limit()).toBe(MIN_IN_FLIGHT);
  return started;
}

describe("the admission gate", () => {
  it("admits a batch larger than the whole limit on a quiet gateway, whatever its account", async () => {
    const { gate } = await quietGateway();
    expect(gate.admit(account("new"), 1_000, openAnswer())).toBeNull();
  });

  it("admits a batch that finds room, though it takes the sends in flight past the limit", async () => {
    const { gate } = await quietGateway();
    for (let i = 0; i < 10; i++) expect(gate.admit(account("steady"), 1, openAnswer())).toBeNull();
    expect(gate.admit(account("steady"), 200, openAnswer())).toBeNull();
  });

  it("weighs a batch at most the limit's floor: others still get their share beside it", async () => {
    const { gate } = await quietGateway();
    expect(gate.admit(account("batch"), 500, openAnswer())).toBeNull();
    // The limit is full: a single send of another account is under its share, a batch not.
    expect(gate.admit(account("other"), 1, openAnswer())).toBeNull();
    expect(gate.refuseEarly(account("third"), 1)).toBeNull();
    expect(gate.admit(account("other"), 100, openAnswer())?.status).toBe("rate_limit");
  });

  it("counts a batch as in flight until its answer closes", async () => {
    const { gate } = await quietGateway();
    const answer = openAnswer();
    expect(gate.admit(account("batch"), 500, answer)).toBeNull();
    expect(gate.admit(account("other"), 100, openAnswer())?.status).toBe("rate_limit");
    answer.emit("close");
    expect(gate.admit(account("other"), 100, openAnswer())).toBeNull();
  });

  it("says it is overloaded (log and gauge) once most sends are refused for a while, and no longer once they stop", async () => {
    const said: string[] = [];
    const log = {
      warn: (_: unknown, message: string) => said.push(message),
      info: (_: unknown, message: string) => said.push(message),
    } as unknown as Logger;
    const started = await quietGateway(log);
    const { gate } = started;
    expect(started.overloaded()).toBe(0);
    for (let i = 0; i < MIN_IN_FLIGHT; i++) gate.admit(account("flood"), 1, openAnswer());
    const overloaded = "overloaded: the lower latency target applies";
    const deadline = Date.now() + 5_000;
    while (!said.includes(overloaded) && Date.now() < deadline) {
      // Admitted sends stay in flight (their answers never close): the flood soon fills the limit.
      gate.admit(account("flood"), 1, openAnswer());
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(said).toContain(overloaded);
    expect(started.overloaded()).toBe(1);
    const calm = "no longer overloaded: the latency target applies again";
    while (!said.includes(calm) && Date.now() < deadline + 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(said.indexOf(calm)).toBeGreaterThan(said.indexOf(overloaded));
    expect(started.overloaded()).toBe(0);
  });

  it("samples the loop's delay only while sends are offered or in flight", async () => {
    const { gate } = await quietGateway();
    // Nothing offered: the quiet gateway's ticks have stopped the sampler.
    expect(sampler.enabled).toBe(false);
    const answer = openAnswer();
    expect(gate.admit(account("one"), 1, answer)).toBeNull();
    expect(sampler.enabled).toBe(true);
    // In flight, nothing new offered: it keeps sampling.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sampler.enabled).toBe(true);
    answer.emit("close");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sampler.enabled).toBe(false);
  });
});
