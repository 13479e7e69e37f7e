import { describe, expect, it } from "vitest";
import {
  type AccountState,
  type BatchInput,
  type Charge,
  type ChargeRequest,
  decideBatch,
  replayWindowMs,
  withPublishBy,
} from "./authorize.ts";
import { createPriceBook } from "./price-book.ts";

const prices = createPriceBook(
  [
    { prefix: "+372", country: "EE", pricePerPart: 420, currency: "EUR" },
    { prefix: "+3725", country: "EE", pricePerPart: 400, currency: "EUR" },
    { prefix: "+1", country: "US", pricePerPart: 75, currency: "USD" },
  ],
  [{ accountId: "acc_vip", prefix: "+372", pricePerPart: 300 }],
  () => "EUR",
);

const account = (accountId: string, balance: number, extra: Partial<AccountState> = {}) => ({
  accountId,
  status: "active" as const,
  currency: "EUR",
  blockedCountries: [],
  balance,
  ...extra,
});

let seq = 0;
const request = (accountId: string, extra: Partial<ChargeRequest> = {}): ChargeRequest => ({
  messageId: `msg_${++seq}`,
  accountId,
  to: "+37266789045",
  parts: 1,
  ...extra,
});

function given(
  accounts: AccountState[],
  requests: ChargeRequest[],
  existing: Charge[] = [],
): BatchInput {
  return {
    requests,
    accounts: new Map(accounts.map((a) => [a.accountId, a])),
    existingCharges: new Map(existing.map((c) => [c.messageId, c])),
    prices,
  };
}

