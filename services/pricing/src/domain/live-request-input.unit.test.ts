import { describe, expect, it } from "vitest";
import { checkDeclineReason, checkLiveRequestForm } from "./live-request-input.ts";

describe("a request for live sending", () => {
  it("when every field is given, it is kept trimmed", () => {
    expect(
      checkLiveRequestForm({ company: " Acme ", monthlyVolume: 5000, useCase: " OTP codes " }),
    ).toEqual({ ok: true, value: { company: "Acme", monthlyVolume: 5000, useCase: "OTP codes" } });
  });

  it("when the volume is not a whole positive number, it names the volume", () => {
    const checked = checkLiveRequestForm({ company: "Acme", monthlyVolume: 0, useCase: "x" });
    expect(checked).toEqual({ ok: false, problem: expect.stringContaining("monthly volume") });
  });

  it("when the company is blank, it names the company", () => {
    const checked = checkLiveRequestForm({ company: "  ", monthlyVolume: 10, useCase: "x" });
    expect(checked).toEqual({ ok: false, problem: expect.stringContaining("company") });
  });
});

describe("declining", () => {
  it("when the reason is blank, it is refused", () => {
    expect(checkDeclineReason("   ").ok).toBe(false);
  });

  it("when the reason is given, it is kept trimmed", () => {
    expect(checkDeclineReason(" no website ")).toEqual({ ok: true, value: "no website" });
  });
});
