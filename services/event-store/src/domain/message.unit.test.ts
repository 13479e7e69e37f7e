import { type MessageEvent, MessageStatusChanged } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { messageEvents, permutations } from "../testing/message-events.ts";
import { foldMessage, isReported, statusChangesOf } from "./fold.ts";
import { affectsProjection, evolve, initialState, type MessageState } from "./message.ts";

const ID = "msg_01JDTESTMESSAGE00000000000";
const e = messageEvents(ID);
const t = (second: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, second)).toISOString();

/** given(events already folded).when(new events) -> the state and the notifications. */
function given(...past: MessageEvent[]) {
  const state = past.reduce(evolve, initialState(ID, "acc_1"));
  return {
    state,
    when: (...events: MessageEvent[]) => foldMessage(state, events),
  };
}

const statuses = (folded: { notifications: Array<{ status: string; sequence: number }> }) =>
  folded.notifications.map((n) => `${n.sequence}:${n.status}`);

describe("a message's status, event by event", () => {
  it("when MessageAccepted is folded into a new message, it is queued with the accepted facts", () => {
    const then = given().when(e.accepted(t(0), { parts: 2, cost: 840 }));
    expect(then.state).toMatchObject({
      status: "queued",
      statusSeq: 1,
      statusTimes: { queued: t(0) },
      accepted: { to: "+37256789045", from: "MyApp", parts: 2, cost: 840, createdAt: t(0) },
      updatedAt: t(0),
    });
    expect(statuses(then)).toEqual(["1:queued"]);
  });

  it("when MessageSubmitted follows acceptance, it is sent at the submission's time", () => {
    const then = given(e.accepted(t(0))).when(e.submitted(t(1)));
    expect(then.state).toMatchObject({ status: "sent", statusSeq: 2, submittedAt: t(1) });
    expect(then.notifications).toMatchObject([{ status: "sent", sequence: 2, occurredAt: t(1) }]);
  });

  it("when every part is delivered, it is delivered at the last part's time; until then it stays sent", () => {
    const sent = given(e.accepted(t(0), { parts: 3 }), e.submitted(t(1), 3));
    const partial = sent.when(e.receipt(t(2), 1, "delivered"), e.receipt(t(3), 3, "delivered"));
    expect(partial.state.status).toBe("sent");
    expect(partial.notifications).toEqual([]);

    const then = given(
      e.accepted(t(0), { parts: 3 }),
      e.submitted(t(1), 3),
      e.receipt(t(2), 1, "delivered"),
      e.receipt(t(3), 3, "delivered"),
    ).when(e.receipt(t(4), 2, "delivered"));
    expect(then.state).toMatchObject({ status: "delivered", statusSeq: 3, errorCode: null });
    expect(then.notifications).toMatchObject([
      { status: "delivered", sequence: 3, occurredAt: t(4), errorCode: null },
    ]);
  });

  it("when one part is undelivered, the message is undelivered with the documented code of that receipt's error, whatever the other parts say", () => {
    const then = given(
      e.accepted(t(0), { parts: 3 }),
      e.submitted(t(1), 3),
      e.receipt(t(2), 1, "delivered"),
    ).when(e.receipt(t(3), 2, "undelivered", "011"), e.receipt(t(4), 3, "delivered"));
    expect(then.state).toMatchObject({
      status: "undelivered",
      errorCode: "rejected",
      statusSeq: 3,
    });
    expect(then.state.statusTimes.undelivered).toBe(t(3));
    expect(statuses(then)).toEqual(["3:undelivered"]);
  });

  it("when a part says delivered and then undelivered, the part counts as undelivered", () => {
    const then = given(e.accepted(t(0), { parts: 2 }), e.submitted(t(1), 2)).when(
      e.receipt(t(2), 1, "delivered"),
      e.receipt(t(3), 1, "undelivered", "013"),
      e.receipt(t(4), 2, "delivered"),
    );
    expect(then.state.partOutcomes["1"]).toEqual({
      status: "undelivered",
      at: t(3),
      errorCode: "blocked_by_carrier",
    });
    expect(then.state.status).toBe("undelivered");
  });

  it("when a part expired and none is undelivered, the message is expired", () => {
    const then = given(e.accepted(t(0), { parts: 2 }), e.submitted(t(1), 2)).when(
      e.receipt(t(2), 1, "delivered"),
      e.receipt(t(3), 2, "expired", "EXP"),
    );
    expect(then.state).toMatchObject({ status: "expired", errorCode: "expired" });
    expect(statuses(then)).toEqual(["3:expired"]);
  });

  it("when a receipt is only pending, nothing moves", () => {
    const then = given(e.accepted(t(0)), e.submitted(t(1))).when(e.receipt(t(2), 1, "pending"));
    expect(then.state.status).toBe("sent");
    expect(then.state.partOutcomes["1"]?.status).toBe("pending");
    expect(then.notifications).toEqual([]);
  });

  it("when MessageFailed arrives, the message is failed with its error code", () => {
    const then = given(e.accepted(t(0))).when(e.failed(t(1), "no_route"));
    expect(then.state).toMatchObject({ status: "failed", errorCode: "no_route", statusSeq: 2 });
    expect(then.notifications).toMatchObject([
      { status: "failed", sequence: 2, occurredAt: t(1), errorCode: "no_route" },
    ]);
  });

  it("when MessageCharged, MessageRouted, SubmitFailed or WebhookAttempted arrive, nothing changes, not even updatedAt", () => {
    const others = [
      e.charged(t(1)),
      e.routed(t(2)),
      e.submitFailed(t(3)),
      e.webhookAttempted(t(4)),
    ];
    const before = given(e.accepted(t(0)));
    const then = before.when(...others);
    expect(then.notifications).toEqual([]);
    expect(then.state).toBe(before.state);
    expect(others.some(affectsProjection)).toBe(false);
  });

  it("when an event carries a fact, it moves updatedAt to the latest occurrence", () => {
    const then = given(e.accepted(t(0)), e.receipt(t(5), 1, "pending")).when(e.submitted(t(2)));
    expect(then.state.updatedAt).toBe(t(5));
    expect(
      [e.accepted(t(0)), e.submitted(t(1)), e.failed(t(1)), e.receipt(t(1), 1, "pending")].every(
        affectsProjection,
      ),
    ).toBe(true);
  });

  it("when a receipt names a part the message does not have, it does not count towards delivery", () => {
    const then = given(e.accepted(t(0), { parts: 2 }), e.submitted(t(1), 2)).when(
      e.receipt(t(2), 1, "delivered"),
      e.receipt(t(3), 3, "delivered"),
    );
    expect(then.state.status).toBe("sent");
  });
});

