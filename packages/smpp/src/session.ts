import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { buildResponse, genericNack } from "./builders.ts";
import { encodePdu } from "./codec.ts";
import { CommandStatus } from "./command-status.ts";
import {
  SmppConnectionClosedError,
  type SmppDecodeError,
  SmppGenericNackError,
  SmppResponseTimeoutError,
  SmppSessionStateError,
} from "./errors.ts";
import { InFlight } from "./in-flight.ts";
import { decideIncoming, type SessionRole, type SessionState } from "./incoming-policy.ts";
import { Keepalive } from "./keepalive.ts";
import * as P from "./pdu.ts";
import { PduSocket } from "./pdu-socket.ts";

export type SessionOptions = {
  /** Requests in flight at once; callers beyond it wait FIFO. Default 10. */
  windowSize?: number;
  /** Per request; past it the request fails with SmppResponseTimeoutError. Default 10 000. */
  responseTimeoutMs?: number;
  /** enquire_link after this much silence from the peer; 0 = never. Default 30 000. */
  enquireLinkMs?: number;
};

export type CloseInfo = { readonly error: Error | undefined };
/** Requests handed to the owner, who must answer each with `respond()`. */
export type IncomingRequest =
  | P.BindRequest
  | P.SubmitSm
  | P.DeliverSm
  | P.DataSm
  | P.QuerySm
  | P.CancelSm;

export type SessionEvents = {
  request: [pdu: IncomingRequest];
  bound: [mode: P.BindMode];
  /** Every PDU decoded or sent, for logs and tests. */
  pdu: [direction: "in" | "out", pdu: P.Pdu];
  /** A response matching nothing in flight, e.g. one arriving after its timeout. */
  unmatchedResponse: [pdu: P.ResponsePdu];
  /** Recoverable protocol trouble (undecodable PDU answered with generic_nack...). */
  warning: [error: Error];
  /**
   * Either side began an unbind: the session takes no new requests, and the unbind waits (at
   * most a response timeout) for the owner's answers to the peer's requests it holds. An owner
   * that holds one for a reason of its own (waiting for data that may not come) answers it now.
   */
  unbinding: [];
  close: [info: CloseInfo];
};

export type { SessionRole, SessionState };

/** One SMPP connection, either side (ESME client or SMSC server). See README.md. */
export class SmppSession extends EventEmitter<SessionEvents> {
  /** The ESME's side (`bindClient`) or the SMSC's (`createSmppServer`): data_sm follows it. */
  readonly role: SessionRole;
  readonly #io: PduSocket;
  readonly #responseTimeoutMs: number;
  readonly #inFlight: InFlight;
  readonly #keepalive: Keepalive;
  readonly #unanswered = new Set<number>();
  /** Of those, the ones handed to the owner ("request" event): its answers may take a while. */
  readonly #withOwner = new Set<number>();
  #ownerIdleWaiters: Array<() => void> = [];
  readonly #closed = Promise.withResolvers<CloseInfo>();
  #state: SessionState = "open";
  #bindMode: P.BindMode | undefined;
  #peerSystemId: string | undefined;
  #closeError: Error | undefined;
  #unbinding: Promise<void> | undefined;

