import type { EventOf, MessageEvent, SubmitOrder } from "@smsgw/contracts";
import { createLogger, type Delivery, type EventPublisher } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../domain/choose.ts";
import type { RoutingView } from "../domain/decide.ts";
import { parseRouteTable } from "../domain/route-table.ts";
import type { FailureGate } from "./failure-gate.ts";
import { handleSubmitFailed } from "./submit-failed.ts";

const silent = createLogger("routing-test", "silent");

function viewOf(routes: string): RoutingView {
  const parsed = parseRouteTable(routes);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return {
    table: parsed.table,
    scores: () => new Map(),
    health: new Map(),
    simulated: new Set(),
    policy: DEFAULT_POLICY,
    maxAttempts: 3,
  };
}

const refusal: EventOf<"SubmitFailed"> = {
  eventId: "msg_1:submit_failed:1",
  type: "SubmitFailed",
  version: 1,
  messageId: "msg_1",
  accountId: "acc_1",
  occurredAt: "2026-12-06T12:00:00.000Z",
  data: {
    carrierId: "sim-a",
    attempt: 1,
    retryable: true,
    commandStatus: 0x58,
    detail: "throttled",
    failover: {
      content: { to: "+37212345678", from: "MyApp", text: "hi", encoding: "gsm7", parts: 1 },
      tried: ["sim-a"],
      scoreKey: "+372",
    },
  },
};

const delivery = (deliveryCount: number): Delivery<EventOf<"SubmitFailed">> => ({
  value: refusal,
  subject: "t.evt.submit_failed",
  deliveryCount,
  seq: 7,
  headers: undefined,
});

/**
 * The handler with its outputs recorded, and a message record that shows each order handed
 * over as acted on (as the event store's would, once the connector submitted it).
 */
function handlerWith(table: { routes: string }) {
  const orders: SubmitOrder[] = [];
  const failures: MessageEvent[] = [];
  const publisher = {
    publishAll: async (events: readonly MessageEvent[]) => {
      failures.push(...events);
    },
  } as unknown as EventPublisher;
  const gate: FailureGate = {
    async laterAttempts(asked) {
      return new Set(
        asked
          .filter((a) =>
            orders.some((o) => o.messageId === a.messageId && o.data.attempt > a.attempt),
          )
          .map((a) => a.messageId),
      );
    },
    policy: { waitMs: 60_000, waits: 5 },
  };
  const handle = handleSubmitFailed({
    view: () => viewOf(table.routes),
    orders: { publishAll: async (list) => void orders.push(...list) },
    publisher,
    gate,
    log: silent,
    now: () => new Date("2026-12-06T12:00:01.000Z"),
  });
  return { handle, orders, failures };
}

describe("a refusal delivered again after the route table changed", () => {
  it("when the first delivery ordered attempt 2 and the table then lost that carrier, the redelivery publishes no MessageFailed", async () => {
    const table = { routes: "+372=sim-a|sim-b" };
    const { handle, orders, failures } = handlerWith(table);
    await handle([delivery(1)]);
    expect(orders.map((o) => [o.orderId, o.data.carrierId])).toEqual([["msg_1:submit:2", "sim-b"]]);
    table.routes = "+372=sim-a";
    const outcomes = await handle([delivery(2)]);
    expect(failures).toEqual([]);
    expect(outcomes).toEqual([{ kind: "ack" }]);
  });

  it("when a redelivery decides fail and no later attempt shows yet, it waits (nak) instead of failing, and fails only after the last wait", async () => {
    const { handle, failures } = handlerWith({ routes: "+372=sim-a" });
    expect(await handle([delivery(2)])).toEqual([{ kind: "nak", delayMs: 60_000 }]);
    expect(failures).toEqual([]);
    expect(await handle([delivery(7)])).toEqual([{ kind: "ack" }]);
    expect(failures.map((f) => f.eventId)).toEqual(["msg_1:failed"]);
  });

  it("when a first delivery decides fail, the failure is published at once, nothing looked up", async () => {
    const { handle, failures } = handlerWith({ routes: "+372=sim-a" });
    expect(await handle([delivery(1)])).toEqual([{ kind: "ack" }]);
    expect(failures.map((f) => [f.type, (f as EventOf<"MessageFailed">).data.reason])).toEqual([
      ["MessageFailed", "no_carrier_left"],
    ]);
  });
});