describe("statuses only move forward", () => {
  it("when a late sent arrives after delivered, it changes nothing", () => {
    const then = given(e.accepted(t(0)), e.receipt(t(2), 1, "delivered")).when(e.submitted(t(1)));
    expect(then.state).toMatchObject({ status: "delivered", statusSeq: 2 });
    expect(then.state.statusTimes.sent).toBeUndefined();
    expect(then.notifications).toEqual([]);
  });

  it("when a final status is reached, a later different outcome does not move it", () => {
    const then = given(e.accepted(t(0)), e.failed(t(1), "no_route")).when(
      e.submitted(t(2)),
      e.receipt(t(3), 1, "delivered"),
    );
    expect(then.state).toMatchObject({ status: "failed", errorCode: "no_route", statusSeq: 2 });
    expect(then.notifications).toEqual([]);
  });

  it("when an event is folded twice, the second time changes nothing", () => {
    const events = [
      e.accepted(t(0), { parts: 2 }),
      e.submitted(t(1), 2),
      e.receipt(t(2), 1, "delivered"),
      e.receipt(t(3), 2, "delivered"),
    ];
    for (const event of events) {
      const once = given(...events.slice(0, events.indexOf(event) + 1));
      const twice = once.when(event);
      expect(twice.state).toEqual(once.state);
      expect(twice.notifications).toEqual([]);
    }
  });
});

