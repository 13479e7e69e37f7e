import { connect, type Socket } from "node:net";
import { bindRequest } from "./builders.ts";
import { SmppBindError, SmppConnectError } from "./errors.ts";
import type { BindMode } from "./pdu.ts";
import { type SessionOptions, SmppSession } from "./session.ts";

export type BindClientOptions = SessionOptions & {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType?: string;
  mode: BindMode;
  /** TCP connect deadline. Default 10 000. The bind itself is bounded by responseTimeoutMs. */
  connectTimeoutMs?: number;
  /**
   * Called with the session before the bind is sent. Attach "request" listeners here: an
   * SMSC may send deliver_sm right behind bind_resp, in the same read, before this
   * function's caller resumes (it would otherwise be answered with a temporary error).
   */
  onSession?: (session: SmppSession) => void;
};

/**
 * Connects and binds. Resolves with a bound session; rejects with SmppConnectError (TCP),
 * SmppBindError (the SMSC refused: `commandStatus`), or a session error (timeout, closed).
 * No retry here: reconnecting with backoff is the caller's job.
 */
export async function bindClient(options: BindClientOptions): Promise<SmppSession> {
  const socket = await openSocket(options.host, options.port, options.connectTimeoutMs ?? 10_000);
  const session = new SmppSession(socket, "esme", options);
  options.onSession?.(session);
  try {
    const request = bindRequest(options.mode, {
      systemId: options.systemId,
      password: options.password,
      systemType: options.systemType ?? "",
    });
    const response = await session.request(request);
    if (response.commandStatus !== 0) throw new SmppBindError(response.commandStatus);
    return session;
  } catch (error) {
    session.close();
    throw error;
  }
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new SmppConnectError(`cannot connect to ${host}:${port}`, { cause: error }));
    };
    const timer = setTimeout(() => fail(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    // `fail` stays attached until the session adds its own listener: an error emitted in
    // between must not go unhandled (after resolve, reject is a no-op).
    socket.once("error", fail);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
  });
}
