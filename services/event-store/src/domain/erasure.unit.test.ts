import { describe, expect, it } from "vitest";
import { erasedEventData, lateContentCandidates, retentionCutoff } from "./erasure.ts";

describe("erasing an event's data", () => {
  it("when the data carries the content, the text becomes null and the number is masked, the rest stays", () => {
    const accepted = { to: "+37256781234", from: "MyApp", text: "code 1234", parts: 1, cost: 420 };
    expect(erasedEventData(accepted)).toEqual({
      to: "+3725678****",
      from: "MyApp",
      text: null,
      parts: 1,
      cost: 420,
    });
  });

  it("when the content is nested (a refused submit's failover context), it is erased there", () => {
    const refused = {
      carrierId: "sim-a",
      retryable: true,
      failover: { content: { to: "+37256781234", text: "hi", parts: 1 }, tried: ["sim-a"] },
    };
    expect(erasedEventData(refused)).toEqual({
      carrierId: "sim-a",
      retryable: true,
      failover: { content: { to: "+3725678****", text: null, parts: 1 }, tried: ["sim-a"] },
    });
  });

  it("when the data has no content, or was erased before, it is unchanged", () => {
    const receipt = { carrierId: "sim-a", part: 1, stat: "DELIVRD", errorCode: null };
    expect(erasedEventData(receipt)).toEqual(receipt);
    const once = erasedEventData({ to: "+37256781234", text: "hi" });
    expect(erasedEventData(once)).toEqual(once);
  });
});

describe("events that could bring content back after erasure", () => {
  it("when a batch has a refused submit with its failover content, it is a candidate, erased; acceptances and events without text are not", () => {
    const content = { to: "+37256781234", text: "hi", parts: 1 };
    const candidates = lateContentCandidates([
      { eventId: "a", messageId: "m1", type: "MessageAccepted", data: content },
      { eventId: "s", messageId: "m1", type: "SubmitFailed", data: { failover: { content } } },
      { eventId: "r", messageId: "m1", type: "ReceiptReceived", data: { part: 1 } },
      { eventId: "e", messageId: "m1", type: "SubmitFailed", data: erasedEventData({ content }) },
    ]);
    expect(candidates).toEqual([
      {
        event_id: "s",
        message_id: "m1",
        data: { failover: { content: { to: "+3725678****", text: null, parts: 1 } } },
      },
    ]);
  });
});

describe("the retention cutoff", () => {
  it("when the retention is 30 days, a final status at or before 30 days ago is past it", () => {
    const now = new Date("2026-12-31T12:00:00.000Z");
    expect(retentionCutoff(30, now).toISOString()).toBe("2026-12-01T12:00:00.000Z");
    expect(retentionCutoff(0, now)).toEqual(now);
  });
});
