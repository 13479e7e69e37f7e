import { describe, expect, it } from "vitest";
import { isReference, judgeRetry } from "./credit-reference.ts";

describe("credit movement references", () => {
  it("when a reference is 1-255 visible ASCII characters, it is one; spaces, other text or nothing are not", () => {
    expect(isReference("pi_3PabcXYZ")).toBe(true);
    expect(isReference("invoice-42/2025")).toBe(true);
    expect(isReference("x".repeat(255))).toBe(true);
    expect(isReference("")).toBe(false);
    expect(isReference("x".repeat(256))).toBe(false);
    expect(isReference("invoice 42")).toBe(false);
    expect(isReference("lasku-ä")).toBe(false);
  });

  it("when the same kind and amount come again under a reference, it is a replay of the first", () => {
    expect(judgeRetry({ kind: "topup", amount: 50_000 }, { kind: "topup", amount: 50_000 })).toBe(
      "replay",
    );
  });

  it("when another amount or kind comes under a used reference, it is a conflict", () => {
    const first = { kind: "topup", amount: 50_000 };
    expect(judgeRetry(first, { kind: "topup", amount: 50_001 })).toBe("conflict");
    expect(judgeRetry(first, { kind: "adjustment", amount: 50_000 })).toBe("conflict");
  });
});
