import type { MessageView } from "@smsgw/message-read-model";
import { describe, expect, it } from "vitest";
import { queryAnswerOf, sameSource } from "./message-query.ts";

const view = (overrides: Partial<MessageView> = {}): MessageView => ({
  messageId: "msg_01",
  accountId: "acc_1",
  status: "queued",
  to: "+37256789045",
  from: "MyApp",
  parts: 1,
  cost: 420,
  currency: "EUR",
  reference: null,
  errorCode: null,
  createdAt: "2026-12-07T10:00:00.000Z",
  updatedAt: "2026-12-07T10:00:01.000Z",
  statusTimes: { queued: "2026-12-07T10:00:00.000Z" },
  sendAt: null,
  validUntil: null,
  ...overrides,
});

describe("query_sm's answer", () => {
  it("when the message is not final (waiting for its sendAt or with a carrier), it is ENROUTE with no final date", () => {
    for (const status of ["queued", "sent"] as const) {
      expect(queryAnswerOf(view({ status }))).toEqual({
        messageState: 1,
        finalDate: "",
        errorCode: 0,
      });
    }
  });

  it("when the message is final, its state, time and err are its receipt's", () => {
    const at = "2026-12-07T10:00:09.300Z";
    const final = (status: MessageView["status"], errorCode: MessageView["errorCode"]) =>
      queryAnswerOf(view({ status, errorCode, statusTimes: { [status]: at } }));
    expect(final("delivered", null)).toEqual({
      messageState: 2,
      finalDate: "261207100009300+",
      errorCode: 0,
    });
    expect(final("expired", "expired")).toMatchObject({ messageState: 3, errorCode: 4 });
    expect(final("undelivered", "unknown_subscriber")).toMatchObject({
      messageState: 5,
      errorCode: 2,
    });
    expect(final("failed", "no_route")).toMatchObject({ messageState: 8, errorCode: 6 });
    // Canceled by its account (ADR 0030): DELETED, as cancel_sm's messages are.
    expect(final("failed", "canceled")).toMatchObject({ messageState: 4, errorCode: 10 });
    expect(final("undelivered", null)).toMatchObject({ messageState: 5, errorCode: 99 });
  });

  it("when a final message has no time for its status (folded before it was kept), its last change's is taken", () => {
    expect(queryAnswerOf(view({ status: "delivered", statusTimes: {} })).finalDate).toBe(
      "261207100001000+",
    );
  });
});

describe("a query's or cancel's source_addr", () => {
  it("when it is empty, it is not checked; a number matches with or without its +", () => {
    expect(sameSource("", "MyApp")).toBe(true);
    expect(sameSource("MyApp", "MyApp")).toBe(true);
    expect(sameSource("+37256789045", "37256789045")).toBe(true);
    expect(sameSource("37256789045", "+37256789045")).toBe(true);
  });

  it("when it names another sender, it does not match", () => {
    expect(sameSource("Other", "MyApp")).toBe(false);
    expect(sameSource("myapp", "MyApp")).toBe(false);
    expect(sameSource("37256789046", "37256789045")).toBe(false);
  });
});
