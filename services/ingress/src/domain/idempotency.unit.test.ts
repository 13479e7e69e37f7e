import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  decideOnKey,
  isIdempotencyKey,
  locationOfStored,
  renewedIds,
  type StoredKey,
} from "./idempotency.ts";

const row = (overrides: Partial<StoredKey> = {}): StoredKey => ({
  fingerprint: "f1",
  messageId: "msg_A",
  state: "pending",
  claimedAt: 1_000,
  httpStatus: null,
  body: null,
  ...overrides,
});

describe("decideOnKey", () => {
  it("when the body differs, it is reused whatever the state", () => {
    expect(
      decideOnKey(row({ state: "done", httpStatus: 202, body: "{}" }), "f2", 1_000, 35_000),
    ).toEqual({
      kind: "reused",
    });
  });

  it("when the answer is stored, it is replayed", () => {
    expect(
      decideOnKey(row({ state: "done", httpStatus: 202, body: "{}" }), "f1", 1_000, 35_000),
    ).toEqual({
      kind: "replay",
      httpStatus: 202,
      body: "{}",
    });
  });

  it("when another request holds it, it waits; when the holder is long gone, it takes over with the same messageId", () => {
    expect(decideOnKey(row(), "f1", 30_000, 35_000)).toEqual({ kind: "wait" });
    expect(decideOnKey(row(), "f1", 36_001, 35_000)).toEqual({
      kind: "take_over",
      messageId: "msg_A",
    });
  });

  it("when it was released after a server error, it is taken over at once", () => {
    expect(decideOnKey(row({ state: "open" }), "f1", 1_001, 35_000)).toEqual({
      kind: "take_over",
      messageId: "msg_A",
    });
  });
});

describe("canonicalJson and keys", () => {
  it("when two bodies differ only in key order or undefined fields, they are the same", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(
      canonicalJson({ a: { d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ a: "1" })).not.toBe(canonicalJson({ a: 1 }));
  });

  it("when a body nests deeper than 32 levels, it has no canonical form; at 32 it has", () => {
    const nest = (depth: number): unknown => (depth === 0 ? 1 : [nest(depth - 1)]);
    expect(canonicalJson(nest(32))).toBe(`${"[".repeat(32)}1${"]".repeat(32)}`);
    expect(canonicalJson(nest(33))).toBeNull();
    expect(canonicalJson({ messages: [{ a: nest(40) }] })).toBeNull();
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`) as unknown;
    expect(canonicalJson(deep)).toBeNull();
  });

  it("when a key has spaces, controls or is too long, it is not a key", () => {
    expect(isIdempotencyKey("order-1234_ABC:x")).toBe(true);
    expect(isIdempotencyKey("a b")).toBe(false);
    expect(isIdempotencyKey("")).toBe(false);
    expect(isIdempotencyKey("é")).toBe(false);
    expect(isIdempotencyKey("k".repeat(256))).toBe(false);
  });
});

describe("locationOfStored", () => {
  const id = "msg_01M97JNNEPJ6EZY2Z3KFP1JWDA";

  it("when the stored answer is a 202 message resource, it points at the message", () => {
    expect(locationOfStored(202, JSON.stringify({ messageId: id, status: "queued" }))).toBe(
      `/v1/messages/${id}`,
    );
  });

  it("when the stored answer is a refusal, a batch or not a resource, there is none", () => {
    expect(locationOfStored(422, JSON.stringify({ status: "invalid_phone", message: "x" }))).toBe(
      null,
    );
    expect(locationOfStored(200, JSON.stringify({ accepted: 1, results: [] }))).toBe(null);
    expect(locationOfStored(202, "not json")).toBe(null);
    expect(locationOfStored(202, JSON.stringify({ messageId: "../x" }))).toBe(null);
  });
});

describe("renewedIds", () => {
  it("when a retry's ids are spent, each is replaced by the request's new id at its place, the others kept", () => {
    expect(renewedIds(["msg_A"], ["msg_A"], ["msg_N"])).toEqual(["msg_N"]);
    expect(renewedIds(["msg_A", "msg_B", "msg_C"], ["msg_B"], ["msg_X", "msg_Y", "msg_Z"])).toEqual(
      ["msg_A", "msg_Y", "msg_C"],
    );
  });

  it("when nothing is spent, or the ids were the request's own, there is nothing to renew", () => {
    expect(renewedIds(["msg_A"], [], ["msg_N"])).toBeNull();
    expect(renewedIds(["msg_N"], ["msg_N"], ["msg_N"])).toBeNull();
  });
});
