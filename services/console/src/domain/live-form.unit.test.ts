import { describe, expect, it } from "vitest";
import { readLiveForm } from "./live-form.ts";

describe("the going-live form", () => {
  it("when the volume is typed with thousands separators, it is read as a number", () => {
    expect(readLiveForm({ company: "Acme", monthlyVolume: "50 000", useCase: "OTP" })).toEqual({
      ok: true,
      value: { company: "Acme", monthlyVolume: 50_000, useCase: "OTP" },
    });
  });

  it("when fields are missing or the volume is not a number, each problem is named once", () => {
    const read = readLiveForm({ company: " ", monthlyVolume: "lots", useCase: "" });
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.problems).toHaveLength(3);
  });
});
