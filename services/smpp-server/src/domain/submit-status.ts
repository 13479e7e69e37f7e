import type { ErrorStatus } from "@smsgw/message-acceptance";
import { CommandStatus } from "@smsgw/smpp";

/**
 * The command_status a submit_sm refused with a status of api.md gets (section 6): invalid
 * destination 0x0B, invalid source 0x0A, low balance and opted out 0x45, rate limited 0x58,
 * internal 0x08. A destination that is blocked or has no route is an invalid destination
 * for this account (permanent for the message, as 0x0B is); a text over the part limit is
 * 0x01 (`invalid_params` is decided by the reader, which knows which field was wrong).
 */
export function submitStatusOf(status: ErrorStatus): number {
  switch (status) {
    case "invalid_phone":
    case "destination_blocked":
      return CommandStatus.ESME_RINVDSTADR;
    case "invalid_sender":
      return CommandStatus.ESME_RINVSRCADR;
    case "low_balance":
    case "opted_out":
      return CommandStatus.ESME_RSUBMITFAIL;
    case "rate_limit":
      return CommandStatus.ESME_RTHROTTLED;
    case "invalid_params":
      return CommandStatus.ESME_RINVMSGLEN;
    case "auth_failed":
      return CommandStatus.ESME_RINVSYSID;
    case "server_error":
    // Published, unconfirmed (ADR 0022): SMPP has no answer for it.
    case "outcome_unknown":
    case "not_found":
    case "method_not_allowed":
    case "idempotency_key_reused":
    // Erasure is an HTTP request on a message (ADR 0021): never an answer to a submit.
    case "message_in_flight":
    // So is a cancel (ADR 0030).
    case "message_not_cancelable":
    // API keys' scopes and allowlists are HTTP's (api.md section 8): a bind never meets one.
    case "forbidden":
      return CommandStatus.ESME_RSYSERR;
    default:
      return status satisfies never;
  }
}
