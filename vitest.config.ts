import { defineConfig } from "vitest/config";

// Test tiers are visible in the file name: *.unit.test.ts (pure, no I/O),
// *.int.test.ts (real NATS / Postgres / sockets), *.e2e.test.ts (the whole gateway).
// Each tier runs alone with `pnpm vitest run --project <tier>`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{packages,services}/*/src/**/*.unit.test.ts", "scripts/**/*.unit.test.ts"],
        },
      },
      {
        test: {
          name: "int",
          include: ["{packages,services}/*/src/**/*.int.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/*/src/**/*.e2e.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
