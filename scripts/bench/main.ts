/**
 * `pnpm bench`: the whole gateway as separate processes with the simulator, driven at fixed
 * offered rates and at maximum through the compatible endpoint; reports API and end-to-end
 * latency, CPU per process and per message, and consumer lag, as JSON, Markdown and SVG.
 *
 *   pnpm bench [--rates 250,500,1000,2000,max] [--seconds 15] [--receipt-delay 0] [--out docs/bench]
 *              [--overload 3,5] [--overload-seconds 10] [--saturation msg/s] [--inbound MO/s]
 *
 * The overload steps (issue 17) offer multiples of the saturation and check that the gateway
 * refuses the excess instead of slowing down (scripts/bench/overload.ts); `--overload ""`
 * skips them. The saturation is the best accepted rate of the steps before, unless
 * `--saturation` gives it: admission control (on by default, ADR 0010) keeps the accepted
 * rate under what the flow carries, so the flow's own saturation comes from a run with
 * `ADMISSION_ENABLED=false` (the stack takes the services' settings from the environment).
 *
 * `--inbound <MO/s>` (off by default, so that the default run stays comparable): the stack
 * also runs the inbound service, the load account holds three sim-a numbers whose inbound
 * URL is the receiver, and during each rate step the simulator sends MO to them at that rate
 * (every fifth in two parts); the report adds each step's MO end-to-end latency (the
 * carrier's deliver_sm to the inbound webhook's arrival) and whether every MO the carrier got
 * an OK for reached its webhook. The overload steps carry no MO.
 *
 * NATS is a nats-server of the run's own with the permission file (ADR 0015): each service
 * logs in as its own user, the load generator as the operator; its CPU is the one counted
 * as `nats-server`. A permission violation it logged fails the run (after the report).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, setPriority, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { type LoadStack, reportNatsViolations, startLoadStack } from "../lib/load-stack.ts";
import { type MoAttempt, SENDERS_PER_RUN, startMoTraffic } from "../lib/mo-traffic.ts";
import { SERVICES } from "../lib/processes.ts";
import { inboundMarkdown, inboundStep } from "./inbound-stats.ts";
import { runLoadStep } from "./load-step.ts";
import { type OverloadResult, overloadMarkdown, runOverloadStep } from "./overload.ts";
import { runPacedStep } from "./paced-load.ts";
import { contextSwitches, cpuMs, ioSyscalls, pidsOf, rssMb } from "./proc-stats.ts";
import type { ProcessCounts } from "./report.ts";
import { type BenchReport, type StepResult, stagesMarkdown, toMarkdown, toSvg } from "./report.ts";
import { speedProbeLine, speedProbeMs } from "./speed-probe.ts";
import { readMessageTimes, stageLatencies } from "./stages.ts";
import { summarize } from "./stats.ts";
import { doorBetween, takeDoorSnapshot, takeWorkSnapshot, workPerMessage } from "./work-stats.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values: args } = parseArgs({
  options: {
    rates: { type: "string", default: "250,500,1000,2000,max" },
    seconds: { type: "string", default: "15" },
    "receipt-delay": { type: "string", default: "0" },
    connections: { type: "string", default: "32" },
    out: { type: "string", default: "docs/bench" },
    overload: { type: "string", default: "3,5" },
    "overload-seconds": { type: "string", default: "10" },
    // "before": the overload clients' sockets are open when the step starts (a fleet already
    // connected, or a load balancer's pool); "during": opened as the step needs them.
    "overload-connect": { type: "string", default: "before" },
    saturation: { type: "string" },
    inbound: { type: "string", default: "0" },
  },
});
const rates = (args.rates ?? "").split(",").map((r) => (r === "max" ? null : Number(r)));
const stepSeconds = Number(args.seconds);
const receiptDelayMs = Number(args["receipt-delay"]);
const connections = Number(args.connections);
const inboundRate = Number(args.inbound);
if (!["before", "during"].includes(args["overload-connect"] ?? "")) {
  throw new Error("--overload-connect is before or during");
}
const PREFIX = "bench";
/** The overload steps' second account (issue 17's fairness check). */
const QUIET_RATE_PER_SEC = 10;
/** Sockets of the overload steps' load generator (at least). */
const OVERLOAD_CONNECTIONS = 1_024;
const DATABASE = "smsgw_bench";
const say = (line: string) => process.stdout.write(`bench │ ${line}\n`);

