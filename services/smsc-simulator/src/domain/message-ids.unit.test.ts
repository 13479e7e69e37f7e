import { normalizeCarrierMessageId } from "@smsgw/smpp";
import { describe, expect, it } from "vitest";
import { createMessageIds, idStart } from "./message-ids.ts";

describe("createMessageIds", () => {
  it("when the base is hex, ids are 8 lower-case hex digits counting up", () => {
    const next = createMessageIds("hex", 0x1000000a);
    expect([next(), next()]).toEqual(["1000000a", "1000000b"]);
  });

  it("when the base is decimal, ids are decimal numbers counting up", () => {
    const next = createMessageIds("decimal", 1_000_000_009);
    expect([next(), next()]).toEqual(["1000000009", "1000000010"]);
  });

  it("when started anywhere in its range, an id keeps its width and its base", () => {
    for (const random of [0, 0.5, 0.999999]) {
      const hex = createMessageIds("hex", idStart("hex", random))();
      const decimal = createMessageIds("decimal", idStart("decimal", random))();
      expect(hex).toMatch(/^[0-9a-f]{8}$/);
      expect(decimal).toMatch(/^[1-9][0-9]{9}$/);
      expect(normalizeCarrierMessageId(hex, "hex")).toBe(String(Number.parseInt(hex, 16)));
    }
  });
});
