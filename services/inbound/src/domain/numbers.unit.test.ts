import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { noNumberMessage, numberResource, parseInventoryEntry } from "./numbers.ts";

describe("the number inventory", () => {
  it("when the operator adds a number, it is stored in E.164 with its country", () => {
    expect(
      parseInventoryEntry({ number: "+372 5000 0001", carrierId: "sim-a", simulator: "true" }),
    ).toEqual({
      ok: true,
      value: { number: "+37250000001", carrierId: "sim-a", country: "EE", simulator: true },
    });
  });

  it("when the number or carrier is malformed, the entry is refused saying which", () => {
    const bad = parseInventoryEntry({ number: "hello", carrierId: "sim-a" });
    expect(bad.ok || bad.message).toMatch(/^number: /);
    const carrier = parseInventoryEntry({ number: "+37250000001", carrierId: "Sim A" });
    expect(carrier.ok || carrier.message).toMatch(/^carrierId: /);
  });

  it("when a number is shown to its account, it is the resource of api.md section 5", () => {
    const takenAt = new Date("2026-12-06T10:00:00.000Z");
    expect(
      numberResource({
        number: "+37250000001",
        carrierId: "sim-a",
        country: "EE",
        simulator: true,
        accountId: "acc_1",
        inboundUrl: null,
        takenAt,
      }),
    ).toEqual({
      number: "+37250000001",
      country: "EE",
      inboundUrl: null,
      createdAt: "2026-12-06T10:00:00.000Z",
    });
  });

  it("when no number fits a test account, the message says it gets simulator numbers only", () => {
    expect(noNumberMessage({ country: "EE", test: true })).toMatch(/simulator numbers/);
    expect(noNumberMessage({ number: "+37250000001", test: false })).toBe(
      "+37250000001 is not free",
    );
  });

  it("when a cursor is handed out, it reads back; anything else is no cursor", () => {
    const cursor = { receivedAt: "2026-12-06T10:00:00.000Z", id: "in_01JD0000000000000000000001" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor("garbage")).toBeNull();
  });
});
