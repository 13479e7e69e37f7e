import { describe, expect, it } from "vitest";
import { outcomeOfAuthorize } from "./authorize-outcome.ts";

describe("outcomeOfAuthorize", () => {
  it("when pricing charged, it goes on with the amount, currency and price per part", () => {
    expect(
      outcomeOfAuthorize({ outcome: "charged", amount: 1260, currency: "EUR", pricePerPart: 420 }),
    ).toEqual({ ok: true, value: { amount: 1260, currency: "EUR", pricePerPart: 420 } });
  });

  it("when the credit is short, it answers low_balance with decimal amounts", () => {
    const result = outcomeOfAuthorize({ outcome: "low_balance", balance: 400, needed: 1260 });
    expect(result).toEqual({
      ok: false,
      error: {
        status: "low_balance",
        message: "the account's credit (0.04) does not cover this message (0.126)",
      },
    });
  });

  it("when the destination is blocked, it answers destination_blocked with pricing's reason", () => {
    const result = outcomeOfAuthorize({
      outcome: "destination_blocked",
      reason: "no price for RU",
    });
    expect(!result.ok && result.error.status).toBe("destination_blocked");
    expect(!result.ok && result.error.message).toContain("no price for RU");
  });

  it("when pricing answers error, it is a server_error", () => {
    const result = outcomeOfAuthorize({ outcome: "error", reason: "db down" });
    expect(!result.ok && result.error.status).toBe("server_error");
    expect(!result.ok && result.error.message).not.toContain("db down");
  });
});
