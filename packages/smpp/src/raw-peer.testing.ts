// Test support: a hand-driven SMPP peer over a raw socket, to play a misbehaving SMSC or ESME.
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { bindRequest } from "./builders.ts";
import { decodePdu, encodePdu } from "./codec.ts";
import { FrameSplitter } from "./frame-splitter.ts";
import type { Pdu } from "./pdu.ts";

export class RawPeer {
  readonly socket: Socket;
  readonly received: Pdu[] = [];
  #unclaimed: Pdu[] = [];
  #waiters: Array<{ match: (pdu: Pdu) => boolean; resolve: (pdu: Pdu) => void }> = [];

  constructor(socket: Socket) {
    this.socket = socket;
    const splitter = new FrameSplitter();
    socket.on("data", (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) this.#onPdu(decodePdu(frame));
    });
  }

  send(pdu: Pdu): void {
    this.socket.write(encodePdu(pdu));
  }

  /** The first PDU not yet claimed by `next` that matches (by default: any). */
  next(match: (pdu: Pdu) => boolean = () => true): Promise<Pdu> {
    const index = this.#unclaimed.findIndex(match);
    const found = this.#unclaimed[index];
    if (found) {
      this.#unclaimed.splice(index, 1);
      return Promise.resolve(found);
    }
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  /** The next PDU with this command. */
  nextOf<C extends Pdu["command"]>(command: C): Promise<Pdu & { command: C }> {
    return this.next((pdu) => pdu.command === command) as Promise<Pdu & { command: C }>;
  }

  async closed(): Promise<void> {
    if (this.socket.closed) return;
    await once(this.socket, "close");
  }

  #onPdu(pdu: Pdu): void {
    this.received.push(pdu);
    const index = this.#waiters.findIndex((w) => w.match(pdu));
    const waiter = this.#waiters[index];
    if (waiter) {
      this.#waiters.splice(index, 1);
      waiter.resolve(pdu);
    } else {
      this.#unclaimed.push(pdu);
    }
  }
}

export async function rawConnect(port: number): Promise<RawPeer> {
  const socket = connect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  return new RawPeer(socket);
}

/** A raw client bound as a transceiver; throws if the bind is refused. */
export async function rawBoundClient(port: number): Promise<RawPeer> {
  const peer = await rawConnect(port);
  peer.send({
    ...bindRequest("transceiver", { systemId: "a", password: "b" }),
    commandStatus: 0,
    sequenceNumber: 1,
  });
  const resp = await peer.nextOf("bind_transceiver_resp");
  if (resp.commandStatus !== 0) throw new Error(`bind refused: ${resp.commandStatus}`);
  return peer;
}

/** A raw listener on 127.0.0.1, port 0; `accepted()` resolves with the next connection. */
export async function rawServer(): Promise<{
  port: number;
  accepted: () => Promise<RawPeer>;
  close: () => Promise<void>;
}> {
  const peers: RawPeer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    peers.push(new RawPeer(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    accepted: async () => {
      while (peers.length === 0) await once(server, "connection");
      return peers.shift() as RawPeer;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
