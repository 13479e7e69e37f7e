import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "./service-process.ts";

describe("freePort", () => {
  it("hands out distinct ports below the ephemeral range, each one listenable", async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) {
      expect(port).toBeLessThan(32_768);
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