describe("before acceptance", () => {
  it("when events arrive before MessageAccepted, there is no status and no change", () => {
    const then = given().when(
      e.charged(t(0)),
      e.routed(t(1)),
      e.submitted(t(2)),
      e.receipt(t(3), 1, "delivered"),
    );
    expect(then.state).toMatchObject({ status: null, statusSeq: 0, accepted: null });
    expect(then.state.statusTimes).toEqual({});
    expect(then.notifications).toEqual([]);
  });

  it("when MessageAccepted arrives last, every status the facts support is derived in order, at the facts' times", () => {
    const then = given(
      e.submitted(t(2), 2),
      e.receipt(t(4), 2, "delivered"),
      e.receipt(t(3), 1, "delivered"),
    ).when(e.accepted(t(0), { parts: 2 }));
    expect(then.notifications).toMatchObject([
      { status: "queued", sequence: 1, occurredAt: t(0) },
      { status: "sent", sequence: 2, occurredAt: t(2) },
      { status: "delivered", sequence: 3, occurredAt: t(4) },
    ]);
    expect(then.state.statusTimes).toEqual({ queued: t(0), sent: t(2), delivered: t(4) });
  });

  it("when a failure and an undelivered receipt are both known at acceptance, the one that occurred first wins", () => {
    const then = given(e.receipt(t(3), 1, "undelivered", "011"), e.failed(t(2), "no_route")).when(
      e.accepted(t(0)),
    );
    expect(then.state).toMatchObject({ status: "failed", errorCode: "no_route" });
  });
});

describe("the order of arrival does not matter", () => {
  const threeParts = [
    e.accepted(t(0), { parts: 3, cost: 1260 }),
    e.charged(t(0), 3),
    e.routed(t(1)),
    e.submitted(t(2), 3),
    e.receipt(t(5), 1, "delivered"),
    e.receipt(t(3), 2, "delivered"),
    e.receipt(t(4), 3, "delivered"),
  ];

  /** The projection without what depends on the path taken: how many changes, and whether sent was seen. */
  const facts = ({ statusSeq, statusTimes, ...rest }: MessageState) => ({
    ...rest,
    finalAt: statusTimes.delivered ?? statusTimes.undelivered,
    queuedAt: statusTimes.queued,
  });

  it("when a 3-part message's events arrive in any of the 5,040 orders, they end in the same projection with strictly increasing sequences", () => {
    const inOrder = given().when(...threeParts);
    expect(statuses(inOrder)).toEqual(["1:queued", "2:sent", "3:delivered"]);
    expect(inOrder.state.statusTimes).toEqual({ queued: t(0), sent: t(2), delivered: t(5) });

    for (const order of permutations(threeParts)) {
      const then = given().when(...order);
      expect(facts(then.state)).toEqual(facts(inOrder.state));
      const sequences = then.notifications.map((n) => n.sequence);
      expect(sequences).toEqual(sequences.map((_, i) => i + 1));
      expect(then.state.statusSeq).toBe(sequences.length);
      expect(then.notifications.at(0)).toMatchObject({ status: "queued", occurredAt: t(0) });
      expect(then.notifications.at(-1)).toMatchObject({ status: "delivered", occurredAt: t(5) });
      // sent is reported only when it was known before the final status.
      expect([undefined, t(2)]).toContain(then.state.statusTimes.sent);
    }
  });

  it("when one part is undelivered, every order ends undelivered", () => {
    const events = [...threeParts.slice(0, 5), e.receipt(t(3), 2, "undelivered", "011")];
    for (const order of permutations(events)) {
      const then = given().when(...order);
      expect(then.state).toMatchObject({ status: "undelivered", errorCode: "rejected" });
      expect(then.notifications.at(-1)).toMatchObject({ status: "undelivered", occurredAt: t(3) });
    }
  });

  it("when times differ in precision, they are compared as instants", () => {
    const then = given(e.accepted("2026-11-24T10:00:00Z", { parts: 2 })).when(
      e.receipt("2026-11-24T10:00:01.5Z", 1, "delivered"),
      e.receipt("2026-11-24T10:00:01Z", 2, "delivered"),
    );
    expect(then.state.statusTimes.delivered).toBe("2026-11-24T10:00:01.5Z");
    expect(then.state.updatedAt).toBe("2026-11-24T10:00:01.5Z");
  });
});

