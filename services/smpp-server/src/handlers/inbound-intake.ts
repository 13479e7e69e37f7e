import type { InboundDelivery } from "@smsgw/contracts";
import type { Delivery } from "@smsgw/service-kit";
import type postgres from "postgres";
import { smppInbound } from "../metrics.ts";
import { storeOwed } from "./receipts.ts";

export const SMPP_INBOUND_DURABLE = "smpp-server-inbound";

/**
 * The consumer's handler for inbound messages (api.md section 6: "inbound messages to the
 * account's numbers go the same way"): those of accounts with SMPP credentials are stored
 * beside the receipts they owe (`smpp_server.receipts`, keyed by the `in_…` id, so a
 * redelivery stores nothing twice), kept `keepMs`, and sent as deliver_sm (esm_class 0) by the
 * receipt sender to a receiver or transceiver of the account, at least once. An account
 * without SMPP credentials has nobody to send them to: acked, not stored (its webhook has them).
 */
export function handleInboundForSmpp(deps: {
  sql: postgres.Sql;
  /** Whether the account has SMPP credentials (the accounts bucket). */
  speaksSmpp(accountId: string): boolean;
  keepMs: number;
  poke(): void;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  return async (batch: Delivery<InboundDelivery>[]): Promise<undefined> => {
    const expiresAt = new Date(now() + deps.keepMs).toISOString();
    const owed = batch
      .map(({ value }) => value)
      .filter((inbound) => deps.speaksSmpp(inbound.accountId))
      .map((inbound) => ({
        message_id: inbound.id,
        account_id: inbound.accountId,
        change: JSON.stringify(inbound),
        expires_at: expiresAt,
      }));
    if (owed.length === 0) return undefined;
    await storeOwed(deps.sql, owed);
    smppInbound.inc({ outcome: "stored" }, owed.length);
    deps.poke();
    return undefined;
  };
}
