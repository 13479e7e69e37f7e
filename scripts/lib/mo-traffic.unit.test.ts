import { describe, expect, it } from "vitest";
import { moSender, SENDERS_PER_RUN } from "./mo-traffic.ts";

describe("MO senders", () => {
  it("when a drill's runs each send their MO, no two runs share a sender", () => {
    const senders = (run: number) =>
      Array.from({ length: 1_000 }, (_, n) => moSender(run * SENDERS_PER_RUN, n));
    const first = new Set(senders(9));
    expect(senders(10).filter((s) => first.has(s))).toEqual([]);
    expect(moSender(10 * SENDERS_PER_RUN, 70)).toMatch(/^\+3725\d{7}$/);
  });
});