  constructor(socket: Socket, role: SessionRole, options: SessionOptions = {}) {
    super();
    this.role = role;
    this.#responseTimeoutMs = options.responseTimeoutMs ?? 10_000;
    this.#inFlight = new InFlight(options.windowSize ?? 10);
    this.#keepalive = new Keepalive(
      options.enquireLinkMs ?? 30_000,
      () => this.#send({ command: "enquire_link" }, this.#responseTimeoutMs, false),
      (error) => {
        if (error instanceof SmppResponseTimeoutError) this.close(error); // dead link
      },
    );
    this.#io = new PduSocket(socket, {
      onPdu: (pdu) => this.#onPdu(pdu),
      onBadFrame: (error) => this.#onBadFrame(error),
      onOutOfSync: (error) => this.close(error),
      onSent: (pdu) => this.emit("pdu", "out", pdu),
      onHandlerError: (error) => this.close(error),
    });
    socket.on("error", (error) => this.close(error));
    // The peer's FIN: it will answer nothing more, and a write now would fail after the fact
    // (counted as sent: an unknown outcome). Closing at once refuses later requests as unsent.
    socket.on("end", () => this.#onPeerGone());
    socket.on("close", () => this.#onSocketClose());
  }

  get state(): SessionState {
    return this.#state;
  }
  get bindMode(): P.BindMode | undefined {
    return this.#bindMode;
  }
  /** system_id of the other side: the ESME's on a server session, the SMSC's on a client. */
  get peerSystemId(): string | undefined {
    return this.#peerSystemId;
  }
  /** Requests sent and awaiting their response. */
  get inFlight(): number {
    return this.#inFlight.size;
  }
  /** Resolves (never rejects) once the socket is closed; `error` says why, if not by choice. */
  get closed(): Promise<CloseInfo> {
    return this.#closed.promise;
  }

  /**
   * Sends a request and resolves with its response, whatever its command_status. Rejects with
   * SmppGenericNackError, SmppResponseTimeoutError (outcome unknown), SmppConnectionClosedError
   * (`requestSent` says whether the outcome is unknown) or SmppSessionStateError.
   */
  async request<R extends P.OutgoingRequest>(
    pdu: R,
    options: {
      timeoutMs?: number;
      /**
       * Runs once a window slot is ours, right before the request is written (a pause or a
       * rate the caller keeps); throwing gives the slot back and nothing is sent.
       */
      beforeSend?: () => Promise<void>;
    } = {},
  ): Promise<P.ResponseMap[R["command"]]> {
    this.#checkCanSend(pdu.command);
    await this.#inFlight.acquire();
    try {
      await options.beforeSend?.();
      this.#checkCanSend(pdu.command); // the state may have changed while we queued
    } catch (error) {
      this.#inFlight.release();
      throw error;
    }
    const response = this.#send(pdu, options.timeoutMs ?? this.#responseTimeoutMs, true);
    return (await response) as P.ResponseMap[R["command"]];
  }

  /** Answers a request from the "request" event. False if already answered or closed. */
  respond<C extends P.RequestCommand>(
    request: P.RequestPdu & { command: C },
    fields?: P.ResponseFields<C>,
  ): boolean {
    const sequence = request.sequenceNumber;
    if (!this.#unanswered.has(sequence)) return false;
    const response: P.ResponsePdu = buildResponse(request, fields);
    const frame = encodePdu(response); // throws SmppEncodeError before anything is sent
    this.#unanswered.delete(sequence);
    if (P.isBindRequest(request) && response.commandStatus === 0 && this.#state === "open") {
      this.#becomeBound(P.bindModeOf(request.command), request.systemId);
    }
    const sent = this.#io.sendFrame(frame, response);
    if (this.#withOwner.delete(sequence) && this.#withOwner.size === 0) this.#ownerIdle();
    return sent;
  }

  /**
   * Graceful end: refuses new requests (queued ones fail with SmppSessionStateError, never
   * sent; the peer's are answered by the session, see incoming-policy.ts), waits for in-flight
   * responses and for the owner's answers to the peer's requests it holds (each at most a
   * response timeout), sends unbind, waits for unbind_resp (at most `timeoutMs`), closes.
   * Never rejects.
   */
  unbind(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#unbinding) return this.#unbinding;
    if (this.#state !== "bound") {
      this.close();
      return this.closed.then(() => undefined);
    }
    this.#stopRequests();
    this.#unbinding = this.#drainAndUnbind(options.timeoutMs ?? this.#responseTimeoutMs);
    return this.#unbinding;
  }

  /** Closes now: everything in flight fails with SmppConnectionClosedError. */
  close(error?: Error): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#closeError = error;
    this.#keepalive.stop();
    this.#unanswered.clear();
    this.#withOwner.clear();
    this.#ownerIdle();
    const cause = error ? { cause: error } : undefined;
    this.#inFlight.rejectAll(
      new SmppConnectionClosedError(true, cause),
      new SmppConnectionClosedError(false, cause),
    );
    this.#io.end();
  }

  /** No new requests: queued ones fail with SmppSessionStateError (never sent). */
  #stopRequests(): void {
    this.#state = "unbinding";
    this.#keepalive.stop();
    this.#inFlight.rejectQueued(new SmppSessionStateError("request", "unbinding"));
    this.emit("unbinding");
  }

  /** Waits for `idle`, at most a response timeout (and a second). */
  async #bounded(idle: Promise<void>): Promise<void> {
    const bound = delay(this.#responseTimeoutMs + 1_000);
    await Promise.race([idle, bound.promise]);
    bound.cancel();
  }

  /** Resolves once the owner has answered every request it was handed (or on close). */
  #ownerAnswered(): Promise<void> {
    if (this.#withOwner.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#ownerIdleWaiters.push(resolve));
  }

  #ownerIdle(): void {
    const waiters = this.#ownerIdleWaiters;
    this.#ownerIdleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * The peer's unbind. The peer still awaits the answers to what it sent before (SMPP 3.4
   * 2.3, 4.2): a submit the owner is charging and publishing must not lose its submit_sm_resp
   * to our close, or the peer sends it again under a new sequence number, and the handset gets
   * it twice. So no new requests either way (the peer's are refused by the session), the
   * unbind answered once the owner has answered what it holds (bounded), and the session
   * closed once that and our own responses in flight have come (an SMSC may drain its side
   * after its unbind: closed at once, each would be an unknown outcome; bounded, the peer's
   * close ends it sooner). During our own unbind, that one goes on.
   */
  #onPeerUnbind(unbind: P.RequestPdu): void {
    if (this.#state !== "bound" && this.#state !== "unbinding") {
      this.respond(unbind);
      this.close();
      return;
    }
    const wasUnbinding = this.#state === "unbinding";
    if (!wasUnbinding) this.#stopRequests();
    // At once when the owner holds nothing: a crossing unbind_resp must not close us first.
    let answered = Promise.resolve();
    if (this.#withOwner.size === 0) this.respond(unbind);
    else answered = this.#bounded(this.#ownerAnswered()).then(() => void this.respond(unbind));
    if (wasUnbinding) return;
    this.#unbinding = Promise.all([answered, this.#bounded(this.#inFlight.whenIdle())]).then(() => {
      this.close();
      return this.closed.then(() => undefined);
    });
  }

  async #drainAndUnbind(timeoutMs: number): Promise<void> {
    const idle = Promise.all([this.#inFlight.whenIdle(), this.#ownerAnswered()]);
    await this.#bounded(idle.then(() => undefined));
    if (this.#state === "unbinding") {
      await this.#send({ command: "unbind" }, timeoutMs, false).catch(() => undefined);
    }
    this.close();
    await this.closed;
  }

  #checkCanSend(command: P.RequestCommand): void {
    const state = this.#state;
    if (state === "closed") throw new SmppConnectionClosedError(false, { cause: this.#closeError });
    if (state === "unbinding" || (state === "open") !== command.startsWith("bind_")) {
      throw new SmppSessionStateError(command, state);
    }
  }

  /** Assigns a sequence number, writes, and awaits the response. */
  #send(pdu: P.OutgoingRequest, timeoutMs: number, usesSlot: boolean): Promise<P.ResponsePdu> {
    const sequenceNumber = this.#inFlight.nextSequence();
    const full = { ...pdu, commandStatus: 0, sequenceNumber } as P.RequestPdu;
    let frame: Buffer;
    try {
      frame = encodePdu(full);
    } catch (error) {
      if (usesSlot) this.#inFlight.release();
      return Promise.reject(error);
    }
    const response = this.#inFlight.track(sequenceNumber, pdu.command, timeoutMs, usesSlot);
    this.#io.sendFrame(frame, full); // if this fails, the socket's close rejects the request
    return response;
  }

  #onPdu(pdu: P.Pdu): void {
    this.#keepalive.touch();
    this.emit("pdu", "in", pdu);
    if (isResponse(pdu)) this.#onResponse(pdu);
    else this.#onRequest(pdu);
  }

  #onBadFrame(error: SmppDecodeError): void {
    this.#keepalive.touch();
    const header = error.header;
    if (header && header.commandId >= 0x80000000) {
      // Never nack a response: fail the request it answers (its outcome is unknown).
      if (!this.#inFlight.reject(header.sequenceNumber, error)) this.emit("warning", error);
      return;
    }
    this.#io.send(genericNack(header?.sequenceNumber ?? 0, error.status));
    this.emit("warning", error);
  }

  #onResponse(pdu: P.ResponsePdu): void {
    const seq = pdu.sequenceNumber;
    const command = this.#inFlight.commandOf(seq);
    if (pdu.command === "generic_nack" && command !== undefined) {
      this.#inFlight.reject(seq, new SmppGenericNackError(command, seq, pdu.commandStatus));
      return;
    }
    if (command === undefined || pdu.command !== `${command}_resp`) {
      this.emit("unmatchedResponse", pdu);
      return;
    }
    if ("systemId" in pdu && pdu.commandStatus === 0 && this.#state === "open") {
      this.#becomeBound(P.bindModeOf(command as P.BindRequest["command"]), pdu.systemId);
    }
    this.#inFlight.resolve(seq, pdu);
  }

  #onRequest(pdu: P.RequestPdu): void {
    if (this.#unanswered.has(pdu.sequenceNumber)) {
      // The peer sent it again (its timer ran out) while the first is still being answered:
      // that answer serves both. Handled twice, a submit_sm would be sent and charged twice
      // while the peer, matching answers by sequence number, learns of one.
      this.emit(
        "warning",
        new Error(`${pdu.command} ${pdu.sequenceNumber} came again while being answered; ignored`),
      );
      return;
    }
    const action = decideIncoming(pdu, this.#state, this.#bindMode, this.role);
    this.#unanswered.add(pdu.sequenceNumber);
    if (action.kind === "respond") {
      this.respond(pdu, { commandStatus: action.commandStatus });
    } else if (action.kind === "respondAndClose") {
      this.#onPeerUnbind(pdu);
    } else if (this.listenerCount("request") === 0) {
      this.respond(pdu, { commandStatus: action.fallbackStatus });
    } else {
      this.#withOwner.add(pdu.sequenceNumber);
      try {
        this.emit("request", pdu as IncomingRequest);
      } catch (error) {
        this.emit("warning", error instanceof Error ? error : new Error(String(error)));
        this.respond(pdu, { commandStatus: CommandStatus.ESME_RSYSERR });
      }
    }
  }

  #becomeBound(mode: P.BindMode, peerSystemId: string): void {
    this.#state = "bound";
    this.#bindMode = mode;
    this.#peerSystemId = peerSystemId;
    this.#keepalive.start();
    this.emit("bound", mode);
  }

  #onPeerGone(): void {
    if (this.#state !== "closed") {
      this.close(new SmppConnectionClosedError(false, { cause: new Error("closed by the peer") }));
    }
  }

  #onSocketClose(): void {
    this.#onPeerGone();
    this.emit("close", { error: this.#closeError });
    this.#closed.resolve({ error: this.#closeError });
  }
}

function isResponse(pdu: P.Pdu): pdu is P.ResponsePdu {
  return pdu.command === "generic_nack" || pdu.command.endsWith("_resp");
}

function delay(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}
