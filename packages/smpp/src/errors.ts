import { commandStatusName } from "./command-status.ts";

/** Base class of every error this package throws or rejects with. */
export class SmppError extends Error {
  override name = "SmppError";
}

export type DecodedHeader = {
  readonly commandId: number;
  readonly commandStatus: number;
  readonly sequenceNumber: number;
};

/**
 * Malformed bytes from the peer. `status` is the command_status to put in the generic_nack
 * (ESME_RINVCMDLEN, ESME_RINVCMDID, ...); `header` is set when the 16-byte header was readable.
 */
export class SmppDecodeError extends SmppError {
  override name = "SmppDecodeError";
  readonly status: number;
  readonly header: DecodedHeader | undefined;
  constructor(message: string, status: number, header?: DecodedHeader, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
    this.header = header;
  }
}

/** A PDU we were asked to send does not fit SMPP 3.4 (string too long, octet out of range...). */
export class SmppEncodeError extends SmppError {
  override name = "SmppEncodeError";
}

/**
 * No response arrived in time. For a submit_sm the outcome is UNKNOWN: the SMSC may have
 * accepted it (resubmitting may duplicate) or never seen it. A late response is emitted as
 * the session's "unmatchedResponse" event.
 */
export class SmppResponseTimeoutError extends SmppError {
  override name = "SmppResponseTimeoutError";
  readonly command: string;
  readonly sequenceNumber: number;
  constructor(command: string, sequenceNumber: number, timeoutMs: number) {
    super(`no response to ${command} #${sequenceNumber} within ${timeoutMs} ms (outcome unknown)`);
    this.command = command;
    this.sequenceNumber = sequenceNumber;
  }
}

/** The peer answered our request with generic_nack (it could not parse or does not know it). */
export class SmppGenericNackError extends SmppError {
  override name = "SmppGenericNackError";
  readonly commandStatus: number;
  readonly command: string;
  readonly sequenceNumber: number;
  constructor(command: string, sequenceNumber: number, commandStatus: number) {
    super(`generic_nack ${commandStatusName(commandStatus)} for ${command} #${sequenceNumber}`);
    this.command = command;
    this.sequenceNumber = sequenceNumber;
    this.commandStatus = commandStatus;
  }
}

/**
 * The connection closed before the response arrived. `requestSent` false: the request never
 * left this process (safe to send elsewhere); true: outcome unknown, as for a timeout.
 */
export class SmppConnectionClosedError extends SmppError {
  override name = "SmppConnectionClosedError";
  readonly requestSent: boolean;
  constructor(requestSent: boolean, options?: ErrorOptions) {
    super(
      requestSent ? "connection closed before the response (outcome unknown)" : "connection closed",
      options,
    );
    this.requestSent = requestSent;
  }
}

/** The request is not allowed in the session's current state (not bound, unbinding, closed). */
export class SmppSessionStateError extends SmppError {
  override name = "SmppSessionStateError";
  readonly state: string;
  constructor(command: string, state: string) {
    super(`cannot send ${command}: session is ${state}`);
    this.state = state;
  }
}

/** The SMSC refused the bind; `commandStatus` says why (0x0E bad password, 0x0F bad system_id...). */
export class SmppBindError extends SmppError {
  override name = "SmppBindError";
  readonly commandStatus: number;
  constructor(commandStatus: number) {
    super(`bind refused: ${commandStatusName(commandStatus)}`);
    this.commandStatus = commandStatus;
  }
}

/** The TCP connection could not be opened (refused, unreachable, connect timeout). */
export class SmppConnectError extends SmppError {
  override name = "SmppConnectError";
}
