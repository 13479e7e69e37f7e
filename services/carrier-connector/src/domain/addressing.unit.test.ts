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
