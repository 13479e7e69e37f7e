import { Kvm } from "@nats-io/kv";
import { type EventOf, eventIdFor, NATS_OPERATOR_USER } from "@smsgw/contracts";
import { createLogger, ensureDurableConsumer } from "@smsgw/service-kit";
import {
  createTestInfra,
  type SimulatorProcess,
  startSimulatorProcess,
  type TestInfra,
  waitFor,
} from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCarrierConnectorConfig } from "./config.ts";
import { carrierDurable } from "./handlers/carrier-consumers.ts";
import { observeEvents, order } from "./harness.testing.ts";
import { leaseBucket, type StartedCarrierConnector, startCarrierConnector } from "./service.ts";

/** Outcome-unknown reconciliation (ADR 8) against real Postgres, NATS and the simulator. */
const log = createLogger("connector-reconcile-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let simulator: SimulatorProcess;
let connector: StartedCarrierConnector;
let events: Awaited<ReturnType<typeof observeEvents>>;
let sql: postgres.Sql;

beforeAll(async () => {
  infra = await createTestInfra({}, { natsUser: "carrier-connector" });
  simulator = await startSimulatorProcess({
    SIM_CARRIERS: JSON.stringify([{ id: "rec", port: 0, receiptDelayMs: 10, outcomes: [] }]),
  });
  connector = await startCarrierConnector(
    loadCarrierConnectorConfig({
      ...infra.env,
      HEALTH_PORT: "0",
      RECONCILE_AFTER_MS: "1000",
      CARRIER_RELOAD_MS: "200",
      NO_BIND_FAILOVER_MS: "600000",
      CARRIERS: JSON.stringify([
        { id: "rec", port: simulator.ports.rec, password: "secret", idBase: "hex" },
        // Nothing listens there: its messages wait in its durable for a bind.
        { id: "doomed", port: 1, password: "secret" },
      ]),
    }),
    log,
  );
  events = await observeEvents(infra.envOf(NATS_OPERATOR_USER), log);
  sql = postgres(infra.database.url, { max: 1, onnotice: () => undefined });
});

afterAll(async () => {
  await sql?.end();
  const nc = events?.messaging.nats.nc;
  if (nc) {
    for (const bucket of [
      events.messaging.subjects.carrierHealthBucket,
      leaseBucket(events.messaging.subjects),
    ]) {
      await new Kvm(nc)
        .open(bucket)
        .then((kv) => kv.destroy())
        .catch(() => false);
    }
  }
  await events?.close();
  await connector?.stop();
  await simulator?.stop();
  await infra?.cleanup();
});

const submissionsTo = async (to: string) =>
  (await simulator.submissions()).filter((s) => s.destination === to.slice(1));

describe("outcome unknown", () => {
  it("when a claim never finished and is stale, its event ends SubmitFailed 'outcome unknown', recorded, never resubmitted", async () => {
    await waitFor(() => connector.pulling().includes("rec"), { what: "rec pulled" });
    const event = order("rec", "+37256100001", "Died mid-submit");
    // A replica claimed it and died before it could record anything.
    await sql`insert into connector.submissions (message_id, attempt, carrier_id, claimed_at)
              values (${event.messageId}, 1, 'rec', now() - interval '2 seconds')`;
    await events.handOver(event);
    const [failed] = await waitFor(() => {
      const list = events.ofType(event.messageId, "SubmitFailed");
      return list.length === 1 ? list : undefined;
    });
    expect(failed?.data).toMatchObject({ retryable: false, commandStatus: null });
    expect(failed?.data.detail).toMatch(/outcome unknown.*0 part\(s\)/);
    const [row] = await sql`select failure from connector.submissions
                            where message_id = ${event.messageId}`;
    expect(row?.failure).toMatchObject({ retryable: false });
    expect(await submissionsTo("+37256100001")).toEqual([]);
  });

  it("when a claim is young, the event waits for it rather than deciding", async () => {
    const event = order("rec", "+37256100002", "Still in flight elsewhere");
    await sql`insert into connector.submissions (message_id, attempt, carrier_id)
              values (${event.messageId}, 1, 'rec')`;
    await events.handOver(event);
    // Young for one second, then stale: it ends failed, but not before.
    const started = Date.now();
    await waitFor(() => events.ofType(event.messageId, "SubmitFailed").length === 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await submissionsTo("+37256100002")).toEqual([]);
  });

  it("when the parts were stored but MessageSubmitted was never published, it is published from them with the carrier's ids", async () => {
    const event = order("rec", "+37256100003", "Crashed before publishing");
    await sql`insert into connector.submissions (message_id, attempt, carrier_id)
              values (${event.messageId}, 1, 'rec')`;
    await sql`insert into connector.parts
                (carrier_id, carrier_message_id, raw_id, message_id, account_id, part, total_parts)
              values ('rec', '3054', '0BEE', ${event.messageId}, 'acc_1', 1, 1)`;
    await events.handOver(event);
    const [submitted] = await waitFor(() => {
      const list = events.ofType(event.messageId, "MessageSubmitted");
      return list.length === 1 ? list : undefined;
    });
    expect(submitted?.eventId).toBe(eventIdFor(event.messageId, "submitted", 1));
    expect(submitted?.data).toEqual({
      carrierId: "rec",
      attempt: 1,
      parts: [{ part: 1, carrierMessageId: "0BEE" }],
      reason: event.data.reason,
      // Where the order sits in the stream (ADR 0021: deleted with the message's content).
      orderSeq: expect.any(Number),
    });
    expect(await submissionsTo("+37256100003")).toEqual([]);
  });

  it("when a message is routed to a carrier no replica has, it fails over (retryable) after a grace, claimed once", async () => {
    const event = order("nowhere", "+37256100004", "Nobody binds this");
    await events.handOver(event);
    const [failed] = await waitFor(() => {
      const list = events.ofType(event.messageId, "SubmitFailed");
      return list.length === 1 ? list : undefined;
    });
    expect(failed?.data).toMatchObject({ carrierId: "nowhere", retryable: true });
    const rows = await sql`select failure from connector.submissions
                           where message_id = ${event.messageId}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.failure).toMatchObject({ retryable: true });
  });

  it("when a carrier is removed with messages waiting in its durable, they fail over (retryable)", async () => {
    await waitFor(() => connector.pulling().includes("doomed"), { what: "doomed pulled" });
    const event = order("doomed", "+37256100005", "Waiting for a bind");
    await events.handOver(event);
    await waitFor(
      async () => {
        const info = await events.messaging.nats.jsm.consumers.info(
          events.messaging.subjects.stream,
          carrierDurable("doomed"),
        );
        return info.num_redelivered > 0;
      },
      { what: "the message to be held back" },
    );
    expect(events.ofType(event.messageId, "SubmitFailed")).toEqual([]);
    await sql`delete from connector.carriers where id = 'doomed'`;
    const [failed] = await waitFor(
      () => {
        const list = events.ofType(event.messageId, "SubmitFailed");
        return list.length === 1 ? list : undefined;
      },
      { what: "the fail-over", timeoutMs: 15_000 },
    );
    expect(failed?.data).toMatchObject({ carrierId: "doomed", retryable: true });
    expect(failed?.data.detail).toMatch(/not configured/);
    await waitFor(() => !connector.pulling().includes("doomed"), { what: "the durable let go" });
  }, 30_000);
});

describe("upgrade from routed events (ADR 0009)", () => {
  it("when routed events wait in the old durables, each is submitted once as its order, and the trail says why", async () => {
    const { messaging } = events;
    const { stream } = messaging.subjects;
    // The durables a connector from before the upgrade left: one per carrier and the catch-all.
    await ensureDurableConsumer(messaging.nats.jsm, stream, {
      durable: "carrier-connector-rec",
      filterSubject: messaging.subjects.event("MessageRouted", "rec"),
    });
    await ensureDurableConsumer(messaging.nats.jsm, stream, {
      durable: "carrier-connector",
      filterSubject: messaging.subjects.routedAll,
    });
    const fresh = order("rec", "+37256100009", "Routed before the upgrade");
    const routed: EventOf<"MessageRouted"> = {
      eventId: eventIdFor(fresh.messageId, "routed", 1),
      type: "MessageRouted",
      version: 1,
      messageId: fresh.messageId,
      accountId: fresh.accountId,
      occurredAt: fresh.occurredAt,
      data: {
        to: fresh.data.to,
        from: fresh.data.from,
        text: fresh.data.text,
        encoding: fresh.data.encoding,
        parts: fresh.data.parts,
        carrierId: "rec",
        attempt: 1,
        reason: { matchedPrefix: "+372", candidates: ["rec"], scoreKey: "EE" },
      },
    };
    await messaging.publisher.publish(routed);
    const [submitted] = await waitFor(
      () => {
        const list = events.ofType(fresh.messageId, "MessageSubmitted");
        return list.length === 1 ? list : undefined;
      },
      { what: "the old routed event submitted" },
    );
    expect(submitted?.data.reason).toEqual(routed.data.reason);
    await waitFor(
      async () => {
        const infos = await Promise.all(
          ["carrier-connector-rec", "carrier-connector"].map((name) =>
            messaging.nats.jsm.consumers.info(stream, name),
          ),
        );
        return infos.every((info) => info.num_pending + info.num_ack_pending === 0);
      },
      { what: "both old durables drained" },
    );
    expect(await submissionsTo("+37256100009")).toHaveLength(1);
  });
});
