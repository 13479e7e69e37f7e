import { once } from "node:events";
import { createServer, get, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountLogReader } from "./account-log.ts";
import { messageCsvExport } from "./message-csv-export.ts";
import type { MessageView } from "./message-view.ts";

/**
 * The export's streaming over a real socket, against an account whose history never ends:
 * only backpressure can keep the pages read (and the memory held) bounded.
 */

const PAGE = 1_000;
let pagesRead = 0;
let exportsEnded = 0;

const endlessLog: Pick<AccountLogReader, "listMessages"> = {
  async listMessages(accountId, _filter, page) {
    pagesRead++;
    const start = Number(page.after ?? 0);
    const messages = Array.from({ length: page.limit }, (_, i): MessageView => {
      const n = start + i;
      return {
        messageId: `msg_${String(n).padStart(26, "0")}`,
        accountId,
        status: "delivered",
        to: "+37256789045",
        from: "MyApp",
        parts: 1,
        cost: 420,
        currency: "EUR",
        reference: null,
        errorCode: null,
        createdAt: "2026-12-05T10:00:00.000Z",
        updatedAt: "2026-12-05T10:00:01.000Z",
        statusTimes: {},
        sendAt: null,
        validUntil: null,
      };
    });
    return { messages, nextCursor: String(start + page.limit) };
  },
};

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    void (async () => {
      const csv = await messageCsvExport(endlessLog, "acc_a", {}, PAGE);
      res.writeHead(200, { "content-type": "text/csv" });
      await pipeline(csv, res).catch(() => undefined);
      exportsEnded++;
    })();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

/** Waits until `read()` has not changed for `quietMs`; returns its value then. */
async function settled(read: () => number, quietMs = 600, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = read();
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return now;
  }
  throw new Error(`still changing after ${timeoutMs} ms (at ${last})`);
}

describe("the CSV export's stream", () => {
  it("when the client stops reading, it stops reading pages; when the client goes, it stops for good", async () => {
    const response = await new Promise<IncomingMessage>((resolve) => get(url, resolve));
    let received = 0;
    response.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    await once(response, "data");
    response.pause();

    // The socket's buffers fill and then nothing more is read: a bounded number of pages
    // (a few MB in the kernel's buffers), not the endless history.
    const whilePaused = await settled(() => pagesRead);
    expect(whilePaused).toBeLessThan(200);

    // Reading again pulls more pages: the export was waiting, not stuck.
    response.resume();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pagesRead).toBeGreaterThan(whilePaused);
    expect(received).toBeGreaterThan(whilePaused * PAGE * 50);

    response.destroy();
    const afterClose = await settled(() => pagesRead);
    expect(exportsEnded).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pagesRead).toBe(afterClose);
  });
});
