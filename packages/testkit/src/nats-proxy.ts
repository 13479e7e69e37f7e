import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/**
 * A TCP proxy in front of a real nats-server that can lose JetStream's publish
 * acknowledgements on their way back to the client, the fault an ack lost to a network
 * blip, a leader election or a dying connection makes (ADR 0022): the server stores the
 * publish, the client never hears so. Everything else passes unchanged both ways.
 */
export interface NatsProxy {
  /** nats://127.0.0.1:<port>: give it to the client under test as NATS_URL. */
  url: string;
  /** From now on, PubAcks (`{"stream":…,"seq":…}` replies) are dropped, or passed again. */
  dropPubAcks(drop: boolean): void;
  /** PubAcks dropped so far. */
  dropped(): number;
  stop(): Promise<void>;
}

export async function startNatsProxy(upstreamUrl: string): Promise<NatsProxy> {
  const upstream = new URL(upstreamUrl);
  let dropping = false;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const nats = tcpConnect(Number(upstream.port || 4222), upstream.hostname);
    for (const socket of [client, nats]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        nats.destroy();
      });
    }
    client.on("close", () => nats.destroy());
    nats.on("close", () => client.destroy());
    client.pipe(nats);
    const filter = serverStream((payload) => {
      if (!dropping || !isPubAck(payload)) return true;
      dropped++;
      return false;
    });
    nats.on("data", (chunk: Buffer) => {
      const out = filter(chunk);
      if (out.length > 0) client.write(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy has no port");
  return {
    url: `nats://127.0.0.1:${address.port}`,
    dropPubAcks(drop) {
      dropping = drop;
    },
    dropped: () => dropped,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function isPubAck(payload: Buffer): boolean {
  // nats-server writes `{"stream":"<name>", "seq":<n>…}` (2.9: with a space).
  return /^\{\s*"stream"\s*:\s*"[^"]+"\s*,\s*"seq"\s*:\s*\d+/.test(
    payload.subarray(0, 200).toString("latin1"),
  );
}

/**
 * Splits the server's protocol stream into its operations (a line; `MSG`/`HMSG` with their
 * payload) and keeps those `keep` accepts for a message's payload. Bytes of an operation
 * not complete yet wait for the next chunk.
 */
function serverStream(keep: (payload: Buffer) => boolean): (chunk: Buffer) => Buffer {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const eol = pending.indexOf("\r\n");
      if (eol < 0) break;
      const line = pending.subarray(0, eol).toString("latin1");
      let end = eol + 2;
      let payload: Buffer | null = null;
      const size = payloadSize(line);
      if (size !== null) {
        if (pending.length < end + size + 2) break;
        payload = pending.subarray(end, end + size);
        end += size + 2;
      }
      if (payload === null || keep(payload)) out.push(pending.subarray(0, end));
      pending = pending.subarray(end);
    }
    return Buffer.concat(out);
  };
}

/** `MSG <subject> <sid> [reply] <bytes>`, `HMSG … <header bytes> <total bytes>`: the bytes that follow. */
function payloadSize(line: string): number | null {
  if (!line.startsWith("MSG ") && !line.startsWith("HMSG ")) return null;
  const tokens = line.trim().split(/\s+/);
  return Number(tokens[tokens.length - 1]);
}
