import type { Socket } from "node:net";
import { genericNack } from "./builders.ts";
import { decodePdu, encodePdu } from "./codec.ts";
import { CommandStatus } from "./command-status.ts";
import { SmppDecodeError } from "./errors.ts";
import { FrameSplitter } from "./frame-splitter.ts";
import type { Pdu } from "./pdu.ts";

export type PduSocketHandlers = {
  /** A whole, decoded PDU. */
  readonly onPdu: (pdu: Pdu) => void;
  /** A whole frame that does not decode; the stream is still in sync. */
  readonly onBadFrame: (error: SmppDecodeError) => void;
  /** An absurd command_length: a generic_nack has been sent, the connection must go. */
  readonly onOutOfSync: (error: SmppDecodeError) => void;
  /** Every PDU written, for the session's "pdu" event. */
  readonly onSent: (pdu: Pdu) => void;
  /** A handler threw (a listener bug): reading has stopped, the connection must go. */
  readonly onHandlerError: (error: Error) => void;
};

/** Bytes <-> PDUs over one socket: framing, decoding, encoding. No protocol state. */
export class PduSocket {
  readonly #socket: Socket;
  readonly #handlers: PduSocketHandlers;
  readonly #splitter = new FrameSplitter();
  #reading = true;

  constructor(socket: Socket, handlers: PduSocketHandlers) {
    this.#socket = socket;
    this.#handlers = handlers;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
  }

  /** Encodes (throws SmppEncodeError) and writes; false if the socket can no longer write. */
  send(pdu: Pdu): boolean {
    return this.sendFrame(encodePdu(pdu), pdu);
  }

  sendFrame(frame: Buffer, pdu: Pdu): boolean {
    if (!this.#socket.writable) return false;
    // The PDUs written in one tick (a batch's submits, a burst's receipt answers) leave in
    // one writev instead of a syscall each; nothing waits longer than the current tick.
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(this.#uncork);
    }
    this.#socket.write(frame);
    this.#handlers.onSent(pdu);
    if (this.#socket.writableNeedDrain) this.#holdReading();
    return true;
  }

  /**
   * A peer that does not read what we write (our answers pile up in the socket's buffer)
   * is not read either until the buffer drains: every request we read makes an answer, so
   * reading on would grow our memory without bound. TCP then slows the peer down.
   */
  #holding = false;
  #holdReading(): void {
    if (this.#holding) return;
    this.#holding = true;
    this.#socket.pause();
    this.#socket.once("drain", () => {
      this.#holding = false;
      if (this.#reading) this.#socket.resume();
    });
  }

  #corked = false;
  readonly #uncork = () => {
    this.#corked = false;
    this.#socket.uncork();
  };

  /** Stops reading, flushes what was written, closes; destroys if the peer lingers. */
  end(): void {
    this.#reading = false;
    this.#socket.end();
    const force = setTimeout(() => this.#socket.destroy(), 2_000);
    force.unref();
    this.#socket.once("close", () => clearTimeout(force));
  }

  #onData(chunk: Buffer): void {
    if (!this.#reading) return;
    let frames: Buffer[];
    try {
      frames = this.#splitter.push(chunk);
    } catch (error) {
      this.#reading = false;
      this.send(genericNack(0, CommandStatus.ESME_RINVCMDLEN));
      this.#handlers.onOutOfSync(asDecodeError(error));
      return;
    }
    try {
      for (const frame of frames) {
        if (!this.#reading) return;
        this.#onFrame(frame);
      }
    } catch (error) {
      this.#reading = false;
      this.#handlers.onHandlerError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #onFrame(frame: Buffer): void {
    let pdu: Pdu;
    try {
      pdu = decodePdu(frame);
    } catch (error) {
      this.#handlers.onBadFrame(asDecodeError(error));
      return;
    }
    this.#handlers.onPdu(pdu);
  }
}

function asDecodeError(error: unknown): SmppDecodeError {
  if (error instanceof SmppDecodeError) return error;
  return new SmppDecodeError(String(error), CommandStatus.ESME_RSYSERR, undefined, {
    cause: error,
  });
}
