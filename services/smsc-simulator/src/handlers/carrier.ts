import type { Logger } from "@smsgw/service-kit";
import {
  type BindRequest,
  CommandStatus,
  createSmppServer,
  type IncomingRequest,
  type ReceiptStat,
  receiptDeliverSm,
  type SmppSession,
  type SubmitSm,
} from "@smsgw/smpp";
import type { SimBehaviour, SimCarrier } from "../config.ts";
import { createTpsWindow, decideSubmit, drawDelay, receiptIdFor } from "../domain/behaviour.ts";
import { createMessageIds, formatMessageId, idStart } from "../domain/message-ids.ts";
import { outcomeFor, wantsReceipt } from "../domain/outcomes.ts";
import { deliveredAs, type MoCommand, moDeliverSms } from "../domain/receipt.ts";
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
  /** Sessions bound now (transmitter, receiver or transceiver). */
  openBinds(): number;
  /** What it does now (without id, port and credentials). */
  behaviour(): SimBehaviour;
  /** Replaces what it does from the next submit on (receipts already scheduled keep theirs). */
  configure(next: SimBehaviour): void;
  /** Closes every session at once, as a carrier dropping binds does; returns how many. */
  dropBinds(): number;
  /**
   * Starts its message ids again from the first it gave, as an SMSC does after a restart, so
   * ids already handed out come again; returns the next id.
   */
  restartIds(): string;
  /**
   * Sends an MO (each part in turn, as deliver_sm or data_sm per `moCommand`) to a bound
   * receiver or transceiver: the command status of the last part's answer, or the first refusal.
   */
  sendMo(mo: MoCommand): Promise<number>;
  close(): Promise<void>;
}

export interface CarrierDeps {
  host: string;
  log: Logger;
  record(submission: Submission): void;
  now(): Date;
  random?: () => number;
}

/** One carrier: an SMPP server on its port that checks binds, takes submits, sends receipts. */
export async function startSimulatedCarrier(
  carrier: SimCarrier,
  deps: CarrierDeps,
): Promise<SimulatedCarrier> {
  const log = deps.log.child({ carrierId: carrier.id });
  const { id: _id, port: _port, systemId: _systemId, password: _password, ...initial } = carrier;
  let behaviour: SimBehaviour = initial;
  let idBase = behaviour.idBase;
  let firstId = idStart(idBase, Math.random());
  let nextId = createMessageIds(idBase, firstId);
  const tps = createTpsWindow();
  const random = deps.random ?? Math.random;
  const binds: BindCounts = { accepted: 0, refused: 0 };
  /** Submits each session has taken, for `wedgeAfterSubmits`. */
  const submitsOn = new WeakMap<SmppSession, number>();

  const server = createSmppServer({
    systemId: carrier.id,
    windowSize: carrier.windowSize,
    onBind: (bind) => checkBind(bind),
    onSession: (session) => {
      session.on("request", (pdu) => onRequest(session, pdu));
      session.on("warning", (error) => log.warn({ err: error.message }, "smpp warning"));
      const unbindAfter = behaviour.unbindAfterBindMs;
      if (unbindAfter !== null) setTimeout(() => void session.unbind(), unbindAfter).unref();
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
    const taken = submitsOn.get(session) ?? 0;
    const wedgeAfter = behaviour.wedgeAfterSubmits;
    // Wedged: never answered, never taken; the session itself stays up.
    if (wedgeAfter !== null && taken >= wedgeAfter) return;
    submitsOn.set(session, taken + 1);
    const latency = drawDelay(behaviour.responseDelayMs, random);
    const respond = (answer: { commandStatus?: number; messageId?: string }): void => {
      if (latency === 0) {
        session.respond(pdu, answer);
        return;
      }
      setTimeout(() => {
        // The session may have closed meanwhile: the ESME never hears (outcome unknown).
        if (session.state === "bound") session.respond(pdu, answer);
      }, latency).unref();
    };
    if (!tps.admit(Date.now(), behaviour.tps)) {
      respond({ commandStatus: CommandStatus.ESME_RTHROTTLED });
      return;
    }
    const profile = outcomeFor(behaviour.outcomes, pdu.destinationAddr);
    const decision = decideSubmit(profile, behaviour.receiptDelayMs, random);
    if (decision.kind === "refuse") {
      respond({ commandStatus: decision.commandStatus });
      return;
    }
    const carrierMessageId = nextId();
    respond({ messageId: behaviour.emptyMessageId ? "" : carrierMessageId });
    const receivedAt = deps.now();
    const submission = describeSubmission(carrier.id, carrierMessageId, pdu, receivedAt);
    deps.record(submission);
    const { receipt: outcome, delayMs } = decision;
    if (!outcome || !wantsReceipt(pdu.registeredDelivery, outcome.stat)) return;
    const receiptId = receiptIdFor(carrierMessageId, idBase, behaviour.receiptIdBase);
    const report = (stat: ReceiptStat, err: string, doneAt: Date, intermediate: boolean) =>
      deliveredAs(
        receiptDeliverSm({
          carrierMessageId: receiptId,
          source: { addr: pdu.sourceAddr, ton: pdu.sourceAddrTon, npi: pdu.sourceAddrNpi },
          destination: { addr: pdu.destinationAddr, ton: pdu.destAddrTon, npi: pdu.destAddrNpi },
          stat,
          err,
          text: submission.text,
          submittedAt: receivedAt,
          doneAt,
          dialect: behaviour.receiptDialect,
          intermediate,
        }),
        behaviour.receiptCommand,
      );
    if (behaviour.intermediateNotifications) {
      const notice = report("ENROUTE", "000", receivedAt, true);
      outbox.schedule({ carrierMessageId: receiptId, pdu: notice, attempts: 0 }, 0);
    }
    const doneAt = new Date(receivedAt.getTime() + delayMs);
    outbox.schedule(
      {
        carrierMessageId: receiptId,
        pdu: report(outcome.stat, outcome.err, doneAt, false),
        attempts: 0,
      },
      delayMs,
    );
  }

  const address = await server.listen(carrier.port, deps.host);
  log.info({ port: address.port, idBase: carrier.idBase }, "carrier listening");
  return {
    id: carrier.id,
    port: address.port,
    binds,
    openBinds: () => [...server.sessions].filter((session) => session.state === "bound").length,
    behaviour: () => behaviour,
    configure(next) {
      if (next.idBase !== idBase) {
        idBase = next.idBase;
        firstId = idStart(idBase, Math.random());
        nextId = createMessageIds(idBase, firstId);
      }
      behaviour = next;
      log.info({ behaviour: next }, "behaviour replaced");
    },
    dropBinds() {
      const open = [...server.sessions];
      for (const session of open) session.close(new Error("binds dropped on command"));
      log.info({ dropped: open.length }, "binds dropped");
      return open.length;
    },
    restartIds() {
      nextId = createMessageIds(idBase, firstId);
      const next = formatMessageId(idBase, firstId);
      log.info({ next }, "message ids restarted");
      return next;
    },
    async sendMo(mo) {
      const receiver = [...server.sessions].find(
        (s) => s.state === "bound" && s.bindMode !== "transmitter",
      );
      if (!receiver) throw new Error(`no receiver bound to ${carrier.id}`);
      let status = 0;
      for (const pdu of moDeliverSms(mo)) {
        status = (await receiver.request(deliveredAs(pdu, behaviour.moCommand))).commandStatus;
        if (status !== 0) break;
      }
      return status;
    },
    async close() {
      outbox.close();
      await server.close();
    },
  };
}
