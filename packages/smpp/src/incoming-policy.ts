import { CommandStatus } from "./command-status.ts";
import type { BindMode, RequestPdu } from "./pdu.ts";

export type SessionState = "open" | "bound" | "unbinding" | "closed";

/** What the session does with a request from the peer. */
export type IncomingAction =
  /** Answer at once with this command_status (the owner never sees it). */
  | { readonly kind: "respond"; readonly commandStatus: number }
  /** unbind: answer, then close. */
  | { readonly kind: "respondAndClose" }
  /** Emit it to the owner; if nobody listens, answer with `fallbackStatus`. */
  | { readonly kind: "emit"; readonly fallbackStatus: number };

/**
 * Pure decision, shared by both sides. Binds are only taken on an open (unbound) session;
 * submit_sm needs a transmitter or transceiver bind, deliver_sm a receiver or transceiver one.
 */
export function decideIncoming(
  pdu: RequestPdu,
  state: SessionState,
  mode: BindMode | undefined,
): IncomingAction {
  const bound = state === "bound" || state === "unbinding";
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
    case "data_sm":
      // data_sm may go either way in SMPP 3.4; we take it where submit_sm is taken.
      return bound && mode !== "receiver"
        ? { kind: "emit", fallbackStatus: CommandStatus.ESME_RSYSERR }
        : { kind: "respond", commandStatus: CommandStatus.ESME_RINVBNDSTS };
    case "deliver_sm":
      return bound && mode !== "transmitter"
        ? { kind: "emit", fallbackStatus: CommandStatus.ESME_RX_T_APPN }
        : { kind: "respond", commandStatus: CommandStatus.ESME_RINVBNDSTS };
    default:
      return pdu satisfies never;
  }
}
