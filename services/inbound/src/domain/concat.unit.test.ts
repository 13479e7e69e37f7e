import { describe, expect, it } from "vitest";
import {
  groupAddressing,
  inboundIdOf,
  isComplete,
  joinParts,
  partGroupKey,
  type StoredPart,
  settleGroup,
  supersedes,
} from "./concat.ts";

const ULID = (n: number) => `01JD${String(n).padStart(22, "0")}`;
const part = (seq: number, text: string, overrides: Partial<StoredPart> = {}): StoredPart => ({
  moId: `mo_${ULID(seq)}`,
  seq,
  total: 3,
  text,
  receivedAt: `2026-12-06T10:00:0${seq}.000Z`,
  streamSeq: 100 + seq,
  ...overrides,
});
const now = new Date("2026-12-06T10:00:10.000Z");

describe("joining concatenated MO", () => {
  it("when a part of the same position comes with another text, it is another message's; with the same text, a repeat", () => {
    const waiting = [part(1, "a")];
    expect(supersedes(part(1, "z", { moId: `mo_${ULID(7)}` }), waiting)).toBe(true);
    expect(supersedes(part(1, "a", { moId: `mo_${ULID(7)}` }), waiting)).toBe(false);
    expect(supersedes(part(1, "z"), waiting)).toBe(false);
    expect(supersedes(part(2, "z", { moId: `mo_${ULID(7)}` }), waiting)).toBe(false);
  });

  it("when every part is there, in any order, the text is joined in part order under the first part's id", () => {
    const joined = settleGroup([part(3, "c"), part(1, "a"), part(2, "b")], now, 60_000);
    expect(joined).toEqual({
      id: `in_${ULID(1)}`,
      text: "abc",
      parts: 3,
      receivedAt: "2026-12-06T10:00:01.000Z",
      streamSeqs: [101, 102, 103],
    });
  });

  it("when parts are joined, the message names every part's stream copy, those of a repeated part too, and none unknown", () => {
    const repeated = part(1, "a", { moId: `mo_${ULID(9)}`, streamSeq: 140 });
    const before = part(2, "b", { streamSeq: null });
    expect(joinParts([part(3, "c"), repeated, part(1, "a"), before]).streamSeqs).toEqual([
      101, 103, 140,
    ]);
  });

  it("when a part is missing and the timeout has not run, the group waits", () => {
    expect(settleGroup([part(1, "a"), part(3, "c")], now, 60_000)).toBeNull();
    expect(isComplete([part(1, "a"), part(3, "c")])).toBe(false);
  });

  it("when a part is missing and the first part is older than the timeout, the parts that came are delivered as they are", () => {
    expect(settleGroup([part(1, "a"), part(3, "c")], now, 5_000)).toMatchObject({
      text: "ac",
      parts: 2,
    });
  });

  it("when a carrier repeats a part, it counts once", () => {
    const twice = [part(1, "a"), part(1, "a", { moId: `mo_${ULID(9)}` }), part(2, "b")];
    expect(isComplete(twice)).toBe(false);
    expect(joinParts(twice)).toMatchObject({ text: "ab", parts: 2, id: `in_${ULID(1)}` });
  });

  it("when there is nothing to join, nothing is delivered", () => {
    expect(settleGroup([], now, 0)).toBeNull();
  });

  it("when parts share carrier, sender, recipient, reference and total, they share a group whose addressing reads back", () => {
    const mo = { carrierId: "sim-a", from: "+3725|6", to: "+37250000001" };
    const key = partGroupKey({ ...mo, part: { ref: 7, total: 3 } });
    expect(partGroupKey({ ...mo, part: { ref: 7, total: 3 } })).toBe(key);
    expect(partGroupKey({ ...mo, part: { ref: 8, total: 3 } })).not.toBe(key);
    expect(groupAddressing(key)).toEqual(mo);
  });

  it("when a lone MO is named, its inbound id keeps the ULID of its mo_ id", () => {
    expect(inboundIdOf(`mo_${ULID(5)}`)).toBe(`in_${ULID(5)}`);
  });
});
