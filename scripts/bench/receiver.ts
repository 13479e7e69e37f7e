/**
 * The benchmark's webhook receiver, in a worker thread so that answering thousands of
 * reports a second does not share an event loop with the load generator. It records when
 * each message's final report arrived, and each inbound webhook (MO traffic), and hands the
 * record over on request.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";

const finals = new Map<string, { status: string; at: number }>();
let reports = 0;
/**
 * Inbound webhooks (`"type": "inbound"`), keyed by their text (the MO traffic makes each
 * unique): every arrival's id, so a redelivery shows as a repeated id, and the first's time.
 */
const inbound = new Map<string, { ids: string[]; at: number }>();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const at = Date.now();
    reports++;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        type?: string;
        messageId: string;
        status: string;
        id?: string;
        text?: string;
      };
      if (body.type === "inbound") {
        const seen = inbound.get(body.text ?? "");
        if (seen) seen.ids.push(body.id ?? "");
        else inbound.set(body.text ?? "", { ids: [body.id ?? ""], at });
      } else if (body.status !== "sent" && !finals.has(body.messageId))
        finals.set(body.messageId, { status: body.status, at });
    } catch {
      // not a report: ignored
    }
    res.writeHead(204).end();
  });
});

// A fixed port lets the drill take the receiver down and bring it back at the same URL.
let port = Number((workerData as { port?: number } | undefined)?.port ?? 0);
server.listen(port, "127.0.0.1", () => {
  port = (server.address() as AddressInfo).port;
  parentPort?.postMessage({ kind: "listening", port });
});

parentPort?.on("message", (message: { kind: string }) => {
  if (message.kind === "take") {
    parentPort?.postMessage({ kind: "finals", finals: [...finals.entries()], reports });
    finals.clear();
    reports = 0;
  } else if (message.kind === "take-inbound") {
    parentPort?.postMessage({ kind: "inbound", inbound: [...inbound.entries()] });
    inbound.clear();
  } else if (message.kind === "count") {
    parentPort?.postMessage({ kind: "count", finals: finals.size, reports });
  } else if (message.kind === "down") {
    server.close();
    server.closeAllConnections();
    parentPort?.postMessage({ kind: "down" });
  } else if (message.kind === "up") {
    server.listen(port, "127.0.0.1", () => parentPort?.postMessage({ kind: "up" }));
  } else if (message.kind === "close") {
    server.close();
    server.closeAllConnections();
    parentPort?.close();
  }
});
