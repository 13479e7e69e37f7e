import { describe, expect, it } from "vitest";
import { isAccountName, isCurrency, parseCredits, parseSignedCredits } from "./account-input.ts";

describe("account input", () => {
  it("when credits are a decimal string, they are main units of the currency", () => {
    expect(parseCredits("10")).toBe(100_000);
    expect(parseCredits("0.042")).toBe(420);
    expect(parseCredits(" 5.5 ")).toBe(55_000);
  });

  it("when credits are a number, they already are money units", () => {
    expect(parseCredits(420)).toBe(420);
    expect(parseCredits(0)).toBe(0);
  });

  it("when credits are negative, fractional units or not a number, they are refused", () => {
    expect(parseCredits("-1")).toBeNull();
    expect(parseCredits("0.00001")).toBeNull();
    expect(parseCredits("ten")).toBeNull();
    expect(parseCredits("")).toBeNull();
    expect(parseCredits(1.5)).toBeNull();
    expect(parseCredits(-3)).toBeNull();
    expect(parseCredits(Number.MAX_SAFE_INTEGER + 1)).toBeNull();
  });

  it("when a name or currency is checked, only the safe shapes pass", () => {
    expect(isAccountName("acme")).toBe(true);
    expect(isAccountName("acme-eu.2")).toBe(true);
    expect(isAccountName("Acme")).toBe(false);
    expect(isAccountName("")).toBe(false);
    expect(isAccountName("a b")).toBe(false);
    expect(isCurrency("EUR")).toBe(true);
    expect(isCurrency("eur")).toBe(false);
  });

  it("when an adjustment is signed, it becomes signed money units", () => {
    expect(parseSignedCredits("-1.5")).toBe(-15_000);
    expect(parseSignedCredits("+2")).toBe(20_000);
    expect(parseSignedCredits("0.0001")).toBe(1);
    expect(parseSignedCredits("--1")).toBeNull();
    expect(parseSignedCredits("-0.00001")).toBeNull();
  });
});
