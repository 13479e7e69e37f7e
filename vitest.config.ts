import { defineConfig } from "vitest/config";

// Test tiers are visible in the file name: *.unit.test.ts (pure, no I/O),
// *.int.test.ts (real NATS / Postgres / sockets), *.e2e.test.ts (the whole gateway).
// Each tier runs alone with `pnpm vitest run --project <tier>`. A whole run takes the tiers in
// turn (groupOrder): unit files two at a time (pure; 126 -> 74 s on the 2-core CI machine);
// int files two at a time (the suite about 21 -> 14 minutes in a slow phase of this host), so
// an int test bounds what it measures by the time that really passed, never by a fixed sleep,
// and gives work it expects to succeed a timeout a busy neighbour cannot exhaust (testkit
// gives each worker its own ports and each service a pool of 3 Postgres connections); e2e
// files one at a time, each starts a whole gateway.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{packages,services}/*/src/**/*.unit.test.ts", "scripts/**/*.unit.test.ts"],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: "int",
          include: ["{packages,services}/*/src/**/*.int.test.ts"],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/*/src/**/*.e2e.test.ts"],
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
