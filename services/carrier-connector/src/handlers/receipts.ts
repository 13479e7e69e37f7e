import type { ReceiptErrorOverrides } from "@smsgw/contracts";
import { errorMessage, type Logger } from "@smsgw/service-kit";
import {
  CommandStatus,
  type DeliveredNotice,
  type IncomingRequest,
  type MessageIdBase,
  normalizeCarrierMessageId,
  pduLogFields,
  type Receipt,
  type SmppSession,
} from "@smsgw/smpp";
import { type HolderKey, type PartKey, type PartRow, partKey } from "../db/store.ts";
import { mappingRetryDelayMs } from "../domain/backoff.ts";
import { type CarrierMessage, carrierRequestOf } from "../domain/carrier-request.ts";
import { type ConnectorEvent, receiptEvent } from "../domain/events.ts";
import { matchReceipt } from "../domain/receipt-match.ts";
import { partStatusOf } from "../domain/receipt-status.ts";
import type { ScoreCounter } from "../domain/score-counter.ts";
import { createUnknownReceipts } from "../domain/unknown-receipts.ts";
import { carrierMetrics } from "../metrics.ts";

export interface ReceiptCarrier {
  id: string;
  /** How this carrier writes ids in its receipts. */
  receiptIdBase: MessageIdBase;
  /** What its receipts' err values mean where they differ from GSM MAP. */
  receiptErrors?: ReceiptErrorOverrides | undefined;
}

export interface ReceiptDeps {
  /** Every stored holder of each carrier id (several when the carrier gave it again). */
  findParts(keys: readonly PartKey[]): Promise<Map<string, PartRow[]>>;
  /** Stores the receipt events (as batch envelopes: only the event store reads them). */
  publishAll(events: readonly ConnectorEvent[]): Promise<void>;
  /** Parts whose final receipt was published: the expiry sweep leaves them be. */
  markFinal(keys: readonly HolderKey[]): Promise<void>;
  /** A deliver_sm or data_sm that is not a receipt (MO): the handler answers it. */
  onInbound(carrier: ReceiptCarrier, session: SmppSession, pdu: CarrierMessage): void;
  log: Logger;
  now(): Date;
  /** Receipts arriving within this window share one lookup. */
  batchMs: number;
  /** How long a receipt may wait for its id mapping before the carrier is told "later". */
  mappingWaitMs: number;
  /** An id still unknown this long after it was first seen: its receipt is acked and dropped. */
  unknownDropAfterMs: number;
  /** Counts final receipts per carrier and score key (routing's scores). */
  counts?: ScoreCounter;
}

interface Waiting {
  carrierId: string;
  receiptErrors: ReceiptErrorOverrides | undefined;
  key: PartKey;
  receipt: Receipt;
  session: SmppSession;
  pdu: CarrierMessage;
  firstSeen: number;
  lookups: number;
  /** Its id was stored by this process while its lookup ran: look again at once. */
  storedDuringLookup?: boolean;
}

const MAX_BATCH = 1_000;

/**
 * Turns receipts into ReceiptReceived events. Receipts (deliver_sm, or data_sm from carriers
 * that send them so) are collected for a few milliseconds and looked up in one query; each is
 * answered (deliver_sm_resp / data_sm_resp) only after its event was stored by
 * JetStream, so a crash before that makes the carrier deliver it again. A receipt whose id is
 * not mapped yet (it can overtake our recording of the submit_sm_resp) is looked up again with
 * back-off for `mappingWaitMs`, then answered ESME_RX_T_APPN (temporary: the carrier retries);
 * one whose id is still unknown `unknownDropAfterMs` after it was first seen is acknowledged and
 * dropped, so a carrier that retries for ever is not kept in a loop.
 * One whose id is held only by a final part waits the same way, since a carrier that gave the
 * id again may be reporting on a submit not recorded yet (`matchReceipt`); past the wait it is
 * taken as said again: published to that part (a true repeat has the same event id, so it is
 * one event) and answered.
 */
