import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, portSlice } from "./service-process.ts";

describe("freePort", () => {
  it("hands out distinct ports below the ephemeral range, each one listenable", async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(20);
    const { from, span } = portSlice();
    for (const port of ports) {
      expect(port).toBeLessThan(32_768);
      expect(port).toBeGreaterThanOrEqual(from);
      expect(port).toBeLessThan(from + span);
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("gives workers running at once disjoint slices of the range", () => {
    const slices = ["1", "2", "3", "4"].map((id) => portSlice(id));
    for (const [i, a] of slices.entries()) {
      expect(a.span).toBeGreaterThanOrEqual(1_000);
      expect(a.from).toBeGreaterThanOrEqual(20_000);
      expect(a.from + a.span).toBeLessThanOrEqual(32_000);
      for (const b of slices.slice(i + 1)) {
        expect(a.from + a.span <= b.from || b.from + b.span <= a.from).toBe(true);
      }
    }
    expect(portSlice("")).toEqual({ from: 20_000, span: 12_000 });
  });
});
