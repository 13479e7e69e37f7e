import type { CancelResponse } from "@smsgw/contracts";
import { type CancelOutcome, cancelScheduled, type MessageView } from "@smsgw/message-read-model";
import { describe, expect, it } from "vitest";
import {
  awaitsSendAt,
  CANCEL_NOTICES,
  type CancelNotice,
  cancelNoticeOf,
  noticeFits,
  readCancelNotice,
} from "./cancel.ts";

const NOW = Date.parse("2026-12-07T10:00:00.000Z");
const LATER = "2026-12-07T12:00:00.000Z";
const EARLIER = "2026-12-07T09:00:00.000Z";

const message = (over: Partial<MessageView>): MessageView =>
  ({
    messageId: "msg_01",
    status: "queued",
    sendAt: null,
    errorCode: null,
    ...over,
  }) as MessageView;

/** The outcome the shared decision gives for this message and routing's answer. */
function outcomeOf(view: MessageView, answer: CancelResponse | Error): Promise<CancelOutcome> {
  return cancelScheduled(
    {
      getMessage: async () => view,
      askRouting: async () => {
        if (answer instanceof Error) throw answer;
        return answer;
      },
      now: () => NOW,
    },
    "acc_a",
    "msg_01",
  );
}

async function noticeOf(view: MessageView, answer: CancelResponse | Error): Promise<CancelNotice> {
  const outcome = await outcomeOf(view, answer);
  if (outcome.kind === "not_found") throw new Error("not found");
  return cancelNoticeOf(outcome);
}

describe("canceling a scheduled message from its page", () => {
  it("when a message is queued with its sendAt to come, the page offers the cancel; otherwise not", () => {
    expect(awaitsSendAt({ status: "queued", sendAt: LATER }, NOW)).toBe(true);
    expect(awaitsSendAt({ status: "queued", sendAt: EARLIER }, NOW)).toBe(false);
    expect(awaitsSendAt({ status: "queued", sendAt: null }, NOW)).toBe(false);
    expect(awaitsSendAt({ status: "sent", sendAt: LATER }, NOW)).toBe(false);
    expect(awaitsSendAt({ status: "failed", sendAt: LATER }, NOW)).toBe(false);
  });

  it("when routing cancels it, or it was canceled before, the notice says canceled", async () => {
    const waiting = message({ sendAt: LATER });
    expect(await noticeOf(waiting, { outcome: "canceled" })).toBe("canceled");
    const before = message({ status: "failed", errorCode: "canceled", sendAt: LATER });
    expect(await noticeOf(before, { outcome: "canceled" })).toBe("canceled");
  });

  it("when the shared decision says it is not cancelable, the notice names each of its reasons", async () => {
    expect(await noticeOf(message({}), { outcome: "canceled" })).toBe("not_scheduled");
    expect(await noticeOf(message({ status: "delivered", sendAt: LATER }), new Error())).toBe(
      "on_its_way_or_final",
    );
    expect(await noticeOf(message({ sendAt: LATER }), { outcome: "released" })).toBe("on_its_way");
    expect(await noticeOf(message({ sendAt: EARLIER }), { outcome: "not_scheduled" })).toBe(
      "on_its_way",
    );
  });

  it("when routing does not hold it yet, or does not answer, the notice says to try again, or that it may have taken effect", async () => {
    const waiting = message({ sendAt: LATER });
    expect(await noticeOf(waiting, { outcome: "not_scheduled" })).toBe("not_held_yet");
    expect(CANCEL_NOTICES.not_held_yet).toContain("Try again in a moment");
    expect(await noticeOf(waiting, new Error("no responders"))).toBe("unanswered");
    expect(await noticeOf(waiting, { outcome: "error", reason: "db down" })).toBe("unanswered");
    expect(CANCEL_NOTICES.unanswered).toContain("may have taken effect");
  });

  it("when the page's query names a notice it is shown, and anything else is ignored", () => {
    expect(readCancelNotice("not_held_yet")).toBe("not_held_yet");
    expect(readCancelNotice("<script>")).toBeUndefined();
    expect(readCancelNotice("toString")).toBeUndefined();
    expect(readCancelNotice(["canceled"])).toBeUndefined();
    expect(readCancelNotice(undefined)).toBeUndefined();
  });
});

describe("a notice named by a link", () => {
  it("when it says canceled of a message never scheduled or gone out, or not scheduled of a scheduled one, the page does not show it", () => {
    expect(noticeFits("canceled", message({ sendAt: LATER }))).toBe(true);
    expect(
      noticeFits("canceled", message({ status: "failed", errorCode: "canceled", sendAt: LATER })),
    ).toBe(true);
    expect(noticeFits("canceled", message({ status: "delivered", sendAt: LATER }))).toBe(false);
    expect(noticeFits("canceled", message({}))).toBe(false);
    expect(noticeFits("not_scheduled", message({}))).toBe(true);
    expect(noticeFits("not_scheduled", message({ sendAt: LATER }))).toBe(false);
    expect(noticeFits("on_its_way", message({ status: "sent", sendAt: EARLIER }))).toBe(true);
    expect(noticeFits("unanswered", message({}))).toBe(false);
  });
});
