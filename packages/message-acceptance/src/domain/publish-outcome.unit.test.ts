import { describe, expect, it } from "vitest";
import { mayPublish, outcomeOfPublish, outcomeUnknown } from "./publish-outcome.ts";

const charged = Date.parse("2026-12-06T10:00:00.000Z");
const publishBy = "2026-12-06T10:01:00.000Z";
const at = (iso: string) => Date.parse(iso);

describe("publishing an accepted event (ADR 0022)", () => {
  it("when the charge's window is open, it may be published", () => {
    expect(mayPublish(publishBy, charged, at("2026-12-06T10:00:00.010Z"))).toBe(true);
  });

  it("when the window is closed or within the clocks' margin of closing, it is not published", () => {
    expect(mayPublish(publishBy, charged, at("2026-12-06T10:00:59.500Z"))).toBe(false);
    expect(mayPublish(publishBy, charged, at("2026-12-06T10:04:00.000Z"))).toBe(false);
  });

  it("when pricing gave no publishBy (an older pricing), it may always be published and an ack stands", () => {
    expect(mayPublish(undefined, charged, at("2030-01-01T00:00:00Z"))).toBe(true);
    expect(outcomeOfPublish(undefined, charged, at("2030-01-01T00:00:00Z"))).toBe("stored");
  });

  it("when JetStream acknowledged in time, the message is accepted", () => {
    expect(outcomeOfPublish(publishBy, charged, at("2026-12-06T10:00:00.020Z"))).toBe("stored");
  });

  it("when the acknowledgement never came, the outcome is unknown, never a failure", () => {
    expect(outcomeOfPublish(publishBy, charged, null)).toBe("unknown");
  });

  it("when every attempt found no stream (no responders), nothing is stored: not accepted", () => {
    expect(outcomeOfPublish(publishBy, charged, "not_stored")).toBe("not_stored");
  });

  it("when the acknowledgement came too close to publishBy, the copy may be void: unknown", () => {
    expect(outcomeOfPublish(publishBy, charged, at("2026-12-06T10:00:59.900Z"))).toBe("unknown");
  });

  it("when the window is short (a test or a drill), the margin shrinks to a quarter of it", () => {
    const short = "2026-12-06T10:00:00.400Z";
    expect(mayPublish(short, charged, at("2026-12-06T10:00:00.200Z"))).toBe(true);
    expect(outcomeOfPublish(short, charged, at("2026-12-06T10:00:00.350Z"))).toBe("unknown");
  });

  it("when the outcome is unknown, the answer is a retryable 503 naming the message", () => {
    expect(outcomeUnknown("msg_1")).toMatchObject({
      status: "outcome_unknown",
      messageId: "msg_1",
      retryAfterSec: 5,
    });
  });
});
