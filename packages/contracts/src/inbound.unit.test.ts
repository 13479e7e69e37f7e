import { describe, expect, it } from "vitest";
import { InboundDelivery, InboundMessageReceived, inboundView } from "./inbound.ts";
import { InboundApiRequest } from "./inbound-rpc.ts";
import { OptOutRecord, optOutKey } from "./opt-out.ts";

const received = {
  type: "InboundMessageReceived",
  version: 1,
  inboundId: "mo_01JD0000000000000000000001",
  carrierId: "sim-a",
  from: "+37256789045",
  to: "+37250000001",
  text: "Hi",
  dataCoding: 0,
  receivedAt: "2026-12-06T10:00:00.000Z",
};

describe("inbound contracts", () => {
  it("when an MO event of before the part field is read, it parses as a message that came alone", () => {
    const old = InboundMessageReceived.parse(received);
    expect(old.part).toBeUndefined();
    const part = InboundMessageReceived.parse({
      ...received,
      part: { ref: 300, total: 3, seq: 2 },
    });
    expect(part.part).toEqual({ ref: 300, total: 3, seq: 2 });
  });

  it("when a part's event carries its octets, they parse as base64; events of before the field parse without them", () => {
    const part = { ...received, part: { ref: 7, total: 2, seq: 1 } };
    expect(InboundMessageReceived.parse(part).octets).toBeUndefined();
    expect(InboundMessageReceived.parse({ ...part, octets: "YSAb" }).octets).toBe("YSAb");
    expect(InboundMessageReceived.safeParse({ ...part, octets: "not base64!" }).success).toBe(
      false,
    );
  });

  it("when a part number is outside 1..255, the event is refused", () => {
    expect(
      InboundMessageReceived.safeParse({ ...received, part: { ref: 1, total: 2, seq: 0 } }).success,
    ).toBe(false);
  });

  it("when an inbound delivery is shown, the view has api.md's fields in order", () => {
    const delivery = InboundDelivery.parse({
      type: "InboundDelivery",
      version: 1,
      id: "in_01JD0000000000000000000001",
      accountId: "acc_1",
      url: null,
      from: "+37256789045",
      to: "+37250000001",
      text: "Hi",
      parts: 1,
      receivedAt: "2026-12-06T10:00:00.000Z",
    });
    expect(Object.keys(inboundView(delivery))).toEqual([
      "id",
      "from",
      "to",
      "text",
      "parts",
      "receivedAt",
    ]);
  });

  it("when ingress forwards a request, its operation decides its fields", () => {
    expect(InboundApiRequest.safeParse({ op: "numbers.list", accountId: "acc_1" }).success).toBe(
      true,
    );
    expect(InboundApiRequest.safeParse({ op: "numbers.take", accountId: "acc_1" }).success).toBe(
      false,
    );
  });

  it("when an opt-out is keyed, the + is left out (KV keys take no +)", () => {
    expect(optOutKey("acc_1", "+37256789045")).toBe("acc_1.37256789045");
    expect(
      OptOutRecord.safeParse({
        accountId: "acc_1",
        number: "+37256789045",
        since: "2026-12-06T10:00:00.000Z",
        source: "STOP",
      }).success,
    ).toBe(true);
  });
});
