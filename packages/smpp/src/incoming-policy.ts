import { CommandStatus } from "./command-status.ts";
import type { BindMode, RequestPdu } from "./pdu.ts";

export type SessionState = "open" | "bound" | "unbinding" | "closed";

/** Which side of the link the session is: the ESME (client) or the SMSC (server). */
export type SessionRole = "esme" | "smsc";

/** What the session does with a request from the peer. */
export type IncomingAction =
  /** Answer at once with this command_status (the owner never sees it). */
  | { readonly kind: "respond"; readonly commandStatus: number }
  /**
   * unbind: answer once the owner has answered the requests it holds, then close once the
   * responses still in flight have come (both bounded).
   */
  | { readonly kind: "respondAndClose" }
  /** Emit it to the owner; if nobody listens, answer with `fallbackStatus`. */
  | { readonly kind: "emit"; readonly fallbackStatus: number };

/**
 * Pure decision, shared by both sides. Binds are only taken on an open (unbound) session;
 * submit_sm needs a transmitter or transceiver bind, deliver_sm a receiver or transceiver one.
 * data_sm goes either way (SMPP 3.4 4.7): an SMSC takes it from its ESME where submit_sm is
 * taken, an ESME from its SMSC where deliver_sm is (receipts and MO sent as data_sm).
 * An SMSC may send deliver_sm (or data_sm) as soon as it has bound us, before its bind_resp
 * has reached us: on the ESME side, while the session is open, those are answered
 * ESME_RX_T_APPN (temporary: it sends them again), not RINVBNDSTS, which many SMSCs take as
 * final and drop the receipt.
 * Once either side has unbound, nothing new is taken (SMPP 3.4 2.3, 4.2: only the answers to
 * what was already taken still go out), with a temporary status: the request was never handed
 * to the owner, so the peer may send it again on its next bind without a duplicate, and it
 * may have crossed our own unbind on the wire. ESME_RSYSERR where the SMSC takes (Kannel
 * fails a submit answered ESME_RINVBNDSTS for good), ESME_RX_T_APPN where the ESME does.
 */
export function decideIncoming(
  pdu: RequestPdu,
  state: SessionState,
  mode: BindMode | undefined,
  role: SessionRole,
): IncomingAction {
  const bound = state === "bound" || state === "unbinding";
  const takesSubmit = bound && mode !== "receiver";
  const takesDeliver = bound && mode !== "transmitter";
  const takeWhen = (taken: boolean, fallbackStatus: number, refusedWhileUnbinding: number) =>
    state === "unbinding" && taken
      ? respond(refusedWhileUnbinding)
      : takeWhenBound(taken, fallbackStatus);
  const takeSubmit = (fallbackStatus: number): IncomingAction =>
    takeWhen(takesSubmit, fallbackStatus, CommandStatus.ESME_RSYSERR);
  const deliverAction = (): IncomingAction =>
    role === "esme" && state === "open"
      ? respond(CommandStatus.ESME_RX_T_APPN)
      : takeWhen(takesDeliver, CommandStatus.ESME_RX_T_APPN, CommandStatus.ESME_RX_T_APPN);
  switch (pdu.command) {
    case "enquire_link":
      return { kind: "respond", commandStatus: CommandStatus.ESME_ROK };
    case "unbind":
      return { kind: "respondAndClose" };
    case "bind_transmitter":
    case "bind_receiver":
    case "bind_transceiver":
      return state === "open"
        ? { kind: "emit", fallbackStatus: CommandStatus.ESME_RBINDFAIL }
        : { kind: "respond", commandStatus: CommandStatus.ESME_RALYBND };
    case "submit_sm":
      return takeSubmit(CommandStatus.ESME_RSYSERR);
    case "deliver_sm":
      return deliverAction();
    case "data_sm":
      return role === "smsc" ? takeSubmit(CommandStatus.ESME_RSYSERR) : deliverAction();
    case "query_sm":
    case "cancel_sm":
      // An ESME's requests about its submits (SMPP 3.4 4.8, 4.9), on the binds that submit;
      // an SMSC that does not serve them answers RINVCMDID.
      return role === "smsc"
        ? takeSubmit(CommandStatus.ESME_RINVCMDID)
        : respond(CommandStatus.ESME_RINVCMDID);
    default:
      return pdu satisfies never;
  }
}

/** Emitted (with `fallbackStatus` when nobody listens) if the bind carries it, else RINVBNDSTS. */
function takeWhenBound(taken: boolean, fallbackStatus: number): IncomingAction {
  return taken ? { kind: "emit", fallbackStatus } : respond(CommandStatus.ESME_RINVBNDSTS);
}

function respond(commandStatus: number): IncomingAction {
  return { kind: "respond", commandStatus };
}
