/**
 * Webhooks/s sustained to a fast local receiver: the real dispatcher (JetStream intake,
 * Postgres jobs, signing, pinned POSTs, batched WebhookAttempted publishes) on its own
 * test prefix and database. Each round publishes BENCH_REPORTS status changes at once and
 * times first request to last; prints each round and the median.
 *
 *   ./bin/pnpm --filter @smsgw/dlr-dispatcher bench
 *   BENCH_REPORTS=5000 BENCH_ROUNDS=5 BENCH_ORIGINS=4 ./bin/pnpm --filter @smsgw/dlr-dispatcher bench
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Kvm } from "@nats-io/kv";
import { newMessageId } from "@smsgw/contracts";
import { createLogger, openMessaging } from "@smsgw/service-kit";
import { createTestInfra, waitFor } from "@smsgw/testkit";
import { loadDlrDispatcherConfig } from "../src/config.ts";
import { startDlrDispatcher } from "../src/service.ts";
import { account, newSecret, statusChange } from "../src/test-stack.ts";

const reports = Number(process.env.BENCH_REPORTS ?? 2_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const origins = Number(process.env.BENCH_ORIGINS ?? 1);
const log = createLogger("dlr-dispatcher-bench", "silent");

let received = 0;
const receivedAt: number[] = [];
const servers = await Promise.all(
  Array.from({ length: origins }, async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        received++;
        receivedAt.push(performance.now());
        res.writeHead(204).end();
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dlr` };
  }),
);

const infra = await createTestInfra({ HEALTH_PORT: "0", WEBHOOK_ALLOW_PRIVATE: "true" });
const config = loadDlrDispatcherConfig(infra.env);
const messaging = await openMessaging(config, "dlr-dispatcher-bench", log);
const kv = await new Kvm(messaging.nats.nc).create(messaging.subjects.accountsBucket, {
  history: 1,
});
const record = account("acc_bench", [newSecret(), newSecret()]); // two signatures, as in a rotation
await kv.put(record.hash, JSON.stringify(record));
const dispatcher = await startDlrDispatcher(config, log);

const rates: number[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    received = 0;
    receivedAt.length = 0;
    const changes = Array.from({ length: reports }, (_, i) =>
      statusChange("acc_bench", servers[i % origins]?.url ?? "", { messageId: newMessageId() }),
    );
    await messaging.publisher.publishStatusChanges(changes);
    await waitFor(() => received >= reports, {
      timeoutMs: 300_000,
      intervalMs: 10,
      what: "all reports",
    });
    await waitFor(async () => (await dispatcher.jobs.pending()) === 0, {
      timeoutMs: 60_000,
      what: "settled",
    });
    const first = receivedAt[0] ?? 0;
    const last = receivedAt[receivedAt.length - 1] ?? first;
    const rate = Math.round(reports / ((last - first) / 1000));
    rates.push(rate);
    console.log(
      `round ${round}: ${reports} webhooks in ${Math.round(last - first)} ms = ${rate}/s`,
    );
  }
  const sorted = [...rates].sort((a, b) => a - b);
  console.log(
    `median ${sorted[Math.floor(sorted.length / 2)]} webhooks/s (${reports} per round, ${rounds} rounds, ${origins} origin(s), ` +
      `origin concurrency ${config.WEBHOOK_ORIGIN_CONCURRENCY}, total ${config.WEBHOOK_CONCURRENCY})`,
  );
} finally {
  await dispatcher.stop();
  await messaging.close();
  for (const { server } of servers) {
    server.closeAllConnections();
    server.close();
  }
  await infra.cleanup().catch((error: unknown) => console.warn("cleanup failed:", String(error)));
}
