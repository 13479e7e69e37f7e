/**
 * `pnpm drill`: fault drills under steady load. For each fault in turn (kill -9 of each
 * service, NATS restart, Postgres restart, carrier binds dropped, webhook receiver down):
 * offered load for a while, the fault in the middle, recovery, then a check of the owners'
 * tables: every message that got `success` reached a final status, was charged once (and
 * refunded once if failed), no part was submitted twice, and its final webhook arrived.
 * The stack runs on a nats-server of its own under the permission file, each service as its
 * own user (ADR 0015): "NATS restart" restarts that server on its store; the run fails on
 * any permission violation it logged. WARNING: restarts the machine's PostgreSQL; run it
 * when nothing else uses it.
 *
 *   pnpm drill [--rate 100] [--seconds 24] [--mo-rate 10] [--only "NATS restart,kill -9 routing"] [--out docs/drill]
 *
 * MO traffic (issue 18): with `--mo-rate` above 0 (the default, 10 a second) the stack also
 * runs the inbound service, the load account holds three sim-a numbers whose inbound URL is
 * the receiver, and the simulator sends MO to them during every drill (every fifth in two
 * parts); "kill -9 inbound" joins the faults. Checked: every MO the carrier got a
 * deliver_sm_resp OK for is stored once in `inbound.messages` and its webhook arrived (at
 * least once; repeats are counted by id); none lost.
 *
 * `--cluster`: the same checks on a 3-node NATS JetStream cluster on loopback (every stream
 * and bucket with 3 replicas) and two replicas of every service, the load split over both
 * ingress replicas (through a round-robin balancer that skips a refusing replica, as a
 * Service does); the drills kill -9 one NATS node, then one replica of every service.
 * It leaves the machine's NATS and Postgres running. Report: docs/drill/cluster.{md,json}.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runPacedStep } from "../bench/paced-load.ts";
import { startBalancer } from "../lib/balancer.ts";
import { type LoadStack, reportNatsViolations, startLoadStack } from "../lib/load-stack.ts";
import { SENDERS_PER_RUN, startMoTraffic } from "../lib/mo-traffic.ts";
import { type NatsCluster, startNatsCluster } from "../lib/nats-cluster.ts";
import { checkInvariants, type DrillCheck, storedInboundTexts } from "./checks.ts";
import { allFaults, clusterFaults, type Fault } from "./faults.ts";
import { checkInbound, type InboundCheck } from "./inbound-checks.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values: args } = parseArgs({
  options: {
    rate: { type: "string", default: "100" },
    seconds: { type: "string", default: "24" },
    only: { type: "string" },
    out: { type: "string", default: "docs/drill" },
    cluster: { type: "boolean", default: false },
    "mo-rate": { type: "string", default: "10" },
  },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const moRate = Number(args["mo-rate"]);
const DATABASE = "smsgw_drill";
const say = (line: string) => process.stdout.write(`drill │ ${line}\n`);

interface DrillResult extends DrillCheck {
  fault: string;
  /** The MO traffic's invariants (absent with --mo-rate 0). */
  inbound?: InboundCheck;
  sent: number;
  errors: Record<string, number>;
  /** Seconds from the recovery action until accepted traffic was back at 90 % of the rate. */
  recoverSeconds: number | null;
}

