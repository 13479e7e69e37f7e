import { isMessageId } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { testMessageId, testReportBody, testTargetOf, testWebhookId } from "./test-report.ts";

describe("a test report", () => {
  it("when built, it is marked as a test and its messageId is no message's", () => {
    const id = testMessageId("msg_01JDZ6Q1ZK8Y0V3N5W7X9A2B4C");
    expect(id).toBe("msg_test_01JDZ6Q1ZK8Y0V3N5W7X9A2B4C");
    expect(isMessageId(id)).toBe(false);
    const body = testReportBody(id, { currency: "EUR" }, new Date("2026-11-25T06:00:00Z"));
    expect(body).toMatchObject({
      test: true,
      messageId: id,
      status: "delivered",
      sequence: 0,
      cost: 0,
      currency: "EUR",
      occurredAt: "2026-11-25T06:00:00.000Z",
    });
    expect(testWebhookId(id)).toBe(`${id}:test`);
  });

  it("when the account has no default URL, is disabled or unknown, nothing is sent", () => {
    expect(testTargetOf(undefined).send).toBe(false);
    expect(testTargetOf({ status: "active" }).send).toBe(false);
    expect(testTargetOf({ status: "active", defaultCallbackUrl: null }).send).toBe(false);
    expect(
      testTargetOf({ status: "disabled", defaultCallbackUrl: "https://x.example/" }).send,
    ).toBe(false);
    expect(testTargetOf({ status: "active", defaultCallbackUrl: "https://x.example/r" })).toEqual({
      send: true,
      url: "https://x.example/r",
    });
  });
});
