import { describe, expect, it } from "vitest";
import { buildResponse, submitSm } from "./builders.ts";
import { decodePdu, encodePdu } from "./codec.ts";
import { SmppDecodeError } from "./errors.ts";
import { FrameSplitter } from "./frame-splitter.ts";
import type { Pdu } from "./pdu.ts";

const frames = (): Buffer[] => {
  const submit = {
    ...submitSm({ destinationAddr: "447911123456", shortMessage: Buffer.from("hello") }),
    commandStatus: 0,
    sequenceNumber: 1,
  };
  const pdus: Pdu[] = [
    submit,
    { command: "enquire_link", commandStatus: 0, sequenceNumber: 2 },
    buildResponse(submit, { messageId: "abc123" }),
  ];
  return pdus.map(encodePdu);
};

describe("FrameSplitter", () => {
  it("when bytes arrive one at a time, it yields each frame once it is complete", () => {
    const splitter = new FrameSplitter();
    const stream = Buffer.concat(frames());
    const out: Buffer[] = [];
    const sizesAfterEachByte: number[] = [];
    for (const byte of stream) {
      out.push(...splitter.push(Buffer.of(byte)));
      sizesAfterEachByte.push(out.length);
    }
    expect(out).toEqual(frames());
    const [first, second] = frames().map((f) => f.length);
    expect(sizesAfterEachByte[(first ?? 0) - 2]).toBe(0);
    expect(sizesAfterEachByte[(first ?? 0) - 1]).toBe(1);
    expect(sizesAfterEachByte[(first ?? 0) + (second ?? 0) - 1]).toBe(2);
    expect(splitter.buffered).toBe(0);
  });

  it("when several frames come in one chunk, it yields them all in order", () => {
    const splitter = new FrameSplitter();
    const out = splitter.push(Buffer.concat(frames()));
    expect(out.map((f) => decodePdu(f).command)).toEqual([
      "submit_sm",
      "enquire_link",
      "submit_sm_resp",
    ]);
  });

  it("when chunks cut frames at every possible place, it still yields the same frames", () => {
    const stream = Buffer.concat(frames());
    for (let cut1 = 0; cut1 < stream.length; cut1 += 3) {
      for (let cut2 = cut1; cut2 < stream.length; cut2 += 7) {
        const splitter = new FrameSplitter();
        const out = [
          ...splitter.push(stream.subarray(0, cut1)),
          ...splitter.push(stream.subarray(cut1, cut2)),
          ...splitter.push(stream.subarray(cut2)),
        ];
        expect(out).toEqual(frames());
      }
    }
  });

  it("when only part of a header has arrived, it yields nothing and keeps the bytes", () => {
    const splitter = new FrameSplitter();
    expect(splitter.push(Buffer.from("0000", "hex"))).toEqual([]);
    expect(splitter.push(Buffer.alloc(0))).toEqual([]);
    expect(splitter.buffered).toBe(2);
  });

  it("when command_length is below 16 or above 64 KiB, it throws SmppDecodeError and stays failed", () => {
    for (const length of [0, 15, 65537, 0xffffffff]) {
      const splitter = new FrameSplitter();
      const header = Buffer.alloc(4);
      header.writeUInt32BE(length);
      expect(() => splitter.push(header)).toThrow(SmppDecodeError);
      expect(() => splitter.push(frames()[1] ?? Buffer.alloc(0))).toThrow(SmppDecodeError);
    }
  });

  it("when command_length is exactly 64 KiB, it waits for the whole frame", () => {
    const splitter = new FrameSplitter();
    const frame = Buffer.alloc(65536);
    frame.writeUInt32BE(65536);
    expect(splitter.push(frame.subarray(0, 1000))).toEqual([]);
    expect(splitter.push(frame.subarray(1000))).toHaveLength(1);
  });
});
