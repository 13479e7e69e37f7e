import { checkSenderId } from "@smsgw/contracts";
import type { Parsed } from "./numbers.ts";

export type SenderIdStatus = "pending" | "approved" | "rejected";

export interface SenderIdRegistration {
  accountId: string;
  sender: string;
  status: SenderIdStatus;
  requestedAt: Date;
  decidedAt: Date | null;
}

/** A registration as the account sees it (`GET /v1/senders`). */
export function senderIdResource(row: SenderIdRegistration) {
  return {
    sender: row.sender,
    status: row.status,
    requestedAt: row.requestedAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}

/**
 * A sender ID an account may ask for: alphanumeric by the one definition (`checkSenderId`),
 * trimmed. A numeric sender is a number: the account takes it (`POST /v1/numbers`) instead.
 */
export function readSenderIdRequest(raw: unknown): Parsed<string> {
  if (typeof raw !== "string") return { ok: false, message: "sender must be a string" };
  const checked = checkSenderId(raw);
  if (!checked.ok) {
    return {
      ok: false,
      message: "sender must be a sender ID of 1-11 ASCII letters, digits, spaces or punctuation",
    };
  }
  if (checked.kind === "numeric") {
    return {
      ok: false,
      message: "a numeric sender is a number: take it with POST /v1/numbers instead",
    };
  }
  return { ok: true, value: checked.sender };
}