describe("deciding a batch of authorize requests", () => {
  it("when the balance covers the message, it charges parts × price of the matched prefix", () => {
    const r = request("acc_a", { parts: 3 });
    const decision = decideBatch(given([account("acc_a", 10_000)], [r]));
    expect(decision.responses).toEqual([
      { outcome: "charged", amount: 1_260, currency: "EUR", pricePerPart: 420 },
    ]);
    expect(decision.newCharges).toEqual([
      {
        messageId: r.messageId,
        accountId: "acc_a",
        amount: 1_260,
        pricePerPart: 420,
        parts: 3,
        currency: "EUR",
      },
    ]);
    expect(decision.balances).toEqual(new Map([["acc_a", 8_740]]));
  });

  it("when the balance is exactly the cost, it charges down to zero", () => {
    const decision = decideBatch(given([account("acc_a", 840)], [request("acc_a", { parts: 2 })]));
    expect(decision.responses[0]?.outcome).toBe("charged");
    expect(decision.balances.get("acc_a")).toBe(0);
  });

  it("when the balance does not cover the message, it answers low_balance and charges nothing", () => {
    const decision = decideBatch(given([account("acc_a", 419)], [request("acc_a")]));
    expect(decision.responses).toEqual([{ outcome: "low_balance", balance: 419, needed: 420 }]);
    expect(decision.newCharges).toEqual([]);
    expect(decision.balances.size).toBe(0);
  });

  it("when one account sends several in one batch, they are served in order and the balance never goes negative", () => {
    const requests = Array.from({ length: 5 }, () => request("acc_a"));
    requests.splice(2, 0, request("acc_b"));
    const decision = decideBatch(
      given([account("acc_a", 420 * 3 + 100), account("acc_b", 420)], requests),
    );
    expect(decision.responses.map((r) => r.outcome)).toEqual([
      "charged",
      "charged",
      "charged",
      "charged",
      "low_balance",
      "low_balance",
    ]);
    expect(decision.responses[4]).toEqual({ outcome: "low_balance", balance: 100, needed: 420 });
    expect(decision.balances).toEqual(
      new Map([
        ["acc_a", 100],
        ["acc_b", 0],
      ]),
    );
    expect(decision.newCharges).toHaveLength(4);
  });

  it("when a message id was charged before, it replays the first answer and charges nothing", () => {
    const r = request("acc_a", { parts: 2 });
    const earlier: Charge = { ...r, amount: 800, pricePerPart: 400, currency: "EUR" };
    const decision = decideBatch(given([account("acc_a", 0)], [r], [earlier]));
    expect(decision.responses).toEqual([
      { outcome: "charged", amount: 800, currency: "EUR", pricePerPart: 400 },
    ]);
    expect(decision.newCharges).toEqual([]);
    expect(decision.balances.size).toBe(0);
  });

  it("when the same message id comes twice in one batch, it is charged once and both get the answer", () => {
    const r = request("acc_a");
    const decision = decideBatch(given([account("acc_a", 1_000)], [r, { ...r }]));
    expect(decision.responses).toEqual([
      { outcome: "charged", amount: 420, currency: "EUR", pricePerPart: 420 },
      { outcome: "charged", amount: 420, currency: "EUR", pricePerPart: 420 },
    ]);
    expect(decision.newCharges).toHaveLength(1);
    expect(decision.balances.get("acc_a")).toBe(580);
  });

  it("when a charged message id is asked for by another account, it answers error", () => {
    const r = request("acc_a");
    const earlier: Charge = { ...r, amount: 420, pricePerPart: 420, currency: "EUR" };
    const decision = decideBatch(
      given([account("acc_b", 1_000)], [{ ...r, accountId: "acc_b" }], [earlier]),
    );
    expect(decision.responses[0]?.outcome).toBe("error");
    expect(decision.newCharges).toEqual([]);
  });

  it("when the account is disabled, it answers destination_blocked whatever the balance", () => {
    const decision = decideBatch(
      given([account("acc_a", 10_000, { status: "disabled" })], [request("acc_a")]),
    );
    expect(decision.responses[0]).toMatchObject({ outcome: "destination_blocked" });
    expect(decision.newCharges).toEqual([]);
  });

  it("when there is no price for the destination, it answers destination_blocked", () => {
    const decision = decideBatch(
      given([account("acc_a", 10_000)], [request("acc_a", { to: "+81312345678" })]),
    );
    expect(decision.responses).toEqual([
      { outcome: "destination_blocked", reason: "no price for +81312345678" },
    ]);
  });

  it("when the price is in another currency than the account's, it answers destination_blocked", () => {
    const decision = decideBatch(
      given([account("acc_a", 10_000)], [request("acc_a", { to: "+12125551234" })]),
    );
    expect(decision.responses[0]).toMatchObject({ outcome: "destination_blocked" });
  });

  it("when the account is unknown, it answers error", () => {
    const decision = decideBatch(given([], [request("acc_x")]));
    expect(decision.responses[0]).toMatchObject({ outcome: "error" });
  });

  it("when the account blocks the destination's country, it answers destination_blocked", () => {
    const blocked = account("acc_a", 10_000, { blockedCountries: ["EE"] });
    const viaPrice = decideBatch(given([blocked], [request("acc_a")]));
    expect(viaPrice.responses[0]).toEqual({
      outcome: "destination_blocked",
      reason: "sending to EE is blocked for this account",
    });
    const viaCaller = decideBatch(given([blocked], [request("acc_a", { country: "EE" })]));
    expect(viaCaller.responses[0]?.outcome).toBe("destination_blocked");
    expect(viaCaller.newCharges).toEqual([]);
  });

  it("when the account has an override, it pays it; a longer operator prefix still wins", () => {
    const decision = decideBatch(
      given(
        [account("acc_vip", 10_000)],
        [request("acc_vip"), request("acc_vip", { to: "+37256789045" })],
      ),
    );
    expect(decision.responses).toMatchObject([
      { outcome: "charged", pricePerPart: 300 },
      { outcome: "charged", pricePerPart: 400 },
    ]);
  });

  /** A retry of a message id charged 420 and refunded for this reason. */
  const retryRefunded = (refundReason: string) => {
    const r = request("acc_a");
    const earlier: Charge = { ...r, amount: 420, pricePerPart: 420, currency: "EUR", refundReason };
    return decideBatch(given([account("acc_a", 10_000)], [r], [earlier]));
  };

  it("when a message id was charged and refunded as never accepted, a retry is answered refunded (the id is spent), not sent free", () => {
    const decision = retryRefunded("not_accepted");
    expect(decision.responses[0]).toEqual({ outcome: "refunded" });
    expect(decision.newCharges).toEqual([]);
  });

  it("when a message id was accepted, failed and was refunded, a retry gets its first charge again (the door answers that message), not refunded and not a new charge", () => {
    const decision = retryRefunded("failed");
    expect(decision.responses[0]).toEqual({
      outcome: "charged",
      amount: 420,
      currency: "EUR",
      pricePerPart: 420,
    });
    expect(decision.newCharges).toEqual([]);
  });

  it("when a refunded charge is replayed, its window is closed (the door must not publish it again); a charge standing keeps the whole window", () => {
    const earlier: Charge = {
      ...request("acc_a"),
      amount: 420,
      pricePerPart: 420,
      currency: "EUR",
    };
    expect(replayWindowMs({ ...earlier, refundReason: "failed" }, 60_000)).toBe(0);
    expect(replayWindowMs(earlier, 60_000)).toBe(60_000);
  });

  it("when a charge is answered, its publishBy is its ledger time plus the accept window; a refusal gets none", () => {
    const charged = decideBatch(given([account("acc_a", 10_000)], [request("acc_a")])).responses[0];
    if (!charged) throw new Error("no answer");
    const at = Date.parse("2026-12-06T10:00:00.000Z");
    expect(withPublishBy(charged, at, 60_000)).toMatchObject({
      outcome: "charged",
      publishBy: "2026-12-06T10:01:00.000Z",
    });
    expect(withPublishBy({ outcome: "refunded" }, at, 60_000)).toEqual({ outcome: "refunded" });
  });
});
