import type { Logger } from "@smsgw/service-kit";
import {
  type BindRequest,
  CommandStatus,
  createSmppServer,
  type IncomingRequest,
  type SmppSession,
  type SubmitSm,
} from "@smsgw/smpp";
import type { SimCarrier } from "../config.ts";
import { createMessageIds, idStart } from "../domain/message-ids.ts";
import { outcomeFor, wantsReceipt } from "../domain/outcomes.ts";
import { receiptDeliverSm } from "../domain/receipt.ts";
import { describeSubmission, type Submission } from "../domain/submission.ts";
import { createReceiptOutbox } from "./receipt-outbox.ts";

export interface BindCounts {
  accepted: number;
  refused: number;
}

export interface SimulatedCarrier {
  readonly id: string;
  readonly port: number;
  readonly binds: BindCounts;
  close(): Promise<void>;
}

export interface CarrierDeps {
  host: string;
  log: Logger;
  record(submission: Submission): void;
  now(): Date;
}

/** One carrier: an SMPP server on its port that checks binds, takes submits, sends receipts. */
export async function startSimulatedCarrier(
  carrier: SimCarrier,
  deps: CarrierDeps,
): Promise<SimulatedCarrier> {
  const log = deps.log.child({ carrierId: carrier.id });
  const nextId = createMessageIds(carrier.idBase, idStart(carrier.idBase, Math.random()));
  const binds: BindCounts = { accepted: 0, refused: 0 };

  const server = createSmppServer({
    systemId: carrier.id,
    windowSize: carrier.windowSize,
    onBind: (bind) => checkBind(bind),
    onSession: (session) => {
      session.on("request", (pdu) => onRequest(session, pdu));
      session.on("warning", (error) => log.warn({ err: error.message }, "smpp warning"));
      outbox.flush();
    },
  });
  const outbox = createReceiptOutbox({
    carrierId: carrier.id,
    sessions: () => server.sessions,
    log,
  });

  function checkBind(bind: BindRequest): number {
    const status =
      bind.systemId !== carrier.systemId
        ? CommandStatus.ESME_RINVSYSID
        : bind.password !== carrier.password
          ? CommandStatus.ESME_RINVPASWD
          : CommandStatus.ESME_ROK;
    if (status === CommandStatus.ESME_ROK) binds.accepted += 1;
    else binds.refused += 1;
    log.info({ systemId: bind.systemId, command: bind.command, status }, "bind");
    return status;
  }

  function onRequest(session: SmppSession, pdu: IncomingRequest): void {
    if (pdu.command === "submit_sm") onSubmit(session, pdu);
    else session.respond(pdu, { commandStatus: CommandStatus.ESME_RINVCMDID });
  }

  function onSubmit(session: SmppSession, pdu: SubmitSm): void {
    const outcome = outcomeFor(carrier.outcomes, pdu.destinationAddr);
    if (outcome.commandStatus !== 0) {
      session.respond(pdu, { commandStatus: outcome.commandStatus });
      return;
    }
    const carrierMessageId = nextId();
    session.respond(pdu, { messageId: carrierMessageId });
    const receivedAt = deps.now();
    const submission = describeSubmission(carrier.id, carrierMessageId, pdu, receivedAt);
    deps.record(submission);
    if (!wantsReceipt(pdu.registeredDelivery, outcome.stat)) return;
    const receipt = receiptDeliverSm({
      carrierMessageId,
      source: { addr: pdu.sourceAddr, ton: pdu.sourceAddrTon, npi: pdu.sourceAddrNpi },
      destination: { addr: pdu.destinationAddr, ton: pdu.destAddrTon, npi: pdu.destAddrNpi },
      stat: outcome.stat,
      err: outcome.err,
      text: submission.text,
      submittedAt: receivedAt,
      doneAt: new Date(receivedAt.getTime() + carrier.receiptDelayMs),
    });
    outbox.schedule({ carrierMessageId, pdu: receipt, attempts: 0 }, carrier.receiptDelayMs);
  }

  const address = await server.listen(carrier.port, deps.host);
  log.info({ port: address.port, idBase: carrier.idBase }, "carrier listening");
  return {
    id: carrier.id,
    port: address.port,
    binds,
    async close() {
      outbox.close();
      await server.close();
    },
  };
}
