import { describe, expect, it } from "vitest";
import { CANCEL_NOTICES } from "../cancel.ts";
import type { Role } from "../roles.ts";
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
  cancelable: false,
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

  it("when the message waits for its sendAt, an owner or developer gets the cancel form with the CSRF token; a viewer or billing user does not", () => {
    const scheduled = view({ sendAt: "2026-12-07T12:00:00.000Z", cancelable: true });
    const page = (role: Role) =>
      messagePage({ csrf: "tok", role, email: "a@b.c" }, scheduled).toString();
    for (const role of ["owner", "developer"] as const) {
      expect(page(role)).toContain('action="/messages/msg_01/cancel"');
      expect(page(role)).toContain('name="_csrf" value="tok"');
      expect(page(role)).toContain("Cancel scheduled message");
    }
    for (const role of ["viewer", "billing"] as const) {
      expect(page(role)).not.toContain("Cancel scheduled message");
    }
  });

  it("when the message does not wait for its sendAt, no one gets the cancel form", () => {
    const past = view({ sendAt: "2026-12-07T09:00:00.000Z", cancelable: false });
    const page = messagePage({ csrf: "tok", role: "owner" }, past).toString();
    expect(page).toContain("Scheduled for");
    expect(page).not.toContain("Cancel scheduled message");
  });

  it("when a cancel came back, its notice is shown, and once canceled the form is not", () => {
    const waiting = view({ sendAt: "2026-12-07T12:00:00.000Z", cancelable: true });
    const canceled = messagePage(
      { csrf: "tok", role: "owner" },
      { ...waiting, cancelNotice: "canceled" },
    ).toString();
    expect(canceled).toContain('class="notice" role="status"');
    expect(canceled).toContain("Canceled: the message will not be sent.");
    expect(canceled).not.toContain("Cancel scheduled message");
    const later = messagePage(
      { csrf: "tok", role: "owner" },
      { ...waiting, cancelNotice: "not_held_yet" },
    ).toString();
    expect(later).toContain('class="problems" role="alert"');
    expect(later).toContain(CANCEL_NOTICES.not_held_yet);
    expect(later).toContain("Cancel scheduled message");
  });
});
