// Throughput of the connector's SMPP path: messages/s through a carrier's binds (one or four)
// with windows of 1, 10 and 50, against the SMSC simulator in its own process. Each run submits
// for RUN_MS (registered_delivery 0: receipts are a separate path) and the median of RUNS runs
// is printed as a Markdown table. BENCH_LATENCY_MS makes the simulator answer each submit that
// much later (a carrier across a network), where windows and binds show what they are for.
// Run: pnpm --filter @smsgw/carrier-connector bench
import { cpus } from "node:os";
import { createLogger } from "@smsgw/service-kit";
import { submitSm } from "@smsgw/smpp";
import { startSimulatorProcess } from "@smsgw/testkit";
import { loadCarrierConnectorConfig } from "../config.ts";
import { DEFAULT_BACKOFF } from "../domain/backoff.ts";
import { allSlots, startCarrierLink } from "../handlers/carrier-link.ts";

const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 1_500);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 0);
const log = createLogger("bench", "silent");

async function measure(port: number, binds: number, windowSize: number): Promise<number> {
  const [carrier] = loadCarrierConnectorConfig({
    CARRIERS: JSON.stringify([{ id: "bench", port, password: "secret", binds, windowSize }]),
  }).CARRIERS;
  if (!carrier) throw new Error("no carrier");
  const link = startCarrierLink(
    carrier,
    {
      log,
      backoff: DEFAULT_BACKOFF,
      onRequest: () => undefined,
    },
    allSlots(carrier),
  );
  await link.firstAttempt();
  while (link.status().bindsUp < binds) await new Promise((r) => setTimeout(r, 10));
  const pdu = submitSm({ destinationAddr: "37256000001", shortMessage: Buffer.from("bench") });
  let done = 0;
  const started = performance.now();
  const deadline = started + RUN_MS;
  // As many submitters as the binds' windows hold, so the windows stay full.
  const worker = async () => {
    while (performance.now() < deadline) {
      await link.submit(pdu);
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: binds * windowSize }, worker));
  const rate = done / ((performance.now() - started) / 1000);
  await link.stop();
  return rate;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const simulator = await startSimulatorProcess({
  SIM_KEEP_SUBMISSIONS: "1000",
  SIM_CARRIERS: JSON.stringify([
    { id: "bench", port: 0, outcomes: [], responseDelayMs: LATENCY_MS },
  ]),
});
const port = simulator.ports.bench ?? 0;
const rows: string[] = [];
for (const binds of [1, 4]) {
  for (const windowSize of [1, 10, 50]) {
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++) rates.push(await measure(port, binds, windowSize));
    rows.push(`| ${binds} | ${windowSize} | ${Math.round(median(rates))} |`);
  }
}
await simulator.stop();
console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}`);
console.log(
  `Median of ${RUNS} runs of ${RUN_MS} ms each, simulator in its own process, ` +
    `${LATENCY_MS} ms before each submit_sm_resp.\n`,
);
console.log("| binds | window | submit_sm/s |\n| ---: | ---: | ---: |");
for (const row of rows) console.log(row);
