import { describe, expect, it } from "vitest";
import { readTransfer } from "./subaccount-requests.ts";

describe("readTransfer", () => {
  it("when the amount is a decimal and the note text, it reads money units", () => {
    expect(readTransfer({ amount: "5.25", note: "top-up" })).toEqual({
      ok: true,
      value: { amount: 52_500, note: "top-up" },
    });
  });

  it("when the note holds a NUL or a lone surrogate, it is refused naming note (pricing's ledger cannot hold it)", () => {
    for (const note of ["a\u0000b", "half \ud83d"]) {
      const read = readTransfer({ amount: "1", note });
      expect(read.ok).toBe(false);
      expect(!read.ok && read.error).toMatchObject({
        status: "invalid_params",
        message: expect.stringMatching(/^note contains/),
      });
    }
  });
});
