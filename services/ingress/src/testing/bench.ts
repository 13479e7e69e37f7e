/**
 * A rough latency and throughput probe of the ingress alone (stand-in pricing, real NATS
 * and Postgres, the load generator in the same process): compatible GET, v1 POST with and
 * without an Idempotency-Key, and one batch of 1,000.
 *
 *   node services/ingress/src/testing/bench.ts [requests=3000] [concurrency=32]
 *
 * The project's own benchmark measures the whole stack; this one isolates what the
 * ingress adds (e.g. the two statements of an idempotency key).
 */
import { NUMBERS, startHarness } from "./harness.ts";

const total = Number(process.argv[2] ?? 3_000);
const concurrency = Number(process.argv[3] ?? 32);
const unlimited = "1000000";
const h = await startHarness({
  AUTHORIZE_TIMEOUT_MS: "5000",
  IP_RATE_PER_SEC: unlimited,
  IP_BURST: unlimited,
  ACCOUNT_RATE_PER_SEC: unlimited,
  ACCOUNT_BURST: unlimited,
});
const auth = `Basic ${Buffer.from(`${h.account.hash}:${h.account.token}`).toString("base64")}`;
const message = { to: NUMBERS.charged, from: "MyApp", text: "bench" };
const body = JSON.stringify(message);

async function run(label: string, send: (i: number) => Promise<Response>): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        const response = await send(i);
        await response.arrayBuffer();
        if (response.status >= 300) errors++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]?.toFixed(1);
  process.stdout.write(
    `${label}: ${(total / seconds).toFixed(0)}/s, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, errors ${errors}\n`,
  );
}

const query = new URLSearchParams({
  hash: h.account.hash,
  token: h.account.token,
  toNumber: NUMBERS.charged,
  fromNumber: "MyApp",
  text: "bench",
});
const post = (path: string, payload: string, extra: Record<string, string> = {}) =>
  fetch(`${h.base}${path}`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json", ...extra },
    body: payload,
  });
try {
  await run("compatible GET", () => fetch(`${h.base}/?${query}`));
  await run("v1 POST", () => post("/v1/messages", body));
  await run("v1 POST with Idempotency-Key", (i) =>
    post("/v1/messages", body, { "idempotency-key": `bench-${Date.now()}-${i}` }),
  );
  const started = performance.now();
  const batch = await post(
    "/v1/messages/batch",
    JSON.stringify({ messages: Array(1000).fill(message) }),
  );
  const answer = (await batch.json()) as { accepted: number };
  process.stdout.write(
    `batch of 1,000: ${answer.accepted} accepted in ${(performance.now() - started).toFixed(0)} ms\n`,
  );
} finally {
  await h.stop();
}