describe("status change notifications", () => {
  it("when a status changes, the notification carries what a webhook needs and matches the contract", () => {
    const trace = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
    const then = given(e.accepted(t(0), { parts: 2, cost: 840, reference: "r-9" })).when({
      ...e.failed(t(1), "no_route"),
      trace,
    });
    const [change] = then.notifications;
    expect(change).toEqual({
      type: "MessageStatusChanged",
      version: 1,
      messageId: ID,
      accountId: "acc_1",
      status: "failed",
      sequence: 2,
      occurredAt: t(1),
      toNumber: "+37256789045",
      fromNumber: "MyApp",
      parts: 2,
      cost: 840,
      currency: "EUR",
      errorCode: "no_route",
      reference: "r-9",
      callbackUrl: "https://example.com/hook",
      trace,
    });
    expect(MessageStatusChanged.safeParse(change).success).toBe(true);
  });

  it("when a change is queued, or its message has no callback URL, it is not reported", () => {
    const withCallback = given().when(e.accepted(t(0)), e.submitted(t(1)));
    const reported = (folded: ReturnType<typeof foldMessage>) =>
      folded.notifications.map((n) => isReported(folded.state, n));
    expect(reported(withCallback)).toEqual([false, true]);
    const without = given().when(e.accepted(t(0), { callbackUrl: null }), e.submitted(t(1)));
    expect(reported(without)).toEqual([false, false]);
  });

  it("when the message asks for final reports only, sent is not reported and the final is", () => {
    const finalOnly = given().when(
      e.accepted(t(0), { callbackStatuses: ["delivered", "undelivered", "expired", "failed"] }),
      e.submitted(t(1)),
      e.receipt(t(2), 1, "delivered"),
    );
    expect(
      finalOnly.notifications.filter((n) => isReported(finalOnly.state, n)).map((n) => n.status),
    ).toEqual(["delivered"]);
  });

  it("when the message came over SMPP asking for receipts, its final status is reported even without a callback URL, and the change says so", () => {
    const reported = (folded: ReturnType<typeof foldMessage>) =>
      folded.notifications.filter((n) => isReported(folded.state, n));
    const smpp = given().when(
      e.accepted(t(0), { callbackUrl: null, smppReceipt: "final" }),
      e.submitted(t(1)),
      e.receipt(t(2), 1, "delivered"),
    );
    expect(reported(smpp)).toMatchObject([
      { status: "delivered", callbackUrl: null, smppReceipt: "final" },
    ]);
    const failureOnly = (outcome: "delivered" | "undelivered") =>
      reported(
        given().when(
          e.accepted(t(0), { callbackUrl: null, smppReceipt: "failure" }),
          e.submitted(t(1)),
          e.receipt(t(2), 1, outcome),
        ),
      ).map((n) => n.status);
    expect(failureOnly("delivered")).toEqual([]);
    expect(failureOnly("undelivered")).toEqual(["undelivered"]);
  });

  it("when a message that wants SMPP receipts has a validity, its status changes carry it (also derived again); any other message's carry none", () => {
    const validUntil = t(59);
    const smpp = given().when(
      e.accepted(t(0), { callbackUrl: null, smppReceipt: "final", validUntil }),
      e.submitted(t(1)),
      e.receipt(t(2), 1, "delivered"),
    );
    expect(smpp.notifications.map((n) => n.validUntil)).toEqual([
      validUntil,
      validUntil,
      validUntil,
    ]);
    expect(statusChangesOf(smpp.state).map((n) => n.validUntil)).toEqual([
      validUntil,
      validUntil,
      validUntil,
    ]);
    const http = given().when(e.accepted(t(0), { validUntil }), e.submitted(t(1)));
    // Kept for every message (GET shows it), carried on the changes of an SMPP sender's only.
    expect(http.state.accepted?.validUntil).toBe(validUntil);
    expect(http.notifications.every((n) => !("validUntil" in n))).toBe(true);
    const noValidity = given().when(e.accepted(t(0), { smppReceipt: "final" }));
    expect(noValidity.notifications.every((n) => !("validUntil" in n))).toBe(true);
  });

  it("when the message asks for sent only, its final status is not reported", () => {
    const sentOnly = given().when(
      e.accepted(t(0), { callbackStatuses: ["sent"] }),
      e.submitted(t(1)),
      e.receipt(t(2), 1, "undelivered"),
    );
    expect(
      sentOnly.notifications.filter((n) => isReported(sentOnly.state, n)).map((n) => n.status),
    ).toEqual(["sent"]);
  });
});

