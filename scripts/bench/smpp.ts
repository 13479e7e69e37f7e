/**
 * `pnpm bench:smpp`: customers over SMPP (issue 19). The whole gateway as processes plus
 * smpp-server; for each window, one transceiver bind submits for the step's seconds, keeping
 * that many submit_sm unanswered (the client's window), each with registered_delivery, and
 * counts the receipts that come back on the same bind. Reports submits/s, the submit_sm_resp
 * latency, the time to the receipt, and CPU per message (everything but this process and the
 * simulator), as Markdown and JSON.
 *
 *   pnpm bench:smpp [--windows 1,10,100] [--seconds 10] [--receipt-delay 0] [--out docs/bench]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { setPriority } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  bindClient,
  CommandStatus,
  type IncomingRequest,
  readKnownTlvs,
  type SmppSession,
  submitSm,
} from "@smsgw/smpp";
import { type LoadStack, reportNatsViolations, startLoadStack } from "../lib/load-stack.ts";
import { cpuMs, pidsOf } from "./proc-stats.ts";
import { summarize } from "./stats.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values: args } = parseArgs({
  options: {
    windows: { type: "string", default: "1,10,100" },
    seconds: { type: "string", default: "10" },
    "receipt-delay": { type: "string", default: "0" },
    out: { type: "string", default: "docs/bench" },
  },
});
const windows = (args.windows ?? "").split(",").map(Number);
const stepSeconds = Number(args.seconds);
/** How long a step waits for the receipts of what it submitted. */
const RECEIPT_WAIT_MS = 30_000;
const SMPP_PORT = 2875;
const say = (line: string) => process.stdout.write(`bench:smpp │ ${line}\n`);

interface StepResult {
  window: number;
  seconds: number;
  submitted: number;
  accepted: number;
  refused: Record<string, number>;
  submitsPerSec: number;
  /** submit_sm to its submit_sm_resp (ms). */
  respP50: number;
  respP99: number;
  receipts: number;
  /** submit_sm to the receipt's deliver_sm (ms). */
  receiptP50: number;
  receiptP99: number;
  cpuMsPerMessage: number;
}

/** CPU (ms) of the gateway's processes, NATS and Postgres: not this process or the simulator. */
function gatewayCpuMs(stack: LoadStack): number {
  const pids = [...stack.group.children]
    .filter(([name]) => !name.startsWith("smsc-simulator"))
    .map(([, child]) => child.pid ?? 0);
  return [...pids, ...pidsOf("postgres"), ...stack.natsPids()].reduce(
    (sum, pid) => sum + cpuMs(pid),
    0,
  );
}

async function runStep(
  credentials: { systemId: string; password: string },
  window: number,
  stack: LoadStack,
): Promise<StepResult> {
  const sentAt = new Map<string, number>();
  const receiptMs: number[] = [];
  const onRequest = (session: SmppSession) => (pdu: IncomingRequest) => {
    if (pdu.command === "deliver_sm") {
      const id = readKnownTlvs(pdu.tlvs).receiptedMessageId;
      const at = id === undefined ? undefined : sentAt.get(id);
      if (at !== undefined) receiptMs.push(performance.now() - at);
    }
    session.respond(pdu, { commandStatus: CommandStatus.ESME_ROK });
  };
  const session = await bindClient({
    host: "127.0.0.1",
    port: SMPP_PORT,
    systemId: credentials.systemId,
    password: credentials.password,
    mode: "transceiver",
    windowSize: window,
    responseTimeoutMs: 30_000,
    onSession: (s: SmppSession) => s.on("request", onRequest(s)),
  });
  const respMs: number[] = [];
  const refused: Record<string, number> = {};
  let submitted = 0;
  const cpuBefore = gatewayCpuMs(stack);
  const started = performance.now();
  const endAt = started + stepSeconds * 1000;
  // `window` workers, each with one submit unanswered at a time: the window kept full.
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (performance.now() < endAt) {
        const n = submitted++;
        const at = performance.now();
        const resp = await session.request(
          submitSm({
            sourceAddrTon: 5,
            sourceAddr: "Bench",
            destinationAddr: `3725${String(6_000_000 + (n % 3_000_000)).padStart(7, "0")}`,
            registeredDelivery: 1,
            shortMessage: Buffer.from(`SMPP bench ${n}`),
          }),
        );
        respMs.push(performance.now() - at);
        if (resp.commandStatus === 0 && "messageId" in resp) sentAt.set(resp.messageId, at);
        else {
          const name = `0x${resp.commandStatus.toString(16)}`;
          refused[name] = (refused[name] ?? 0) + 1;
        }
      }
    }),
  );
  const elapsedSec = (performance.now() - started) / 1000;
  const accepted = sentAt.size;
  const waitUntil = performance.now() + RECEIPT_WAIT_MS;
  while (receiptMs.length < accepted && performance.now() < waitUntil) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpu = gatewayCpuMs(stack) - cpuBefore;
  await session.unbind().catch(() => session.close());
  const resp = summarize(respMs);
  const receipt = summarize(receiptMs);
  return {
    window,
    seconds: Math.round(elapsedSec * 10) / 10,
    submitted: respMs.length,
    accepted,
    refused,
    submitsPerSec: Math.round(accepted / elapsedSec),
    respP50: resp.p50,
    respP99: resp.p99,
    receipts: receiptMs.length,
    receiptP50: receipt.p50,
    receiptP99: receipt.p99,
    cpuMsPerMessage: accepted > 0 ? Math.round((cpu / accepted) * 100) / 100 : 0,
  };
}

