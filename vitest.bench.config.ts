import { defineConfig } from "vitest/config";

// Micro-benchmarks of the hot pure functions (`pnpm bench:micro`): tinybench through vitest,
// one *.bench.ts beside each function. Kept out of the test projects: figures, not verdicts.
export default defineConfig({
  test: {
    benchmark: {
      include: ["{packages,services}/*/src/**/*.bench.ts"],
    },
  },
});
