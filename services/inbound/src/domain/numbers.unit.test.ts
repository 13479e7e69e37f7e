import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import {
  type InventoryNumber,
  noNumberMessage,
  numberResource,
  parseInventoryEntry,
  restsUntil,
} from "./numbers.ts";

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
        releasedAt: null,
        releasedBy: null,
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

  it("when a number was released, it rests for the quarantine unless it is a simulator's or held again", () => {
    const releasedAt = new Date("2026-12-01T00:00:00.000Z");
    const free: InventoryNumber = {
      number: "+37250000001",
      carrierId: "sim-a",
      country: "EE",
      simulator: false,
      accountId: null,
      inboundUrl: null,
      takenAt: null,
      releasedAt,
      releasedBy: "acc_1",
    };
    const day = 86_400_000;
    const until = new Date(releasedAt.getTime() + 30 * day);
    expect(restsUntil(free, new Date(releasedAt.getTime() + day), 30 * day)).toEqual(until);
    expect(restsUntil(free, until, 30 * day)).toBeNull();
    expect(restsUntil({ ...free, simulator: true }, releasedAt, 30 * day)).toBeNull();
    expect(restsUntil({ ...free, accountId: "acc_2" }, releasedAt, 30 * day)).toBeNull();
    expect(restsUntil({ ...free, releasedAt: null }, releasedAt, 30 * day)).toBeNull();
    expect(restsUntil(free, releasedAt, 0)).toBeNull();
  });

  it("when the number asked for is resting, the message says until when and why", () => {
    expect(
      noNumberMessage({ number: "+37250000001", test: false }, new Date("2027-01-01T00:00:00Z")),
    ).toMatch(
      /^\+37250000001 was given back by another account and rests until 2027-01-01T00:00:00.000Z/,
    );
  });

  it("when a cursor of ours has its time edited into no instant Postgres takes, it is no cursor", () => {
    const id = "in_01JD0000000000000000000001";
    // Date.parse takes each of these (rolling 31 February over into March, reading "1" as
    // 2001), and Postgres's timestamptz refuses each: the list would fail, not say why.
    for (const receivedAt of [
      "2026-02-31T10:00:00.000Z",
      "0000-01-01T00:00:00.000Z",
      "1",
      "2026",
    ]) {
      expect(decodeCursor(encodeCursor({ receivedAt, id })), receivedAt).toBeNull();
    }
  });
});
