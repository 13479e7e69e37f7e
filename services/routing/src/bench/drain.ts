import { eventIdFor, newMessageId } from "@smsgw/contracts";
import { openMessaging } from "@smsgw/service-kit";
import { createTestInfra } from "@smsgw/testkit";
import { loadRoutingConfig } from "../config.ts";
import { startRouting } from "../service.ts";
import { deleteRoutingBuckets, silent } from "../test-support.ts";

/**
 * Routing's drain rate: N accepted messages are stored first, then routing starts and
 * routes the backlog (choice, submit order publish). Prints msg/s and this process's
 * CPU per message (routing plus a counting subscription; NATS's own CPU not included).
 *   node services/routing/src/bench/drain.ts [N=20000]
 */
const total = Number(process.argv[2] ?? 20_000);
const infra = await createTestInfra({ HEALTH_PORT: "0", ROUTES: "+372=sim-a:300|sim-b:400" });
const config = loadRoutingConfig(infra.env);
const messaging = await openMessaging(config, "routing-bench", silent);
try {
  const events = Array.from({ length: total }, (_, i) => {
    const messageId = newMessageId();
    return {
      eventId: eventIdFor(messageId, "accepted"),
      type: "MessageAccepted" as const,
      version: 1 as const,
      messageId,
      accountId: "acc_bench",
      occurredAt: new Date().toISOString(),
      data: {
        to: `+3725${String(i).padStart(7, "0")}`,
        from: "Bench",
        text: "hello",
        encoding: "gsm7" as const,
        parts: 1,
        country: "EE",
        cost: 300,
        currency: "EUR",
        callbackUrl: null,
        reference: null,
      },
    };
  });
  await messaging.publisher.publishAll(events);
  let routed = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const sub = messaging.nats.nc.subscribe(messaging.subjects.submitAll, {
    // An envelope counts its orders (routing groups a carrier's orders).
    callback: (_error, msg) => {
      const body = msg.json<{ type?: string; events?: unknown[] }>();
      routed += body.type === "EventBatch" ? (body.events?.length ?? 0) : 1;
      if (routed >= total) done();
    },
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const routing = await startRouting(config, silent);
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerMessage = (cpu.user + cpu.system) / 1000 / total;
  console.log(
    JSON.stringify({
      messages: total,
      seconds: Number(seconds.toFixed(2)),
      perSecond: Math.round(total / seconds),
      cpuMsPerMessage: Number(cpuMsPerMessage.toFixed(3)),
    }),
  );
  sub.unsubscribe();
  await routing.stop();
} finally {
  await messaging.close();
  await deleteRoutingBuckets(infra.env.NATS_URL ?? "", infra.prefix);
  await infra.cleanup();
}
