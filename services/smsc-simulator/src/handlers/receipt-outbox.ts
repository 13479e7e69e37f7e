import type { Logger } from "@smsgw/service-kit";
import { errorMessage } from "@smsgw/service-kit";
import type { Outgoing, SmppSession } from "@smsgw/smpp";

export interface ReceiptJob {
  carrierMessageId: string;
  /** deliver_sm, or data_sm for a carrier that sends receipts so. */
  pdu: Outgoing<"deliver_sm" | "data_sm">;
  attempts: number;
}

export interface ReceiptOutboxOptions {
  carrierId: string;
  /** The carrier's sessions; receipts go to bound receivers and transceivers. */
  sessions: () => Iterable<SmppSession>;
  log: Logger;
  /** How long the ESME may take to answer a receipt (it may wait for its id mapping). */
  responseTimeoutMs?: number;
  /** Attempts before a receipt is given up (a refused or unanswered receipt is retried). */
  maxAttempts?: number;
  /** Receipts kept while no receiver is bound; the oldest go first past it. */
  maxWaiting?: number;
}

/**
 * Sends a carrier's receipts as its ESMEs can take them: on any bound receiver or
 * transceiver (round robin), kept while none is bound and sent when one binds, retried with
 * back-off when the ESME answers with an error (ESME_RX_T_APPN: "try later") or not at all.
 */
export function createReceiptOutbox(options: ReceiptOutboxOptions) {
  const { carrierId, log } = options;
  const responseTimeoutMs = options.responseTimeoutMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const maxWaiting = options.maxWaiting ?? 100_000;
  const waiting: ReceiptJob[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let turn = 0;
  let closed = false;

  function receivers(): SmppSession[] {
    return [...options.sessions()].filter(
      (s) => s.state === "bound" && s.bindMode !== undefined && s.bindMode !== "transmitter",
    );
  }

  function later(job: ReceiptJob, delayMs: number): void {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(job);
    }, delayMs);
    timers.add(timer);
  }

  function keep(job: ReceiptJob): void {
    if (waiting.length >= maxWaiting) {
      const dropped = waiting.shift();
      log.warn({ carrierId, carrierMessageId: dropped?.carrierMessageId }, "receipt dropped");
    }
    waiting.push(job);
  }

  function retry(job: ReceiptJob, why: string): void {
    job.attempts += 1;
    if (job.attempts >= maxAttempts) {
      log.warn({ carrierId, carrierMessageId: job.carrierMessageId, why }, "receipt given up");
      return;
    }
    log.debug({ carrierId, carrierMessageId: job.carrierMessageId, why }, "receipt retried");
    later(job, Math.min(30_000, 500 * 2 ** job.attempts));
  }

  function send(job: ReceiptJob): void {
    if (closed) return;
    const sessions = receivers();
    const session = sessions[turn++ % Math.max(1, sessions.length)];
    if (!session) {
      keep(job);
      return;
    }
    session.request(job.pdu, { timeoutMs: responseTimeoutMs }).then(
      (response) => {
        if (response.commandStatus !== 0) retry(job, `command_status ${response.commandStatus}`);
      },
      (error: unknown) => retry(job, errorMessage(error)),
    );
  }

  return {
    /** Sends the receipt after `delayMs`. */
    schedule(job: ReceiptJob, delayMs: number): void {
      if (delayMs <= 0) send(job);
      else later(job, delayMs);
    },
    /**
     * A receiver bound: what waited for one goes shortly after. Not at once: an ESME attaches
     * its deliver_sm handler when its bind call returns, and a receipt sent right behind the
     * bind_resp would reach it before that (and get the session's default answer).
     */
    flush(delayMs = 100): void {
      if (closed) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        for (const job of waiting.splice(0)) send(job);
      }, delayMs);
      timers.add(timer);
    },
    get waiting(): number {
      return waiting.length;
    },
    close(): void {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      waiting.length = 0;
    },
  };
}

export type ReceiptOutbox = ReturnType<typeof createReceiptOutbox>;
