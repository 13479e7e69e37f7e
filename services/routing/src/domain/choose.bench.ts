import { test } from "vitest";
import { type CarrierScore, type ChoiceInput, chooseCarrier, type HealthState } from "./choose.ts";
import type { Candidate } from "./route-table.ts";

// The routing decision for every message: a typical route (3 carriers) and a wide one (12),
// with scores and health for each, and a failover after one carrier was tried.
const candidates = (n: number): Candidate[] =>
  Array.from({ length: n }, (_, i) => ({
    carrierId: `carrier-${i}`,
    costPerPart: 300 + ((i * 37) % 200),
    priority: 100 - i,
    alphanumeric: i % 3 !== 0,
  }));
const scores = (n: number) =>
  new Map<string, CarrierScore>(
    Array.from({ length: n }, (_, i) => [
      `carrier-${i}`,
      { delivered: 900 + i, failed: 20 * (i % 4), latencyMs: 200 + i },
    ]),
  );
const health = (n: number) =>
  new Map<string, HealthState>(
    Array.from({ length: n }, (_, i) => [`carrier-${i}`, i % 5 === 4 ? "degraded" : "up"]),
  );
const inputOf = (n: number, tried: string[] = []): ChoiceInput => ({
  candidates: candidates(n),
  sender: "MyApp",
  scores: scores(n),
  health: health(n),
  simulated: new Set(),
  test: false,
  tried,
});
const three = inputOf(3);
const twelve = inputOf(12);
const failover = inputOf(3, ["carrier-1"]);

test("routing choice: chooseCarrier per message", async ({ bench }) => {
  await bench.compare(
    bench("3 candidates", () => {
      chooseCarrier(three);
    }),
    bench("12 candidates", () => {
      chooseCarrier(twelve);
    }),
    bench("failover (one tried)", () => {
      chooseCarrier(failover);
    }),
  );
});
