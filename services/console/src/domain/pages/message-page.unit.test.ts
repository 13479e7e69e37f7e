import { describe, expect, it } from "vitest";
import { type MessagePageView, messagePage } from "./messages.ts";

const view = (over: Partial<MessagePageView> = {}): MessagePageView => ({
  messageId: "msg_01",
  accountId: "acc_a",
  status: "queued",
  to: "+37256789045",
  from: "MyApp",
  parts: 1,
  cost: 420,
  currency: "EUR",
  reference: null,
  errorCode: null,
  createdAt: "2026-12-07T10:00:00.000Z",
  updatedAt: "2026-12-07T10:00:00.000Z",
  statusTimes: { queued: "2026-12-07T10:00:00.000Z" },
  sendAt: null,
  validUntil: null,
  partOutcomes: {},
  callbackUrl: null,
  timeline: [],
  moreEvents: false,
  ...over,
});

describe("a message's page", () => {
  it("when the message is scheduled with a validity, it says for when and until when; otherwise neither", () => {
    const scheduled = messagePage(
      { csrf: "x" },
      view({ sendAt: "2026-12-07T12:00:00.000Z", validUntil: "2026-12-08T12:00:00.000Z" }),
    ).toString();
    expect(scheduled).toContain("Scheduled for");
    expect(scheduled).toContain("Valid until");
    const now = messagePage({ csrf: "x" }, view()).toString();
    expect(now).not.toContain("Scheduled for");
    expect(now).not.toContain("Valid until");
  });
});
