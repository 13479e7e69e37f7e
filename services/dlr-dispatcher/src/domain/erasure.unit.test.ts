import { messageIdTime, newMessageId } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { statusChange } from "../test-stack.ts";
import {
  createErasedIds,
  idsToRemember,
  ifErased,
  LATE_REPORT_HORIZON_MS,
  withErasures,
} from "./erasure.ts";
import type { AddressedInbound, ReportedChange } from "./report.ts";

const report = statusChange("acc_1", "https://hooks.example/a") as ReportedChange;
const inbound: AddressedInbound = {
  type: "InboundDelivery",
  version: 1,
  id: "in_01JD0000000000000000000001",
  accountId: "acc_1",
  url: "https://hooks.example/mo",
  from: "+37256785555",
  to: "+37250000001",
  text: "call me",
  parts: 1,
  receivedAt: "2026-12-06T10:00:00.000Z",
};
const jobOf = (change: ReportedChange | AddressedInbound) => ({
  messageId: change.type === "InboundDelivery" ? change.id : change.messageId,
  change,
});

describe("a report that comes in after its message was erased", () => {
  it("when its message is known erased, it goes out with the number masked; an erased inbound message is not sent; others are untouched", () => {
    const other = statusChange("acc_1", "https://hooks.example/a") as ReportedChange;
    const erased = new Set([report.messageId, inbound.id]);
    const out = withErasures([jobOf(report), jobOf(inbound), jobOf(other)], (id) => erased.has(id));
    expect(out.map((job) => job.change)).toEqual([{ ...report, toNumber: "+3725678****" }, other]);
  });

  it("when the queue's insert finds the message erased, it puts the masked number in, or drops an inbound delivery", () => {
    expect(ifErased(report)).toEqual({ maskedNumber: "+3725678****", drop: false });
    expect(ifErased(inbound)).toEqual({ maskedNumber: null, drop: true });
  });

  it("when an erased message was made longer ago than a status change can still arrive, it is not remembered", () => {
    const recent = newMessageId();
    const now = Date.now() + 60_000;
    const old = "msg_01D00000000000000000000000"; // made in 2019
    expect(messageIdTime(old)).toBeLessThan(now - LATE_REPORT_HORIZON_MS);
    expect(idsToRemember([recent, old, inbound.id], now)).toEqual([recent, inbound.id]);
  });
});

describe("the erased ids kept in memory", () => {
  it("when an id's time is up, or more ids come than fit, the oldest are forgotten", () => {
    const ids = createErasedIds({ capacity: 2, keepMs: 1_000 });
    ids.add(["msg_a"], 0);
    expect(ids.has("msg_a", 999)).toBe(true);
    expect(ids.has("msg_a", 1_000)).toBe(false);
    ids.add(["msg_b", "msg_c"], 10);
    ids.add(["msg_d"], 20);
    expect(["msg_a", "msg_b", "msg_c", "msg_d"].map((id) => ids.has(id, 30))).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(ids.size).toBe(2);
  });
});