export function createReceiptHandler(deps: ReceiptDeps) {
  const { log } = deps;
  let due: Waiting[] = [];
  /** Receipts waiting for their next lookup, by the timer that brings them back. */
  const parked = new Map<NodeJS.Timeout, Waiting>();
  /** The receipts of the lookup in flight. */
  let lookingUp: readonly Waiting[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let stopping = false;
  /** Sessions whose unbind answers their parked receipts (one listener each). */
  const watched = new WeakSet<SmppSession>();
  const unknownIds = createUnknownReceipts(deps.unknownDropAfterMs);

  function onRequest(carrier: ReceiptCarrier, session: SmppSession, pdu: IncomingRequest): void {
    const request = carrierRequestOf(pdu);
    switch (request.kind) {
      case "unsupported":
        session.respond(pdu, { commandStatus: CommandStatus.ESME_RINVCMDID });
        return;
      case "inbound":
        deps.onInbound(carrier, session, request.pdu);
        return;
      case "notice":
        // Acknowledged so the SMSC does not send it again; it moves no message (an intermediate
        // notification is not final) and is no handset's message to store as an MO.
        carrierMetrics.notice(carrier.id, request.notice);
        logNotice(log, carrier.id, request.notice);
        session.respond(request.pdu);
        return;
      case "unreadableReceipt":
        // Its shape only: the whole PDU holds the handset's number and the start of the text.
        log.warn(
          { carrierId: carrier.id, pdu: pduLogFields(request.pdu) },
          "unreadable receipt acknowledged and dropped",
        );
        session.respond(request.pdu);
        return;
      case "receipt":
        onReceipt(carrier, session, request.pdu, request.receipt);
        return;
      default: {
        const unreachable: never = request;
        throw new Error(`unknown carrier request ${JSON.stringify(unreachable)}`);
      }
    }
  }

  function onReceipt(
    carrier: ReceiptCarrier,
    session: SmppSession,
    pdu: CarrierMessage,
    receipt: Receipt,
  ): void {
    if (stopping) {
      session.respond(pdu, { commandStatus: CommandStatus.ESME_RX_T_APPN });
      return;
    }
    const carrierMessageId = normalizeCarrierMessageId(
      receipt.carrierMessageId,
      carrier.receiptIdBase,
    );
    enqueue({
      carrierId: carrier.id,
      receiptErrors: carrier.receiptErrors,
      key: { carrierId: carrier.id, carrierMessageId },
      receipt,
      session,
      pdu,
      firstSeen: Date.now(),
      lookups: 0,
    });
  }

  function enqueue(item: Waiting): void {
    due.push(item);
    if (flushTimer === undefined && flushing === undefined) {
      flushTimer = setTimeout(startFlush, deps.batchMs);
    }
  }

  function startFlush(): void {
    flushTimer = undefined;
    if (flushing !== undefined || due.length === 0) return;
    const batch = due.slice(0, MAX_BATCH);
    due = due.slice(MAX_BATCH);
    flushing = flush(batch)
      .catch((error: unknown) => log.error({ err: error }, "receipt batch failed"))
      .finally(() => {
        flushing = undefined;
        if (due.length > 0 && !stopping) flushTimer = setTimeout(startFlush, 0);
      });
  }

  async function flush(batch: Waiting[]): Promise<void> {
    let found: Map<string, PartRow[]>;
    // A failed lookup knows nothing of the ids: they are asked again, never counted towards
    // giving up (an outage of the database would otherwise drop the receipts of real parts).
    let lookedUp = true;
    lookingUp = batch;
    try {
      found = await deps.findParts(batch.map((item) => item.key));
    } catch (error) {
      log.warn({ err: errorMessage(error), receipts: batch.length }, "receipt lookup failed");
      found = new Map();
      lookedUp = false;
    }
    lookingUp = [];
    const now = deps.now();
    const mapped: Array<{ item: Waiting; row: PartRow; events: ConnectorEvent[] }> = [];
    for (const item of batch) {
      const key = partKey(item.key);
      const holders = found.get(key) ?? [];
      const match = matchReceipt(holders, Date.now() - item.firstSeen, deps.mappingWaitMs);
      switch (match.kind) {
        case "matched":
        case "repeated": {
          const row = match.holder;
          if (partStatusOf(item.receipt.stat) !== "pending") {
            // Final from here on for the rest of this batch: the next receipt for the id (a
            // carrier that gave every part one id reports them together) takes the next part.
            found.set(
              key,
              holders.map((h) => (h === row ? { ...h, final: true } : h)),
            );
          }
          if (match.kind === "repeated") {
            log.info(
              { carrierId: item.carrierId, carrierMessageId: item.receipt.carrierMessageId },
              "receipt for a part already final; taken as said again",
            );
          }
          // A message sent whole in message_payload has one receipt for all its parts.
          const events = Array.from({ length: Math.max(1, row.covers) }, (_, i) =>
            eventFor(item, { ...row, part: row.part + i }, now),
          );
          mapped.push({ item, row, events });
          break;
        }
        case "wait":
          waitForMapping(item);
          break;
        case "unknown": {
          const fields = {
            carrierId: item.carrierId,
            carrierMessageId: item.receipt.carrierMessageId,
            stat: item.receipt.stat,
          };
          if (lookedUp && unknownIds.giveUp(partKey(item.key), item.firstSeen, Date.now())) {
            log.error(fields, "receipt for an id never stored; acknowledged and dropped");
            carrierMetrics.receiptDropped(item.carrierId);
            item.session.respond(item.pdu);
          } else {
            log.warn(fields, "receipt for an unknown message id; carrier asked to retry later");
            answerLater(item);
          }
          break;
        }
        default: {
          const unreachable: never = match;
          throw new Error(`unknown receipt match ${JSON.stringify(unreachable)}`);
        }
      }
    }
    if (mapped.length === 0) return;
    try {
      await deps.publishAll(mapped.flatMap((m) => m.events));
    } catch (error) {
      log.warn({ err: errorMessage(error), receipts: mapped.length }, "receipt publish failed");
      for (const { item } of mapped) answerLater(item);
      return;
    }
    for (const { item, row, events } of mapped) {
      item.session.respond(item.pdu);
      const final = partStatusOf(item.receipt.stat) !== "pending";
      carrierMetrics.receipt(item.carrierId, item.receipt.stat, final, row.submittedAt, now);
      // A part already final is a receipt said again (our answer was lost): counted once.
      if (final && !row.final && row.scoreKey) count(item.carrierId, row, events, now);
    }
    const finals = mapped.filter(({ events }) =>
      events.some((e) => e.type === "ReceiptReceived" && e.data.partStatus !== "pending"),
    );
    if (finals.length > 0) {
      // Best effort: a part left unmarked is at worst swept after its validity, and that
      // ValidityExpired follows a final receipt already stored (the status fold decides).
      const holders = finals.map(({ row }) => ({
        carrierId: row.carrierId,
        carrierMessageId: row.carrierMessageId,
        messageId: row.messageId,
        part: row.part,
      }));
      await deps.markFinal(holders).catch((error: unknown) => {
        log.warn({ err: errorMessage(error), parts: finals.length }, "marking final parts failed");
      });
    }
  }

  function count(carrierId: string, row: PartRow, events: ConnectorEvent[], now: Date): void {
    const at = now.getTime();
    for (const event of events) {
      if (event.type !== "ReceiptReceived" || !row.scoreKey) continue;
      const latency =
        event.data.part === 1 && row.submittedAt ? at - row.submittedAt.getTime() : undefined;
      const delivered = event.data.partStatus === "delivered";
      deps.counts?.receipt(carrierId, row.scoreKey, delivered, at, latency);
    }
  }

  function eventFor(item: Waiting, row: PartRow, now: Date): ConnectorEvent {
    const trace = row.traceparent
      ? row.tracestate
        ? { traceparent: row.traceparent, tracestate: row.tracestate }
        : { traceparent: row.traceparent }
      : undefined;
    return receiptEvent(
      {
        cause: { messageId: row.messageId, accountId: row.accountId, trace },
        carrierId: item.carrierId,
        carrierMessageId: item.receipt.carrierMessageId,
        part: row.part,
        stat: item.receipt.stat,
        err: item.receipt.err,
        receiptErrors: item.receiptErrors,
      },
      now,
    );
  }

  function waitForMapping(item: Waiting): void {
    item.lookups += 1;
    if (stopping || item.session.state !== "bound") {
      answerLater(item);
      return;
    }
    if (item.storedDuringLookup) {
      item.storedDuringLookup = false;
      enqueue(item);
      return;
    }
    const waited = Date.now() - item.firstSeen;
    const delay = Math.min(mappingRetryDelayMs(item.lookups), deps.mappingWaitMs - waited);
    const timer = setTimeout(() => {
      parked.delete(timer);
      enqueue(item);
    }, delay);
    parked.set(timer, item);
    answerAtUnbind(item.session);
  }

  /**
   * A session that begins to unbind waits for the answers we owe it (packages/smpp), and a
   * bind whose lease was lost must close before another replica's takes the slot (ADR 0007):
   * its receipts parked for a mapping are told "retry later" then, not at their next lookup.
   */
  function answerAtUnbind(session: SmppSession): void {
    if (watched.has(session)) return;
    watched.add(session);
    session.once("unbinding", () => {
      for (const [timer, item] of parked) {
        if (item.session !== session) continue;
        clearTimeout(timer);
        parked.delete(timer);
        answerLater(item);
      }
    });
  }

  function answerLater(item: Waiting): void {
    item.session.respond(item.pdu, { commandStatus: CommandStatus.ESME_RX_T_APPN });
  }

  /**
   * Parts this process has just stored: the receipts waiting for one of their ids are looked up
   * at once instead of at their next back-off (50, 100, 200 ms …). A receipt often overtakes the
   * recording of its own submit_sm_resp (a carrier that reports at once; the bench's simulator
   * always does), and the back-off made it wait 50-150 ms for a row written a few ms later. Ids
   * stored by another replica are still found by the back-off.
   */
  function mappingsStored(keys: readonly PartKey[]): void {
    if (stopping || (parked.size === 0 && lookingUp.length === 0)) return;
    const stored = new Set(keys.map(partKey));
    for (const item of lookingUp) if (stored.has(partKey(item.key))) item.storedDuringLookup = true;
    for (const [timer, item] of parked) {
      if (!stored.has(partKey(item.key))) continue;
      clearTimeout(timer);
      parked.delete(timer);
      enqueue(item);
    }
  }

  return {
    onRequest,
    mappingsStored,
    /** Receipts waiting for a lookup or a mapping. */
    get waiting(): number {
      return due.length + parked.size;
    },
    /** Finishes the lookup in flight; everything still waiting is told "retry later". */
    async stop(): Promise<void> {
      stopping = true;
      clearTimeout(flushTimer);
      flushTimer = undefined;
      await flushing;
      for (const [timer, item] of parked) {
        clearTimeout(timer);
        answerLater(item);
      }
      parked.clear();
      for (const item of due.splice(0)) answerLater(item);
    },
  };
}

export type ReceiptHandler = ReturnType<typeof createReceiptHandler>;

/**
 * An intermediate notification or a delivery acknowledgement is routine; a reserved type, or a
 * user acknowledgement (which may hold the handset user's reply), is worth an operator's look.
 */
function logNotice(log: Logger, carrierId: string, notice: DeliveredNotice): void {
  const fields = { carrierId, notice };
  if (notice === "intermediate_notification" || notice === "sme_delivery_ack") {
    log.debug(fields, "carrier notice acknowledged, not stored");
  } else {
    log.warn(fields, "carrier notice acknowledged, not stored");
  }
}
