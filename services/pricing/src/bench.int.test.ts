import { AuthorizeResponse, newMessageId, subjects as subjectsFor } from "@smsgw/contracts";
import { connectNats, createLogger } from "@smsgw/service-kit";
import { createTestInfra } from "@smsgw/testkit";
import { it } from "vitest";
import { loadPricingConfig } from "./config.ts";
import { startPricing } from "./service.ts";

/**
 * Authorize throughput through NATS and Postgres (group commit), skipped unless asked:
 * PRICING_BENCH=1 pnpm vitest run services/pricing/src/bench.int.test.ts
 */
it.runIf(process.env.PRICING_BENCH)(
  "authorize throughput",
  async () => {
    const log = createLogger("bench", "silent");
    // Production's pool (BaseEnv's default), not the tests' small one: the bench measures it.
    const infra = await createTestInfra(
      { HEALTH_PORT: "0", DATABASE_POOL_MAX: "10" },
      { natsUser: "pricing" },
    );
    const pricing = await startPricing(loadPricingConfig(infra.env), log);
    const client = await connectNats(infra.env.NATS_URL ?? "", "bench", log);
    const { accountId } = await pricing.accounts.createAccount({
      name: "bench",
      credits: "100000",
    });
    const subject = subjectsFor(infra.prefix).authorize;
    const total = 20_000;
    const concurrency = 500;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next++;
          const reply = await client.nc.request(
            subject,
            JSON.stringify({
              messageId: newMessageId(),
              accountId,
              to: "+37256789045",
              country: "EE",
              parts: 1,
            }),
            { timeout: 30_000 },
          );
          AuthorizeResponse.parse(reply.json());
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `pricing bench: ${total} authorizations (${concurrency} in flight) in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)}/s\n`,
    );
    await client.nc.close();
    await pricing.stop();
    await infra.cleanup();
  },
  120_000,
);