function versions() {
  const run = (cmd: string, argv: string[]) => {
    try {
      return execFileSync(cmd, argv).toString().trim().split("\n")[0] ?? "?";
    } catch {
      return "?";
    }
  };
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? "?",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    nats: run("nats-server", ["--version"]),
    postgres: run("psql", ["--version"]),
  };
}

async function main() {
  // The load generator shares the two cores with the gateway. At a higher priority it sends
  // each request when due and reads each answer when it comes: a late send or read would be
  // counted as the gateway's latency (clients live elsewhere in production).
  try {
    setPriority(-10);
  } catch {
    say("could not raise the load generator's priority (not root?): latencies include its waits");
  }
  const stack = await startLoadStack({
    root,
    prefix: PREFIX,
    database: DATABASE,
    receiptDelayMs,
    say,
    inbound: inboundRate > 0,
  });
  const { group, query } = stack;
  // The services were spawned from this process and inherited its priority: back to the
  // priority NATS and Postgres run at, so that only the load generator (and the receiver,
  // which stands for the customers' servers) goes first.
  for (const child of group.children.values()) {
    if (child.pid !== undefined) setPriority(child.pid, 0);
  }
  // The stack's own nats-server too (the machine's ran at 0).
  for (const pid of stack.natsPids()) if (pid > 0) setPriority(pid, 0);
  process.on("SIGINT", () => void stack.stop().then(() => process.exit(130)));
  try {
    // As the operator, on the stack's own nats-server (ADR 0015).
    const { NATS_URL, NATS_USER, NATS_PASSWORD } = stack.env;
    const nc = await connect({
      servers: (NATS_URL ?? "").split(","),
      ...(NATS_USER ? { user: NATS_USER, pass: NATS_PASSWORD } : {}),
    });
    const jsm = await jetstreamManager(nc);
    const report: BenchReport = {
      startedAt: new Date().toISOString(),
      machine: versions(),
      settings: { receiptDelayMs, stepSeconds, connections, natsPermissions: true },
      steps: [],
    };
    say(
      `machine: ${report.machine.cores} cores, Node ${report.machine.node}; ${stepSeconds} s per step`,
    );
    // Warm up: JIT, pools, binds, and some thousands of messages in every table, so that the
    // statistics the first maintain() gathers describe tables that are not empty (plans made
    // for empty tables scan them whole, and stay cached while the tables grow).
    await runLoadStep({
      baseUrl: "http://127.0.0.1:8080",
      query,
      rate: 500,
      connections: 32,
      durationS: 10,
    });
    await new Promise((r) => setTimeout(r, 3_000));
    await stack.ask("take");

    for (const rate of rates) {
      const label = rate === null ? "max" : String(rate);
      await stack.maintain();
      const speedProbe = speedProbeMs();
      const pids = measuredPids(stack);
      const cpuBefore = new Map(
        [...pids].map(([n, list]) => [n, list.reduce((s, p) => s + cpuMs(p), 0)]),
      );
      const ioBefore = syscallsOf(pids);
      const databaseUrl = stack.env.DATABASE_URL ?? "";
      const healthPorts = SERVICES.map((s) => s.healthPort);
      const natsCounts = { jsm, prefix: PREFIX };
      const workBefore = await takeWorkSnapshot(healthPorts, databaseUrl, DATABASE, natsCounts);
      const lag: Record<string, number> = {};
      const lagPoll = setInterval(async () => {
        for await (const info of jsm.consumers.list(`${PREFIX.toUpperCase()}_EVENTS`)) {
          lag[info.name] = Math.max(lag[info.name] ?? 0, info.num_pending + info.num_ack_pending);
        }
      }, 1_000);
      const started = Date.now();
      const mo =
        inboundRate > 0
          ? startMoTraffic({
              rate: inboundRate,
              numbers: stack.ownedNumbers,
              tag: `b${label}`,
              senderBase: rates.indexOf(rate) * SENDERS_PER_RUN,
            })
          : null;
      const onProgress = (sent: number, accepted: number) =>
        say(
          `${label.padStart(5)} msg/s offered │ ${Math.round((Date.now() - started) / 1000)} s │ sent ${sent} │ accepted ${accepted}`,
        );
      // A fixed rate is paced evenly (open model); "max" is autocannon as fast as it goes.
      const load =
        rate === null
          ? await runLoadStep({
              baseUrl: "http://127.0.0.1:8080",
              query,
              rate,
              connections: connections * 2,
              durationS: stepSeconds,
              onProgress,
            })
          : await runPacedStep({
              baseUrl: "http://127.0.0.1:8080",
              query,
              rate,
              connections: Math.max(connections, 128),
              durationS: stepSeconds,
              onProgress,
            });
      const elapsedS = (Date.now() - started) / 1000;
      const moAttempts = (await mo?.stop()) ?? [];
      // Wait (bounded) for every accepted message's final report. The CPU is counted until
      // then: the work of a step's messages is done when they are reported, and a backlog
      // worked off after the load stops is theirs too (counted only during the load, a step
      // above saturation would look cheaper than it is).
      const drainDeadline = Date.now() + 30_000;
      while (Date.now() < drainDeadline) {
        const { finals } = await stack.ask<{ finals: number }>("count");
        if (finals >= load.accepted.size) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const moWebhooks = mo ? await inboundWebhooks(moAttempts, drainDeadline) : new Map();
      const cpuAfterWork = new Map(
        [...pids].map(([n, list]) => [n, list.reduce((s, p) => s + cpuMs(p), 0)]),
      );
      const ioAfter = syscallsOf(pids);
      const workS = (Date.now() - started) / 1000;
      clearInterval(lagPoll);
      const work = workPerMessage(
        workBefore,
        await takeWorkSnapshot(healthPorts, databaseUrl, DATABASE, natsCounts),
        load.accepted.size,
      );
      const taken = await stack.ask<{ finals: Array<[string, { status: string; at: number }]> }>(
        "take",
      );
      const e2e: number[] = [];
      const finalStatuses: Record<string, number> = {};
      const reportedAt = new Map<string, number>();
      for (const [messageId, final] of taken.finals) {
        const sentAt = load.accepted.get(messageId);
        if (sentAt === undefined) continue;
        finalStatuses[final.status] = (finalStatuses[final.status] ?? 0) + 1;
        e2e.push(final.at - sentAt);
        reportedAt.set(messageId, final.at);
      }
      const stages = stageLatencies(
        load.accepted,
        await readMessageTimes(databaseUrl, [...reportedAt.keys()]),
        reportedAt,
      );
      const missing = load.accepted.size - e2e.length;
      if (missing > 0) finalStatuses["no final report within 30 s"] = missing;
      const cpuMsPerSec: Record<string, number> = {};
      let cpuTotal = 0;
      for (const [name, before] of cpuBefore) {
        const used = (cpuAfterWork.get(name) ?? before) - before;
        cpuMsPerSec[name] = used / workS;
        if (!name.startsWith("bench")) cpuTotal += used;
      }
      const rss: Record<string, number> = {};
      for (const [name, list] of pids)
        rss[name] = Math.round(list.reduce((s, p) => s + rssMb(p), 0));
      const step: StepResult = {
        label,
        offeredRate: rate,
        durationS: elapsedS,
        sent: load.sent,
        accepted: load.accepted.size,
        acceptedPerSec: load.accepted.size / elapsedS,
        api: { count: load.sent, ...load.api },
        e2e: summarize(e2e),
        stages,
        finalStatuses,
        errors: load.errors,
        cpuMsPerSec,
        cpuMsPerMessage: load.accepted.size > 0 ? cpuTotal / load.accepted.size : Number.NaN,
        rssMb: rss,
        syscallsPerMessage: perMessage(ioBefore, ioAfter, load.accepted.size),
        maxConsumerLag: lag,
        work,
        ...(mo ? { inbound: inboundStep(inboundRate, moAttempts, moWebhooks) } : {}),
        speedProbeMs: speedProbe,
      };
      report.steps.push(step);
      say(
        `${label} → accepted ${step.acceptedPerSec.toFixed(0)}/s, API p99 ${step.api.p99} ms, e2e p99 ${step.e2e.p99} ms, ${step.cpuMsPerMessage.toFixed(2)} ms CPU/msg (box speed probe ${Math.round(speedProbe)} ms)`,
      );
      if (step.inbound)
        say(
          `${label} → MO: ${step.inbound.acked} acked, ${step.inbound.reached} reached the webhook, ${step.inbound.missing} missing, p50 ${step.inbound.latency.p50} ms, p99 ${step.inbound.latency.p99} ms`,
        );
    }
    report.overload = await runOverloadSteps(report.steps);
    await nc.close();
    const out = resolve(root, args.out ?? "docs/bench");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
    const markdown = `${toMarkdown(report)}${stagesMarkdown(report.steps)}${inboundMarkdown(report.steps)}\n${overloadMarkdown(report.overload)}${speedProbeLine([...report.steps, ...(report.overload ?? [])])}`;
    writeFileSync(join(out, "latest.md"), markdown);
    writeFileSync(join(out, "latency.svg"), toSvg(report));
    process.stdout.write(`\n${markdown}\nwritten to ${out}/latest.{json,md} and latency.svg\n`);
    // A grant a service lacks would make its work fail and the numbers wrong: the run fails.
    if (reportNatsViolations(stack, say)) process.exitCode = 1;
  } finally {
    await stack.stop();
  }

  /**
   * The inbound webhooks of the acked MO, waited for (bounded by the step's drain deadline,
   * and at least 5 s more): text -> the first arrival's time.
   */
  async function inboundWebhooks(
    attempts: readonly MoAttempt[],
    deadline: number,
  ): Promise<Map<string, { at: number }>> {
    const owed = attempts.filter((a) => a.outcome === "acked").map((a) => a.text);
    const received = new Map<string, { at: number }>();
    const until = Math.max(deadline, Date.now() + 5_000);
    for (;;) {
      const taken = await stack.ask<{ inbound: Array<[string, { at: number }]> }>("take-inbound");
      for (const [text, { at }] of taken.inbound)
        if (!received.has(text)) received.set(text, { at });
      if (owed.every((t) => received.has(t)) || Date.now() > until) return received;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** 3× and 5× (by default) the saturation, 10 s each. */
  async function runOverloadSteps(steps: readonly StepResult[]): Promise<OverloadResult[]> {
    const multiples = (args.overload ?? "")
      .split(",")
      .filter((m) => m.trim() !== "")
      .map(Number);
    const saturation = steps.reduce<StepResult | undefined>(
      (best, step) => (best && best.acceptedPerSec >= step.acceptedPerSec ? best : step),
      undefined,
    );
    if (multiples.length === 0 || !saturation) return [];
    const saturationPerSec = args.saturation ? Number(args.saturation) : saturation.acceptedPerSec;
    const results: OverloadResult[] = [];
    for (const multiple of multiples) {
      await stack.maintain();
      const speedProbe = speedProbeMs();
      const pids = measuredPids(stack);
      const healthPorts = SERVICES.map((s) => s.healthPort);
      const doorBefore = await takeDoorSnapshot(healthPorts);
      const started = Date.now();
      const run = await runOverloadStep({
        baseUrl: "http://127.0.0.1:8080",
        query,
        multiple,
        saturationPerSec,
        durationS: Number(args["overload-seconds"]),
        // The flood's clients as a fleet would be, not one pool: with 256 sockets a round trip
        // over 58 ms at 3× of 1,470 msg/s already queues requests in the generator itself,
        // and that queue, not the gateway's answer, was most of the latency measured
        // (docs/performance.md, round 9: 1-17 % within 200 ms with 256, 85 % with 1,024).
        connections: Math.max(connections, OVERLOAD_CONNECTIONS),
        // Opened during the step, up to 1,024 sockets connect in its first second, and that
        // storm, not the steady overload, was most of the step's slow answers (round 12).
        connectFirst: args["overload-connect"] !== "during",
        pids,
        cpuMsPerAccepted: saturation.cpuMsPerMessage,
        databaseUrl: stack.env.DATABASE_URL ?? "",
        quiet: { query: stack.quietQuery, ratePerSec: QUIET_RATE_PER_SEC },
        ask: stack.ask,
        drainMs: 60_000,
        onProgress: (sent, accepted) =>
          say(
            `${multiple}× saturation │ ${Math.round((Date.now() - started) / 1000)} s │ sent ${sent} │ accepted ${accepted}`,
          ),
      });
      const result = {
        ...run,
        ...doorBetween(doorBefore, await takeDoorSnapshot(healthPorts)),
        speedProbeMs: speedProbe,
      };
      results.push(result);
      say(
        `${result.label} (${result.offeredRate}/s) → ${(result.shareWithin200ms * 100).toFixed(1)} % within 200 ms, ${(result.shareRefused * 100).toFixed(1)} % refused, ${result.acceptedNotFinal} accepted not final, ${result.chargedNotAccepted} charged without success${result.quiet ? `; quiet account ${result.quiet.refused} of ${result.quiet.sent} refused, p99 ${Math.round(result.quiet.p99Ms)} ms` : ""}`,
      );
    }
    return results;
  }
}

/** The processes whose CPU a step counts: every service, NATS, Postgres and the bench itself. */
function measuredPids(stack: LoadStack) {
  return new Map<string, number[]>([
    ...[...stack.group.children].map(
      ([name, child]) => [name, [child.pid ?? 0]] as [string, number[]],
    ),
    ["nats-server", stack.natsPids()],
    ["postgres", pidsOf("postgres")],
    ["bench (load + receiver)", [process.pid]],
  ]);
}

main().catch((error: unknown) => {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

type Counts = Required<ProcessCounts>;

/** Read and write system calls and context switches so far, per measured process name. */
function syscallsOf(pids: Map<string, number[]>): Map<string, Counts> {
  return new Map(
    [...pids].map(([name, list]) => {
      const total: Counts = { reads: 0, writes: 0, voluntary: 0, involuntary: 0 };
      for (const pid of list) {
        const io = ioSyscalls(pid);
        const switches = contextSwitches(pid);
        total.reads += io.reads;
        total.writes += io.writes;
        total.voluntary += switches.voluntary;
        total.involuntary += switches.involuntary;
      }
      return [name, total];
    }),
  );
}

function perMessage(
  before: Map<string, Counts>,
  after: Map<string, Counts>,
  messages: number,
): Record<string, Counts> {
  const result: Record<string, Counts> = {};
  if (messages === 0) return result;
  for (const [name, start] of before) {
    const end = after.get(name) ?? start;
    result[name] = {
      reads: (end.reads - start.reads) / messages,
      writes: (end.writes - start.writes) / messages,
      voluntary: (end.voluntary - start.voluntary) / messages,
      involuntary: (end.involuntary - start.involuntary) / messages,
    };
  }
  return result;
}