describe("status changes derived again from a projection (a redelivery after the commit)", () => {
  it("when a message went queued, sent, delivered, the same three changes come back with their sequences and times", () => {
    const lived = given().when(
      e.accepted(t(0)),
      e.submitted(t(1)),
      e.receipt(t(2), 1, "delivered"),
    );
    expect(statusChangesOf(lived.state)).toEqual(
      lived.notifications.map(({ trace: _, ...n }) => n),
    );
  });

  it("when a message jumped straight to a final status, the derived sequence matches the fold's", () => {
    const lived = given().when(e.submitted(t(1)), e.failed(t(2)), e.accepted(t(0)));
    const derived = statusChangesOf(lived.state).map(
      (n) => `${n.sequence}:${n.status}:${n.errorCode}`,
    );
    const folded = lived.notifications.map((n) => `${n.sequence}:${n.status}:${n.errorCode}`);
    expect(derived).toEqual(folded);
  });

  it("when the message was never accepted, nothing is derived", () => {
    expect(statusChangesOf(given(e.submitted(t(1))).state)).toEqual([]);
  });

  it("when the validity runs out before any final receipt, the message ends expired (errorCode expired), and a late receipt changes nothing", () => {
    const then = given(e.accepted(t(0)), e.submitted(t(1))).when(
      e.validityExpired(t(5)),
      e.receipt(t(6), 1, "delivered"),
    );
    expect(then.state).toMatchObject({
      status: "expired",
      validityExpiredAt: t(5),
      errorCode: "expired",
    });
    expect(statuses(then)).toEqual(["3:expired"]);
  });

  it("when a receipt or failure carries the code the connector or routing mapped, that code is the message's; the raw one is not", () => {
    const mapped = e.receipt(t(2), 1, "undelivered", "004");
    if (mapped.type !== "ReceiptReceived") throw new Error("a receipt");
    const receipt = { ...mapped, data: { ...mapped.data, publicErrorCode: "blocked_by_carrier" } };
    const then = given(e.accepted(t(0)), e.submitted(t(1))).when(receipt);
    expect(then.state.errorCode).toBe("blocked_by_carrier");
    const failed = given(e.accepted(t(0))).when(e.failed(t(1), "0x0000000b")).state;
    // An old failure event (no publicErrorCode, reason no_route) reads by its reason.
    expect(failed.errorCode).toBe("no_route");
  });

  it("when a refund is recorded, the status does not move", () => {
    const then = given(e.accepted(t(0))).when(e.refunded(t(1)));
    expect(then.state.status).toBe("queued");
    expect(then.notifications).toEqual([]);
  });
});
