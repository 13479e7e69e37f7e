import { describe, expect, it } from "vitest";
import { addressingFor, destinationAddress, sourceAddress } from "./addressing.ts";

describe("sourceAddress", () => {
  it("when the sender is a name, it is alphanumeric (TON 5, NPI 0) as written", () => {
    expect(sourceAddress("MyApp")).toEqual({ ton: 5, npi: 0, addr: "MyApp" });
    expect(sourceAddress("Shop 24")).toEqual({ ton: 5, npi: 0, addr: "Shop 24" });
  });

  it("when the sender is a number, it is international (1/1) as digits without '+'", () => {
    expect(sourceAddress("+37250000000")).toEqual({ ton: 1, npi: 1, addr: "37250000000" });
    expect(sourceAddress("37250000000")).toEqual({ ton: 1, npi: 1, addr: "37250000000" });
  });

  it("when the sender is too long, empty or not printable, it names the problem", () => {
    expect(sourceAddress("TwelveChars!")).toHaveProperty("problem");
    expect(sourceAddress("")).toHaveProperty("problem");
    expect(sourceAddress("Ωmega")).toHaveProperty("problem");
    expect(sourceAddress(" padded")).toHaveProperty("problem");
  });
});

describe("destinationAddress", () => {
  it("when the recipient is E.164, it is 1/1 digits without '+'", () => {
    expect(destinationAddress("+37256789045")).toEqual({ ton: 1, npi: 1, addr: "37256789045" });
  });
  it("when it is not a number, it names the problem", () => {
    expect(destinationAddress("+372 5678")).toHaveProperty("problem");
  });
});

describe("addressingFor", () => {
  it("when both sides are fine, it gives both addresses", () => {
    expect(addressingFor("MyApp", "+37256789045")).toEqual({
      ok: true,
      source: { ton: 5, npi: 0, addr: "MyApp" },
      destination: { ton: 1, npi: 1, addr: "37256789045" },
    });
  });
  it("when one side is wrong, it is not ok", () => {
    expect(addressingFor("MyApp", "nope").ok).toBe(false);
  });
});

describe("per-carrier TON/NPI rules", () => {
  const rules = {
    alphanumeric: [5, 0] as const,
    international: [1, 1] as const,
    shortCode: [3, 0] as const,
    destination: [1, 1] as const,
    shortCodeMaxDigits: 6,
  };
  it("when the sender is a short code for this carrier, it gets the short-code TON/NPI", () => {
    expect(sourceAddress("12345", rules)).toEqual({ ton: 3, npi: 0, addr: "12345" });
    expect(sourceAddress("+12345", rules)).toEqual({ ton: 1, npi: 1, addr: "12345" });
    expect(sourceAddress("37256789045", rules)).toEqual({ ton: 1, npi: 1, addr: "37256789045" });
  });
  it("when the carrier wants other values for names or recipients, they are used", () => {
    const other = { ...rules, alphanumeric: [5, 1] as const, destination: [0, 1] as const };
    expect(addressingFor("MyApp", "+3725678", other)).toEqual({
      ok: true,
      source: { ton: 5, npi: 1, addr: "MyApp" },
      destination: { ton: 0, npi: 1, addr: "3725678" },
    });
  });
});
