import { describe, expect, it } from "vitest";
import type { MessageRow } from "./message-row.ts";
import { publicPartOutcomes, viewOfRow } from "./message-view.ts";

const at = (second: number) => new Date(Date.UTC(2026, 11, 5, 10, 0, second));
const row = (over: Partial<MessageRow> = {}): MessageRow => ({
  message_id: "msg_01",
  account_id: "acc_a",
  to_number: "+37256789045",
  from_number: "MyApp",
  parts: 2,
  cost: "8400",
  currency: "EUR",
  reference: null,
  callback_url: null,
  created_at: at(0),
  send_at: null,
  valid_until: null,
  smpp_valid_until: null,
  part_outcomes: {},
  status: "delivered",
  error_code: null,
  queued_at: at(0),
  sent_at: at(1),
  delivered_at: at(3),
  undelivered_at: null,
  expired_at: null,
  failed_at: null,
  updated_at: at(3),
  ...over,
});

describe("viewOfRow", () => {
  it("when a message reached queued, sent and delivered, the view says when each was reached", () => {
    expect(viewOfRow(row())).toEqual({
      messageId: "msg_01",
      accountId: "acc_a",
      status: "delivered",
      to: "+37256789045",
      from: "MyApp",
      parts: 2,
      cost: 8400,
      currency: "EUR",
      reference: null,
      errorCode: null,
      createdAt: at(0).toISOString(),
      updatedAt: at(3).toISOString(),
      statusTimes: {
        queued: at(0).toISOString(),
        sent: at(1).toISOString(),
        delivered: at(3).toISOString(),
      },
      sendAt: null,
      validUntil: null,
    });
  });

  it("when the message was scheduled with a validity, the view says so; a row folded before every message's was kept shows an SMPP sender's", () => {
    expect(viewOfRow(row({ send_at: at(10), valid_until: at(20) }))).toMatchObject({
      sendAt: at(10).toISOString(),
      validUntil: at(20).toISOString(),
    });
    expect(viewOfRow(row({ smpp_valid_until: at(30) })).validUntil).toBe(at(30).toISOString());
  });

  it("when the row was never updated after it was created, updatedAt is createdAt", () => {
    expect(viewOfRow(row({ updated_at: null })).updatedAt).toBe(at(0).toISOString());
  });

  it("when a row folded before the documented codes holds a carrier's raw code, the view and the part outcomes show the documented one", () => {
    const old = row({
      status: "undelivered",
      error_code: "001",
      part_outcomes: {
        "1": { status: "delivered", at: at(2).toISOString(), errorCode: null },
        "2": { status: "undelivered", at: at(3).toISOString(), errorCode: "001" },
      },
    });
    expect(viewOfRow(old).errorCode).toBe("unknown_subscriber");
    expect(viewOfRow(row({ status: "failed", error_code: "0x0000000b" })).errorCode).toBe(
      "invalid_number",
    );
    expect(publicPartOutcomes(old.part_outcomes)).toEqual({
      "1": { status: "delivered", at: at(2).toISOString(), errorCode: null },
      "2": { status: "undelivered", at: at(3).toISOString(), errorCode: "unknown_subscriber" },
    });
  });
});
