import type { AddressInfo } from "node:net";
import { createServer, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { CommandStatus } from "./command-status.ts";
import type { BindRequest } from "./pdu.ts";
import { type IncomingRequest, type SessionOptions, SmppSession } from "./session.ts";

export type SmppServerOptions = SessionOptions & {
  /** Decides a bind: return 0 to accept, or a command_status (0x0E bad password...). */
  onBind: (bind: BindRequest, session: SmppSession) => number | Promise<number>;
  /** Called once a session is bound; attach its "request" listener here. */
  onSession?: (session: SmppSession) => void;
  /** system_id sent in bind responses. Default "smsgw". */
  systemId?: string;
  /** A connection that has not bound by then is closed. Default 10 000. */
  bindTimeoutMs?: number;
  /** SMPP over TLS: the server's key and certificate chain (PEM). Absent: plain TCP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
};

export type SmppServer = {
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, unbinds every bound session (bounded), closes the rest. */
  close(): Promise<void>;
  readonly sessions: ReadonlySet<SmppSession>;
};

/**
 * An SMSC-side listener (used by the simulator). Until a session is bound, requests other
 * than bind get ESME_RINVBNDSTS (the session enforces it).
 */
export function createSmppServer(options: SmppServerOptions): SmppServer {
  const sessions = new Set<SmppSession>();
  const server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, (socket) => accept(socket))
    : createServer((socket) => accept(socket));

  function accept(socket: Socket): void {
    const session = new SmppSession(socket, "smsc", options);
    sessions.add(session);
    const bindTimer = setTimeout(() => session.close(), options.bindTimeoutMs ?? 10_000);
    let binding = false;
    const onRequest = (pdu: IncomingRequest) => {
      if (!pdu.command.startsWith("bind_")) return;
      if (binding) session.respond(pdu, { commandStatus: CommandStatus.ESME_RALYBND });
      else void bind(pdu as BindRequest);
    };
    const bind = async (pdu: BindRequest) => {
      binding = true;
      let status: number;
      try {
        status = await options.onBind(pdu, session);
      } catch (error) {
        session.emit("warning", error instanceof Error ? error : new Error(String(error)));
        status = CommandStatus.ESME_RBINDFAIL;
      }
      const systemId = options.systemId ?? "smsgw";
      binding = false;
      if (!session.respond(pdu, { commandStatus: status, systemId }) || status !== 0) return;
      clearTimeout(bindTimer);
      session.off("request", onRequest);
      options.onSession?.(session);
    };
    session.on("request", onRequest);
    void session.closed.then(() => {
      clearTimeout(bindTimer);
      sessions.delete(session);
    });
  }

  return {
    sessions,
    listen(port, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...sessions].map((session) => session.unbind()));
      await stopped;
    },
  };
}