function toMarkdown(results: StepResult[], startedAt: string): string {
  const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
  const rows = results.map((r) =>
    [
      r.window,
      r.submitsPerSec,
      `${ms(r.respP50)} / ${ms(r.respP99)}`,
      `${r.receipts} of ${r.accepted}`,
      `${ms(r.receiptP50)} / ${ms(r.receiptP99)}`,
      Object.entries(r.refused)
        .map(([status, n]) => `${n} × ${status}`)
        .join(", ") || "none",
      r.cpuMsPerMessage,
    ].join(" | "),
  );
  return [
    `# SMPP bench (${startedAt})`,
    "",
    `One transceiver bind, ${stepSeconds} s per window, registered_delivery on every submit_sm.`,
    "",
    "| window | accepted submits/s | submit_sm_resp p50 / p99 | receipts back | to the receipt p50 / p99 | refused | CPU ms per message |",
    "|---:|---:|---|---|---|---|---:|",
    ...rows.map((row) => `| ${row} |`),
    "",
  ].join("\n");
}

async function main() {
  try {
    setPriority(-10);
  } catch {
    say("could not raise the client's priority (not root?)");
  }
  const stack = await startLoadStack({
    root,
    prefix: "benchsmpp",
    database: "smsgw_bench_smpp",
    receiptDelayMs: Number(args["receipt-delay"]),
    say,
    smppServer: true,
    // The server's window per bind (api.md: from the account's limits) as large as the
    // largest client window measured: past it a submit is refused ESME_RTHROTTLED.
    extraEnv: { SMPP_WINDOW: String(Math.max(...windows)) },
  });
  for (const child of stack.group.children.values()) {
    if (child.pid !== undefined) setPriority(child.pid, 0);
  }
  for (const pid of stack.natsPids()) if (pid > 0) setPriority(pid, 0);
  process.on("SIGINT", () => void stack.stop().then(() => process.exit(130)));
  try {
    const rotated = spawnSync(
      process.execPath,
      [
        join(root, "services/pricing/src/cli.ts"),
        "accounts",
        "smpp-credentials",
        "--name",
        "load",
        "--json",
      ],
      { env: stack.envOf("pricing"), encoding: "utf8" },
    );
    if (rotated.status !== 0) throw new Error(`SMPP credentials: ${rotated.stderr}`);
    const { smpp } = JSON.parse(rotated.stdout) as {
      smpp: { systemId: string; password: string };
    };
    // The bind works once smpp-server has the account's new record from the accounts bucket.
    for (let tries = 0; ; tries++) {
      try {
        const probe = await bindClient({
          host: "127.0.0.1",
          port: SMPP_PORT,
          mode: "transmitter",
          ...smpp,
        });
        await probe.unbind();
        break;
      } catch (error) {
        if (tries > 50) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const startedAt = new Date().toISOString();
    const results: StepResult[] = [];
    for (const window of windows) {
      await stack.maintain();
      const result = await runStep(smpp, window, stack);
      say(
        `window ${window}: ${result.submitsPerSec} submits/s, resp p99 ${Math.round(result.respP99)} ms, ` +
          `${result.receipts}/${result.accepted} receipts, receipt p99 ${Math.round(result.receiptP99)} ms, ` +
          `CPU ${result.cpuMsPerMessage} ms/msg`,
      );
      results.push(result);
    }
    const out = resolve(root, args.out ?? "docs/bench");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "smpp.md"), toMarkdown(results, startedAt));
    writeFileSync(join(out, "smpp.json"), `${JSON.stringify({ startedAt, results }, null, 2)}\n`);
    say(`wrote ${join(out, "smpp.md")}`);
    if (reportNatsViolations(stack, say)) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

await main();
