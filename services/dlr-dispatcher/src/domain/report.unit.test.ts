import type { MessageStatusChanged } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { reportBody, shouldReport, webhookIdFor, webhookOf } from "./report.ts";

const change: MessageStatusChanged = {
  type: "MessageStatusChanged",
  version: 1,
  messageId: "msg_01JD0000000000000000000000",
  accountId: "acc_1",
  status: "delivered",
  sequence: 3,
  occurredAt: "2026-11-24T10:00:00.123Z",
  toNumber: "+37256789045",
  fromNumber: "MyApp",
  parts: 3,
  cost: 1260,
  currency: "EUR",
  errorCode: null,
  reference: "order-7",
  callbackUrl: "https://example.com/dlr?key=secret",
  trace: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
};

describe("report body", () => {
  it("when a change is reported, the body has exactly the fields of api.md section 4, in order, marked type status", () => {
    const body = JSON.stringify(reportBody(change));
    expect(body).toBe(
      '{"type":"status","messageId":"msg_01JD0000000000000000000000","status":"delivered",' +
        '"toNumber":"+37256789045","fromNumber":"MyApp","parts":3,"cost":0.126,' +
        '"currency":"EUR","errorCode":null,"reference":"order-7","sequence":3,' +
        '"occurredAt":"2026-11-24T10:00:00.123Z"}',
    );
  });

  it("when a change folded before the documented codes holds a carrier's raw code, the body says the documented one", () => {
    const undelivered = { ...change, status: "undelivered" as const };
    expect(reportBody({ ...undelivered, errorCode: "001" }).errorCode).toBe("unknown_subscriber");
    expect(reportBody({ ...undelivered, errorCode: "0x00000058" }).errorCode).toBe("carrier_error");
    expect(reportBody({ ...undelivered, errorCode: "unreachable" }).errorCode).toBe("unreachable");
  });

  it("when the cost is a sum of units, it is a JSON number with no float noise", () => {
    expect(reportBody({ ...change, cost: 3000 }).cost).toBe(0.3);
  });

  it("when a change is queued or has no callback URL, it is not reported", () => {
    expect(shouldReport(change)).toBe(true);
    expect(shouldReport({ ...change, status: "sent" })).toBe(true);
    expect(shouldReport({ ...change, status: "queued" })).toBe(false);
    expect(shouldReport({ ...change, callbackUrl: null })).toBe(false);
  });

  it("when a report is retried, its webhook id stays the same; another sequence gets another id", () => {
    expect(webhookIdFor(change)).toBe(webhookIdFor({ ...change }));
    expect(webhookIdFor({ ...change, sequence: 4 })).not.toBe(webhookIdFor(change));
  });
});

describe("inbound webhook", () => {
  const delivery = {
    type: "InboundDelivery" as const,
    version: 1 as const,
    id: "in_01JD0000000000000000000000",
    accountId: "acc_1",
    url: "https://example.com/mo",
    from: "+37256789045",
    to: "+37250000001",
    text: "Hello",
    parts: 2,
    receivedAt: "2026-11-24T10:00:00.123Z",
  };

  it("when an inbound message is delivered, the body is api.md section 5's, under its own id", () => {
    const webhook = webhookOf(delivery);
    expect(JSON.stringify(webhook.body)).toBe(
      '{"type":"inbound","id":"in_01JD0000000000000000000000","from":"+37256789045",' +
        '"to":"+37250000001","text":"Hello","parts":2,"receivedAt":"2026-11-24T10:00:00.123Z"}',
    );
    expect(webhook).toMatchObject({
      url: "https://example.com/mo",
      webhookId: delivery.id,
      occurredAt: delivery.receivedAt,
    });
  });

  it("when a status change is delivered, it goes to its callback URL under its status-change id", () => {
    const reported = { ...change, callbackUrl: "https://example.com/dlr" };
    expect(webhookOf(reported)).toMatchObject({
      url: "https://example.com/dlr",
      webhookId: webhookIdFor(change),
      occurredAt: change.occurredAt,
    });
  });
});
