import { decodeReceivedText, encodeGsm7Unpacked, encodeUcs2 } from "@smsgw/sms-text";
import { describe, expect, it } from "vitest";
import {
  groupAddressing,
  inboundIdOf,
  isComplete,
  joinedText,
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
  dataCoding: null,
  octets: null,
  ...overrides,
});
const now = new Date("2026-12-06T10:00:10.000Z");

/**
 * The parts of `text` cut at these octet offsets, as a carrier may cut them (mid-character),
 * each with its octets and its text decoded on its own (as the connector records it).
 */
const cut = (text: string, dataCoding: 0 | 8, at: number[]): StoredPart[] => {
  const octets = dataCoding === 0 ? encodeGsm7Unpacked(text) : encodeUcs2(text);
  const bounds = [0, ...at, octets.length];
  return at.concat(octets.length).map((end, index) => {
    const piece = octets.slice(bounds[index], end);
    const alone = decodeReceivedText(piece, dataCoding);
    return part(index + 1, alone, { total: at.length + 1, dataCoding, octets: piece });
  });
};

describe("joining the octets of concatenated MO", () => {
  it("when a carrier cuts a GSM-7 escape pair between two parts, the joined text has the character", () => {
    // "Pay 5€ now": the escape 0x1B ends part 1, the € code 0x65 starts part 2.
    const parts = cut("Pay 5€ now", 0, [6]);
    expect(parts[0]?.octets?.at(-1)).toBe(0x1b);
    expect(joinParts(parts).text).toBe("Pay 5€ now");
  });

  it("when a carrier cuts a UCS-2 surrogate pair between two parts, the emoji is whole", () => {
    const parts = cut("ok 😀 thanks", 8, [8]);
    expect(settleGroup(parts, now, 60_000)?.text).toBe("ok 😀 thanks");
  });

  it("when a carrier cuts a UCS-2 code unit in two (an odd octet), the joined text reads right", () => {
    expect(joinedText(cut("Привет", 8, [3, 7]))).toBe("Привет");
  });

  it("when the parts arrive in any order, the octets are joined in part order", () => {
    const [one, two, three] = cut("a€b€c", 0, [2, 5]);
    expect(joinParts([three, one, two] as StoredPart[]).text).toBe("a€b€c");
  });

  it("when a part has no octets (its event came before them), the texts are joined as they were decoded", () => {
    const [one, two] = cut("Pay 5€ now", 0, [6]);
    const old = { ...(two as StoredPart), octets: null };
    expect(joinParts([one as StoredPart, old]).text).toBe("Pay 5 e now");
    expect(joinParts([part(1, "p1"), part(2, "p2"), part(3, "p3")]).text).toBe("p1p2p3");
  });

  it("when the parts disagree on data_coding, the texts are joined as they were decoded", () => {
    const [one, two] = cut("Pay 5€ now", 0, [6]);
    expect(joinedText([one as StoredPart, { ...(two as StoredPart), dataCoding: 3 }])).toBe(
      "Pay 5 e now",
    );
  });

  it("when an overdue group misses a part, nothing joins across the gap: each run is decoded on its own", () => {
    // Part 1 ends in the escape of a pair whose code (0x65) started part 2, which never came;
    // part 3 starts with "e" (0x65 too): joined across the gap it would read "€f".
    const [one, , three] = cut("ab€cef", 0, [3, 5]);
    expect(settleGroup([one, three] as StoredPart[], now, 5_000)).toMatchObject({
      text: "ab ef",
      parts: 2,
    });
  });

  it("when the octets hold what the record cannot, the joined text is recordable (terminator dropped, NUL as U+FFFD)", () => {
    const latin = (seq: number, octets: number[]) =>
      part(seq, "?", { total: 2, dataCoding: 3, octets: Uint8Array.from(octets) });
    expect(joinedText([latin(1, [0x61, 0x00]), latin(2, [0x62, 0x00, 0x00])])).toBe("a\uFFFDb");
  });

  it("when a part of the same position comes with other octets but the same text decoded alone, it is another message's", () => {
    const [waiting] = cut("ab€", 0, [3]);
    const other = {
      ...(waiting as StoredPart),
      moId: `mo_${ULID(7)}`,
      octets: Uint8Array.of(0x61, 0x62, 0x20),
    };
    expect(supersedes(other, [waiting as StoredPart])).toBe(true);
    const repeat = {
      ...(waiting as StoredPart),
      moId: `mo_${ULID(8)}`,
      octets: waiting?.octets?.slice() ?? null,
    };
    expect(supersedes(repeat, [waiting as StoredPart])).toBe(false);
  });
});

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
