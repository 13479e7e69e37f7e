import { createRequire } from "node:module";

/**
 * The npm `smpp` package (an SMPP implementation we did not write), for interop tests. It
 * ships no types: this is the small part of its API the tests use.
 */
export interface NpmPdu {
  command: string;
  command_status: number;
  sequence_number: number;
  message_id?: string;
  esm_class?: number;
  short_message?: { message?: string | Buffer } | Buffer | string;
  receipted_message_id?: string;
  message_state?: number;
  final_date?: string | Date;
  error_code?: number;
  [field: string]: unknown;
  response(fields?: Record<string, unknown>): NpmPdu;
}

export interface NpmSession {
  on(event: string, listener: (pdu: NpmPdu) => void): void;
  send(pdu: NpmPdu): boolean;
  close(callback?: () => void): void;
  bind_transceiver(fields: Record<string, unknown>, callback: (pdu: NpmPdu) => void): void;
  bind_transmitter(fields: Record<string, unknown>, callback: (pdu: NpmPdu) => void): void;
  bind_receiver(fields: Record<string, unknown>, callback: (pdu: NpmPdu) => void): void;
  submit_sm(fields: Record<string, unknown>, callback: (pdu: NpmPdu) => void): void;
  data_sm(fields: Record<string, unknown>, callback: (pdu: NpmPdu) => void): void;
  deliver_sm(fields: Record<string, unknown>, callback: (pdu: NpmPdu) => void): void;
  query_sm(fields: Record<string, unknown>, callback: (pdu: NpmPdu) => void): void;
  cancel_sm(fields: Record<string, unknown>, callback: (pdu: NpmPdu) => void): void;
  unbind(callback?: (pdu: NpmPdu) => void): void;
}

export interface NpmServer {
  listen(port: number, host: string, callback: () => void): void;
  address(): { port: number };
  close(callback?: () => void): void;
  readonly sessions: NpmSession[];
}

interface NpmSmpp {
  /** `smpp://` or `ssmpp://` (TLS; the options go on to `tls.connect`). */
  connect(
    options: { url: string; rejectUnauthorized?: boolean },
    listener?: () => void,
  ): NpmSession;
  createServer(listener: (session: NpmSession) => void): NpmServer;
}

export const npmSmpp = createRequire(import.meta.url)("smpp") as NpmSmpp;
