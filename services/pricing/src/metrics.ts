import { toDecimal } from "@smsgw/contracts";
import { defineCounter } from "@smsgw/service-kit";
import type { LedgerKind } from "./db/schema.ts";

// Pricing's series (deploy/README.md). Recorded after the transaction that wrote the ledger
// committed, so they count what the ledger holds. Amounts are in the currency's unit (EUR,
// not the ledger's ten-thousandths), as a dashboard shows money.

export const authorizations = defineCounter({
  name: "smsgw_pricing_authorizations_total",
  help: "Authorize requests answered, by outcome (charged, low_balance, destination_blocked, error).",
  labelNames: ["outcome"] as const,
});

export const authorizeRequests = defineCounter({
  name: "smsgw_pricing_authorize_requests_total",
  help: "Authorize NATS requests received, by kind (single, or batch of requests that met at an ingress).",
  labelNames: ["kind"] as const,
});

export const ledgerEntries = defineCounter({
  name: "smsgw_pricing_ledger_entries_total",
  help: "Ledger entries written, by kind (charge, refund, topup, adjustment) and currency.",
  labelNames: ["kind", "currency"] as const,
});

const amounts = {
  charge: defineCounter({
    name: "smsgw_pricing_charged_amount_total",
    help: "Money charged for messages, in the currency's unit.",
    labelNames: ["currency"] as const,
  }),
  refund: defineCounter({
    name: "smsgw_pricing_refunded_amount_total",
    help: "Money refunded (failed or never accepted messages), in the currency's unit.",
    labelNames: ["currency"] as const,
  }),
  topup: defineCounter({
    name: "smsgw_pricing_topped_up_amount_total",
    help: "Credits added to accounts (initial credits and top-ups), in the currency's unit.",
    labelNames: ["currency"] as const,
  }),
};

/**
 * Counts committed ledger entries. `amount` is in money units, its sign ignored (a
 * charge is stored negative). Adjustments go either way, so only their count is kept.
 */
export function recordLedger(
  kind: LedgerKind,
  entries: ReadonlyArray<{ amount: number; currency: string }>,
): void {
  for (const { amount, currency } of entries) {
    ledgerEntries.inc({ kind, currency });
    // Adjustments and transfers move no money in or out of the gateway.
    if (kind !== "adjustment" && kind !== "transfer")
      amounts[kind].inc({ currency }, toDecimal(Math.abs(amount)));
  }
}
