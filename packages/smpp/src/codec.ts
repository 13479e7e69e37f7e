import {
  expectEnd,
  readBind,
  readBindResp,
  readCancelSm,
  readDataSm,
  readMessage,
  readMessageResp,
  readQuerySm,
  readQuerySmResp,
  writeBind,
  writeBindResp,
  writeCancelSm,
  writeDataSm,
  writeMessage,
  writeMessageResp,
  writeQuerySm,
  writeQuerySmResp,
} from "./body-codec.ts";
import { BodyReader } from "./bytes.ts";
import { CommandId, type CommandName, commandNameOf } from "./command-id.ts";
import { CommandStatus } from "./command-status.ts";
import { type DecodedHeader, SmppDecodeError, SmppEncodeError } from "./errors.ts";
import type { Pdu } from "./pdu.ts";

export const HEADER_LENGTH = 16;
/** Frames longer than this are refused (message_payload tops out around 64 KB). */
export const MAX_PDU_LENGTH = 64 * 1024;

export function encodePdu(pdu: Pdu): Buffer {
  const body = encodeBody(pdu);
  const length = HEADER_LENGTH + body.length;
  if (length > MAX_PDU_LENGTH) throw new SmppEncodeError(`${pdu.command}: ${length} bytes`);
  checkU32(pdu.commandStatus, "command_status");
  checkU32(pdu.sequenceNumber, "sequence_number");
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt32BE(length, 0);
  header.writeUInt32BE(CommandId[pdu.command], 4);
  header.writeUInt32BE(pdu.commandStatus, 8);
  header.writeUInt32BE(pdu.sequenceNumber, 12);
  return Buffer.concat([header, body]);
}

function encodeBody(pdu: Pdu): Buffer {
  switch (pdu.command) {
    case "bind_transmitter":
    case "bind_receiver":
    case "bind_transceiver":
      return writeBind(pdu);
    case "bind_transmitter_resp":
    case "bind_receiver_resp":
    case "bind_transceiver_resp":
      return writeBindResp(pdu);
    case "submit_sm":
    case "deliver_sm":
      return writeMessage(pdu);
    case "submit_sm_resp":
      // SMPP 3.4 4.4.2: the body is not returned when command_status is not 0.
      return pdu.commandStatus === 0 ? writeMessageResp(pdu) : Buffer.alloc(0);
    case "deliver_sm_resp":
      return writeMessageResp(pdu);
    case "data_sm":
      return writeDataSm(pdu);
    case "data_sm_resp":
      return pdu.commandStatus === 0 ? writeMessageResp(pdu) : Buffer.alloc(0);
    case "query_sm":
      return writeQuerySm(pdu);
    case "query_sm_resp":
      // Unlike submit_sm_resp, SMPP 3.4 keeps the body in a refusal; peers read it either way.
      return writeQuerySmResp(pdu);
    case "cancel_sm":
      return writeCancelSm(pdu);
    case "cancel_sm_resp":
    case "enquire_link":
    case "enquire_link_resp":
    case "unbind":
    case "unbind_resp":
    case "generic_nack":
      return Buffer.alloc(0);
    default:
      return pdu satisfies never;
  }
}

/** Reads the header of a frame of at least 16 bytes. */
export function readHeader(frame: Buffer): DecodedHeader {
  return {
    commandId: frame.readUInt32BE(4),
    commandStatus: frame.readUInt32BE(8),
    sequenceNumber: frame.readUInt32BE(12),
  };
}

/** Decodes one whole frame. Throws SmppDecodeError, and nothing else, on malformed input. */
export function decodePdu(frame: Buffer): Pdu {
  if (frame.length < HEADER_LENGTH || frame.readUInt32BE(0) !== frame.length) {
    throw new SmppDecodeError(
      `frame of ${frame.length} bytes does not match its command_length`,
      CommandStatus.ESME_RINVCMDLEN,
      frame.length >= HEADER_LENGTH ? readHeader(frame) : undefined,
    );
  }
  const header = readHeader(frame);
  const command = commandNameOf(header.commandId);
  if (command === undefined) {
    const id = `0x${header.commandId.toString(16).padStart(8, "0")}`;
    throw new SmppDecodeError(`unknown command_id ${id}`, CommandStatus.ESME_RINVCMDID, header);
  }
  try {
    return decodeBody(command, header, new BodyReader(frame, HEADER_LENGTH));
  } catch (error) {
    const status = error instanceof SmppDecodeError ? error.status : CommandStatus.ESME_RSYSERR;
    const message = error instanceof Error ? error.message : String(error);
    throw new SmppDecodeError(`${command}: ${message}`, status, header, { cause: error });
  }
}

function decodeBody(command: CommandName, h: DecodedHeader, r: BodyReader): Pdu {
  const head = { commandStatus: h.commandStatus, sequenceNumber: h.sequenceNumber };
  switch (command) {
    case "bind_transmitter":
    case "bind_receiver":
    case "bind_transceiver":
      return { command, ...head, ...readBind(r) };
    case "bind_transmitter_resp":
    case "bind_receiver_resp":
    case "bind_transceiver_resp":
      return { command, ...head, ...readBindResp(r) };
    case "submit_sm":
    case "deliver_sm":
      return { command, ...head, ...readMessage(r) };
    case "submit_sm_resp":
    case "deliver_sm_resp":
    case "data_sm_resp":
      return { command, ...head, ...readMessageResp(r) };
    case "data_sm":
      return { command, ...head, ...readDataSm(r) };
    case "query_sm":
      return { command, ...head, ...readQuerySm(r) };
    case "query_sm_resp":
      return { command, ...head, ...readQuerySmResp(r) };
    case "cancel_sm":
      return { command, ...head, ...readCancelSm(r) };
    case "cancel_sm_resp":
      // A response: a stray body is ignored rather than failing the cancel it answers.
      return { command, ...head };
    case "enquire_link":
    case "enquire_link_resp":
    case "unbind":
    case "unbind_resp":
    case "generic_nack":
      expectEnd(r);
      return { command, ...head };
    default:
      return command satisfies never;
  }
}

function checkU32(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new SmppEncodeError(`${field}: ${value} is not a 32-bit unsigned integer`);
  }
}
