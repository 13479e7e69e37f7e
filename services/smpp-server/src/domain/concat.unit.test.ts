import { describe, expect, it } from "vitest";
import { ConcatAssembler } from "./concat.ts";

const key = { from: "MyApp", to: "+37256789045" };
let ids = 0;
const newId = () => `msg_${++ids}`;

describe("joining concatenated submits", () => {
  it("when every part came, in any order, the message is whole in part order under the first part's id", () => {
    const joined = new ConcatAssembler<string>(10);
    const first = joined.add(key, { ref: 7, total: 3, seq: 2 }, "b", 0, newId);
    expect(first.kind).toBe("waiting");
    const id = first.kind === "waiting" ? first.messageId : "";
    expect(joined.add(key, { ref: 7, total: 3, seq: 3 }, "c", 1, newId)).toEqual({
      kind: "waiting",
      messageId: id,
    });
    expect(joined.add(key, { ref: 7, total: 3, seq: 1 }, "a", 2, newId)).toEqual({
      kind: "complete",
      messageId: id,
      values: ["a", "b", "c"],
    });
    expect(joined.size).toBe(0);
  });

  it("when a completed message is reopened (its last part told to retry later), that part's resend completes it again under the same id", () => {
    const joined = new ConcatAssembler<string>(10);
    const first = joined.add(key, { ref: 9, total: 2, seq: 1 }, "a", 0, newId);
    const done = joined.add(key, { ref: 9, total: 2, seq: 2 }, "b", 1, newId);
    if (done.kind !== "complete") throw new Error(done.kind);
    joined.reopen(key, { ref: 9, total: 2, seq: 2 }, done, 2);
    expect(joined.size).toBe(1);
    expect(joined.add(key, { ref: 9, total: 2, seq: 2 }, "b", 3, newId)).toEqual({
      kind: "complete",
      messageId: first.kind === "waiting" ? first.messageId : "",
      values: ["a", "b"],
    });
    expect(joined.expire(1_000)).toEqual([]);
  });

  it("when a message reopened after an unknown outcome expires, it says its fate is open; reopened after a plain refusal, it does not", () => {
    const joined = new ConcatAssembler<string>(10);
    for (const [ref, uncertain] of [
      [10, true],
      [11, false],
    ] as const) {
      joined.add(key, { ref, total: 2, seq: 1 }, "a", 0, newId);
      const done = joined.add(key, { ref, total: 2, seq: 2 }, "b", 0, newId);
      if (done.kind !== "complete") throw new Error(done.kind);
      joined.reopen(key, { ref, total: 2, seq: 2 }, done, 0, uncertain);
    }
    expect(joined.expire(1).map((g) => g.uncertain)).toEqual([true, false]);
  });

  it("when the same reference goes to another recipient, it is another message", () => {
    const joined = new ConcatAssembler<string>(10);
    const one = joined.add(key, { ref: 1, total: 2, seq: 1 }, "a", 0, newId);
    const other = joined.add(
      { ...key, to: "+37256789046" },
      { ref: 1, total: 2, seq: 1 },
      "x",
      0,
      newId,
    );
    expect(
      one.kind === "waiting" && other.kind === "waiting" && one.messageId !== other.messageId,
    ).toBe(true);
    expect(joined.size).toBe(2);
  });

  it("when a part repeats or its number is outside 1..total, it is refused and the others still wait", () => {
    const joined = new ConcatAssembler<string>(10);
    joined.add(key, { ref: 2, total: 2, seq: 1 }, "a", 0, newId);
    expect(joined.add(key, { ref: 2, total: 2, seq: 1 }, "a", 0, newId).kind).toBe("invalid");
    expect(joined.add(key, { ref: 2, total: 2, seq: 3 }, "c", 0, newId).kind).toBe("invalid");
    expect(joined.add(key, { ref: 2, total: 2, seq: 2 }, "b", 0, newId).kind).toBe("complete");
  });

  it("when parts never all come, the group expires after the timeout and is reported once", () => {
    const joined = new ConcatAssembler<string>(10);
    joined.add(key, { ref: 3, total: 3, seq: 1 }, "a", 1_000, newId);
    expect(joined.expire(1_000)).toEqual([]);
    expect(joined.expire(1_001)).toEqual([
      {
        messageId: expect.stringMatching(/^msg_/),
        key,
        received: 1,
        total: 3,
        values: ["a"],
        uncertain: false,
      },
    ]);
    expect(joined.expire(5_000)).toEqual([]);
  });

  it("when a part comes again, the same one is answered as it was and a different one is invalid", () => {
    const joined = new ConcatAssembler<string>(10, (a, b) => a === b);
    const first = joined.add(key, { ref: 4, total: 2, seq: 1 }, "a", 0, newId);
    expect(joined.add(key, { ref: 4, total: 2, seq: 1 }, "a", 1, newId)).toEqual(first);
    expect(joined.add(key, { ref: 4, total: 2, seq: 1 }, "x", 2, newId).kind).toBe("invalid");
    expect(joined.add(key, { ref: 4, total: 2, seq: 2 }, "b", 3, newId)).toMatchObject({
      kind: "complete",
      values: ["a", "b"],
    });
  });

  it("when an account has its maximum of messages waiting, a new one is refused", () => {
    const joined = new ConcatAssembler<string>(1);
    joined.add(key, { ref: 1, total: 2, seq: 1 }, "a", 0, newId);
    expect(joined.add(key, { ref: 2, total: 2, seq: 1 }, "a", 0, newId).kind).toBe("invalid");
  });
});