async function main() {
  const clustered = args.cluster === true;
  // The cluster drill keeps to sends: its stack has no inbound replicas.
  const withMo = moRate > 0 && !clustered;
  const cluster: NatsCluster | null = clustered ? await startNatsCluster(say) : null;
  let stack: LoadStack;
  try {
    stack = await startLoadStack({
      root,
      prefix: "drill",
      database: DATABASE,
      receiptDelayMs: 50,
      say,
      // Short grace so that charges whose request died with a service are refunded in the drill.
      extraEnv: {
        REFUND_GRACE_MS: "15000",
        // The most the grace allows (half of it, ADR 0022): a publish riding out a NATS restart
        // or a leader election still lands inside its charge's window.
        ACCEPT_WINDOW_MS: "7500",
        SWEEP_INTERVAL_MS: "2000",
        ...(cluster ? { STREAM_REPLICAS: "3" } : {}),
      },
      ...(cluster ? { natsUrl: cluster.url, replicas: 2 as const } : {}),
      inbound: withMo,
    });
  } catch (error) {
    await cluster?.stop();
    throw error;
  }
  // In front of the two ingress replicas, as a Service is in Kubernetes.
  const balancer = cluster ? await startBalancer([8080, 9080]) : null;
  const stopAll = async () => {
    await balancer?.close();
    await stack.stop();
    await cluster?.stop();
  };
  process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));
  const faults = (cluster ? clusterFaults(cluster) : allFaults({ inbound: withMo })).filter(
    (f) => !args.only || args.only.split(",").includes(f.name),
  );
  const results: DrillResult[] = [];
  const finalWebhooks = new Set<string>();
  const inboundWebhooks = new Map<string, { ids: string[] }>();
  let counter = 0;
  let natsViolations: string[] = [];
  try {
    for (const fault of faults) {
      results.push(await drill(fault));
    }
    reportNatsViolations(stack, say);
    natsViolations = stack.nats?.violations() ?? [];
  } finally {
    await stopAll();
  }

  /** The offered load: to the ingress, or to the balancer over both replicas (8080, 9080). */
  function offer(base: number, onProgress: (sent: number, accepted: number) => void) {
    return runPacedStep({
      baseUrl: balancer ? `http://127.0.0.1:${balancer.port}` : "http://127.0.0.1:8080",
      query: (n) => stack.query(base + n),
      rate,
      connections: 16,
      durationS: seconds,
      onProgress,
    });
  }

  async function drill(fault: Fault): Promise<DrillResult> {
    say(
      `── ${fault.name}: ${rate} msg/s for ${seconds} s, fault at ${Math.round(seconds / 4)} s, recovery at ${Math.round(seconds / 2)} s`,
    );
    const perSecond: number[] = [];
    let lastAccepted = 0;
    let recoveredAt = 0;
    const base = counter;
    const injectTimer = setTimeout(
      () => {
        say(`   inject: ${fault.name}`);
        fault.inject(stack).catch((error: unknown) => say(`   inject failed: ${String(error)}`));
      },
      (seconds / 4) * 1000,
    );
    const recoverTimer = setTimeout(
      () => {
        say("   recover");
        fault
          .recover(stack)
          .then(() => {
            recoveredAt = perSecond.length;
            say(`   recovered at ${recoveredAt} s`);
          })
          .catch((error: unknown) => say(`   recovery failed: ${String(error)}`));
      },
      (seconds / 2) * 1000,
    );
    const mo = withMo
      ? startMoTraffic({
          rate: moRate,
          numbers: stack.ownedNumbers,
          tag: `d${results.length}`,
          senderBase: results.length * SENDERS_PER_RUN,
        })
      : null;
    const load = await offer(base, (sent, accepted) => {
      perSecond.push(accepted - lastAccepted);
      lastAccepted = accepted;
      counter = base + sent;
    });
    clearTimeout(injectTimer);
    clearTimeout(recoverTimer);
    const moAttempts = (await mo?.stop()) ?? [];
    const moAcked = moAttempts.filter((a) => a.outcome === "acked").map((a) => a.text);
    // Let the backlog drain and retries land (bounded).
    const ids = [...load.accepted.keys()];
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const taken = await stack.ask<{ finals: Array<[string, unknown]> }>("take");
      for (const [id] of taken.finals) finalWebhooks.add(id);
      if (withMo) {
        const hooks = await stack.ask<{ inbound: Array<[string, { ids: string[] }]> }>(
          "take-inbound",
        );
        for (const [text, { ids: arrivals }] of hooks.inbound) {
          const seen = inboundWebhooks.get(text);
          if (seen) seen.ids.push(...arrivals);
          else inboundWebhooks.set(text, { ids: [...arrivals] });
        }
      }
      if (ids.every((id) => finalWebhooks.has(id)) && moAcked.every((t) => inboundWebhooks.has(t)))
        break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    await new Promise((r) => setTimeout(r, 17_000)); // refunds of orphaned charges (grace 15 s)
    const check = await checkInvariants(stack.env.DATABASE_URL ?? "", ids, finalWebhooks);
    const inbound = withMo
      ? checkInbound(
          moAttempts,
          await storedInboundTexts(
            stack.env.DATABASE_URL ?? "",
            moAttempts.map((a) => a.text),
          ),
          inboundWebhooks,
        )
      : undefined;
    const after = perSecond.slice(recoveredAt);
    const back = after.findIndex((n) => n >= rate * 0.9);
    const result: DrillResult = {
      fault: fault.name,
      sent: load.sent,
      errors: load.errors,
      recoverSeconds: recoveredAt > 0 && back >= 0 ? back : null,
      ...check,
      ...(inbound ? { inbound } : {}),
    };
    // What the recovery figure is read from: a stack past its capacity answers late, not less.
    say(`   accepted a second: ${perSecond.join(" ")}`);
    say(
      `   ${result.accepted} accepted, lost ${result.lost}, double charged ${result.doubleCharged}, double submitted ${result.doubleSubmitted}, webhooks missing ${result.webhooksMissing}, recovered in ${result.recoverSeconds ?? "?"} s`,
    );
    if (inbound)
      say(
        `   MO: ${inbound.moSent} sent, ${inbound.moAcked} acked, ${inbound.moDelivered} stored once and POSTed, lost ${inbound.moLost}, stored twice ${inbound.moStoredTwice}, webhooks missing ${inbound.webhooksMissing}, webhook repeats ${inbound.webhookRepeats}`,
      );
    return result;
  }

  const table = [
    "| drill | sent | accepted | final | lost | double charged | failed not refunded once | charged, not accepted (refunded) | double submitted | webhooks missing | recovery (s) |",
    "|---|---:|---:|---|---:|---:|---:|---|---:|---:|---:|",
    ...results.map(
      (r) =>
        `| ${r.fault} | ${r.sent} | ${r.accepted} | ${Object.entries(r.finalByStatus)
          .map(([s, n]) => `${n} ${s}`)
          .join(
            ", ",
          )} | ${r.lost} | ${r.doubleCharged} | ${r.refundProblems} | ${r.chargedNotAccepted} (${r.chargedNotAcceptedRefunded}) | ${r.doubleSubmitted} | ${r.webhooksMissing} | ${r.recoverSeconds ?? "–"} |`,
    ),
  ].join("\n");
  const moTable = withMo
    ? [
        "",
        `MO traffic (${moRate}/s to three held numbers, every fifth in two parts; issue 18):`,
        "",
        "| drill | MO sent | acked by the gateway | stored once and POSTed | lost | stored twice | webhooks missing | webhook repeats (same id) | not acked, stored (carrier redelivers) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ...results.map(({ fault, inbound: i }) =>
          i
            ? `| ${fault} | ${i.moSent} | ${i.moAcked} | ${i.moDelivered} | ${i.moLost} | ${i.moStoredTwice} | ${i.webhooksMissing} | ${i.webhookRepeats} | ${i.unackedStored} |`
            : `| ${fault} | – | – | – | – | – | – | – | – |`,
        ),
      ].join("\n")
    : "";
  const natsLine = stack.nats
    ? `\n\nNATS ran under the permission file (a nats-server of the drill's own, each service as its own user, ADR 0015): ${natsViolations.length === 0 ? "no permission violation" : `${natsViolations.length} permission violations, e.g. ${natsViolations[0]}`}.\n`
    : "";
  const report = `${table}\n${moTable}${natsLine}`;
  const out = resolve(root, args.out ?? "docs/drill");
  mkdirSync(out, { recursive: true });
  const file = clustered ? "cluster" : "latest";
  writeFileSync(
    join(out, `${file}.json`),
    `${JSON.stringify({ at: new Date().toISOString(), rate, seconds, clustered, natsViolations, results }, null, 2)}\n`,
  );
  writeFileSync(join(out, `${file}.md`), `${report}\n`);
  process.stdout.write(`\n${report}\n`);
  // A drill fails on anything lost or doubled, on a gateway that did not come back, and on a
  // grant a service lacked (a permission violation in the stack's nats-server).
  const broken =
    natsViolations.length > 0 ||
    results.some(
      (r) =>
        r.lost > 0 ||
        r.doubleCharged > 0 ||
        r.doubleSubmitted > 0 ||
        r.accepted === 0 ||
        r.recoverSeconds === null ||
        (r.inbound !== undefined &&
          (r.inbound.moLost > 0 || r.inbound.moStoredTwice > 0 || r.inbound.webhooksMissing > 0)),
    );
  process.exit(broken ? 1 : 0);
}

main().catch((error: unknown) => {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
