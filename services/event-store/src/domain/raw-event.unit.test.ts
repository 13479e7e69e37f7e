import { describe, expect, it } from "vitest";
import { messageEvents } from "../testing/message-events.ts";
import { unpack } from "./raw-event.ts";

const publishBy = "2026-12-06T10:01:00.000Z";
const accepted = messageEvents("msg_fence").accepted("2026-12-06T10:00:00.000Z", { publishBy });

describe("unpacking a delivery (the acceptance fence, ADR 0022)", () => {
  it("when a MessageAccepted was stored before its publishBy, it is logged and folded", () => {
    const { events } = unpack(accepted, Date.parse("2026-12-06T10:00:30.000Z"));
    expect(events).toHaveLength(1);
    expect(events[0]?.known?.type).toBe("MessageAccepted");
  });

  it("when a MessageAccepted was stored after its publishBy, it is logged as published and folded never", () => {
    const { events } = unpack(accepted, Date.parse("2026-12-06T10:01:00.001Z"));
    expect(events[0]?.raw).toMatchObject({ eventId: accepted.eventId, data: { publishBy } });
    expect(events[0]?.known).toBeNull();
  });

  it("when the same late copy comes inside an envelope, it is void too", () => {
    const batch = { type: "EventBatch" as const, version: 1 as const, events: [accepted] };
    const { events } = unpack(batch, Date.parse("2026-12-06T10:05:00.000Z"));
    expect(events[0]?.known).toBeNull();
  });
});
