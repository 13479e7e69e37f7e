import { CommandStatus, type IncomingRequest, type SmppSession } from "@smsgw/smpp";

/** What one bound session serves, by command. */
export interface SessionRequests {
  submit(pdu: Extract<IncomingRequest, { command: "submit_sm" | "data_sm" }>): void;
  query(pdu: Extract<IncomingRequest, { command: "query_sm" }>): void;
  cancel(pdu: Extract<IncomingRequest, { command: "cancel_sm" }>): void;
}

/**
 * A customer's session's requests to their handlers. A customer has nothing to deliver to us
 * (deliver_sm goes the other way): anything else is ESME_RINVCMDID.
 */
export function serveRequests(session: SmppSession, requests: SessionRequests): void {
  session.on("request", (pdu: IncomingRequest) => {
    switch (pdu.command) {
      case "submit_sm":
      case "data_sm":
        return requests.submit(pdu);
      case "query_sm":
        return requests.query(pdu);
      case "cancel_sm":
        return requests.cancel(pdu);
      default:
        session.respond(pdu, { commandStatus: CommandStatus.ESME_RINVCMDID });
    }
  });
}
