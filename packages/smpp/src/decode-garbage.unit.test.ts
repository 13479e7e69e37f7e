import { describe, expect, it } from "vitest";
import { bindRequest, submitSm } from "./builders.ts";
import { decodePdu, encodePdu } from "./codec.ts";
import { SmppDecodeError } from "./errors.ts";
import { FrameSplitter } from "./frame-splitter.ts";
import { tlv } from "./tlv.ts";

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const valid = [
  encodePdu({
    ...bindRequest("transceiver", { systemId: "a", password: "b" }),
    commandStatus: 0,
    sequenceNumber: 1,
  }),
  encodePdu({
    ...submitSm({
      destinationAddr: "1",
      shortMessage: Buffer.from("x"),
      tlvs: [tlv.messageState(1)],
    }),
    commandStatus: 0,
    sequenceNumber: 2,
  }),
];

/** Decodes, allowing only success or SmppDecodeError. */
function decodeOrDecodeError(frame: Buffer): void {
  try {
    decodePdu(frame);
  } catch (error) {
    expect(error).toBeInstanceOf(SmppDecodeError);
  }
}

describe("decodePdu on garbage", () => {
  it("when given random bytes with a consistent length, it only ever throws SmppDecodeError", () => {
    const rand = random(42);
    const ids = [0x01, 0x02, 0x04, 0x05, 0x06, 0x09, 0x15, 0x80000004, 0x80000009, 0x80000000, 7];
    for (let i = 0; i < 5000; i++) {
      const frame = Buffer.alloc(16 + Math.floor(rand() * 80));
      for (let j = 4; j < frame.length; j++) frame[j] = Math.floor(rand() * 256);
      frame.writeUInt32BE(frame.length, 0);
      frame.writeUInt32BE(ids[i % ids.length] ?? 0, 4);
      decodeOrDecodeError(frame);
    }
  });

  it("when valid frames are truncated or have bytes flipped, it only ever throws SmppDecodeError", () => {
    const rand = random(7);
    for (const good of valid) {
      for (let cut = 0; cut < good.length; cut++) {
        decodeOrDecodeError(good.subarray(0, cut));
        const relabelled = Buffer.from(good.subarray(0, Math.max(cut, 16)));
        if (relabelled.length >= 4) relabelled.writeUInt32BE(relabelled.length, 0);
        decodeOrDecodeError(relabelled);
      }
      for (let i = 0; i < 2000; i++) {
        const mutated = Buffer.from(good);
        mutated[8 + Math.floor(rand() * (mutated.length - 8))] = Math.floor(rand() * 256);
        decodeOrDecodeError(mutated);
      }
    }
  });

  it("when a frame is shorter than a header or its length lies, it throws SmppDecodeError", () => {
    expect(() => decodePdu(Buffer.alloc(0))).toThrow(SmppDecodeError);
    expect(() => decodePdu(Buffer.from("000000", "hex"))).toThrow(SmppDecodeError);
    const lying = Buffer.from(valid[0] ?? Buffer.alloc(0));
    lying.writeUInt32BE(lying.length + 1, 0);
    expect(() => decodePdu(lying)).toThrow(SmppDecodeError);
  });

  it("when random chunks go through the splitter, it yields frames or throws SmppDecodeError", () => {
    const rand = random(99);
    for (let i = 0; i < 500; i++) {
      const splitter = new FrameSplitter();
      try {
        for (let j = 0; j < 10; j++) {
          const chunk = Buffer.alloc(Math.floor(rand() * 40));
          for (let k = 0; k < chunk.length; k++)
            chunk[k] = rand() < 0.5 ? 0 : Math.floor(rand() * 256);
          for (const frame of splitter.push(chunk)) decodeOrDecodeError(frame);
        }
      } catch (error) {
        expect(error).toBeInstanceOf(SmppDecodeError);
      }
    }
  });
});
