import { type MessageStatusChanged, newMessageId } from "@smsgw/contracts";
import type { Database, Logger } from "@smsgw/service-kit";
import { bindClient, createSmppServer, type DeliverSm, type SmppSession } from "@smsgw/smpp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../testing/database.ts";
import type { Bound } from "./binds.ts";
import { type OwedRow, startReceiptSender, storeOwed } from "./receipts.ts";

// Real sockets and the real Postgres: our server's sessions, the sender over them, and
// customers' ESMEs bound as transceivers (system_id = account id), one of which never answers
// deliver_sm (it still answers enquire_link, as an app with no deliver_sm handler does).

const quiet = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
const POLL_MS = 200;

let database: Database<unknown>;
let closeDatabase: (() => Promise<void>) | undefined;
beforeAll(async () => {
  ({ database, close: closeDatabase } = await openTestDatabase());
});
afterAll(() => closeDatabase?.());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await database.sql`delete from smpp_server.receipts`;
});

/** Our server, and the accounts' bound sessions on it as the desk shows them to the sender. */
async function server() {
  const binds = new Map<string, Bound>();
  const smpp = createSmppServer({
    enquireLinkMs: 0,
    onBind: () => 0,
    onSession(session) {
      const accountId = session.peerSystemId ?? "";
      const bound: Bound = {
        session,
        accountId,
        hash: accountId,
        systemId: accountId,
        mode: "transceiver",
      };
      binds.set(accountId, bound);
      void session.closed.then(() => {
        if (binds.get(accountId) === bound) binds.delete(accountId);
      });
    },
  });
  const { port } = await smpp.listen(0);
  cleanups.push(() => smpp.close());
  const desk = {
    receivingAccounts: () => [...binds.keys()],
    receiverOf: (accountId: string) => binds.get(accountId),
  };
  const sender = (options: { leaseMs?: number; stopWaitMs?: number } = {}) => {
    const started = startReceiptSender({
      sql: database.sql,
      desk,
      leaseMs: options.leaseMs ?? 30_000,
      pollMs: POLL_MS,
      log: quiet,
      ...(options.stopWaitMs === undefined ? {} : { stopWaitMs: options.stopWaitMs }),
    });
    cleanups.push(() => started.stop());
    return started;
  };
  return { port, sender };
}

/** A customer's ESME: it records the deliver_sm it gets and answers them OK, or never. */
async function customer(port: number, accountId: string, answers: boolean) {
  const received: DeliverSm[] = [];
  const session: SmppSession = await bindClient({
    host: "127.0.0.1",
    port,
    systemId: accountId,
    password: "secret",
    mode: "transceiver",
    enquireLinkMs: 0,
  });
  session.on("request", (pdu) => {
    if (pdu.command !== "deliver_sm") return;
    received.push(pdu);
    if (answers) session.respond(pdu);
  });
  // Closed before our server, so its unbind does not wait out the unanswered ones.
  cleanups.push(() => session.close());
  return { received, close: () => session.close() };
}

const receiptOf = (accountId: string, at: number): OwedRow => {
  const messageId = newMessageId(at);
  const change: MessageStatusChanged = {
    type: "MessageStatusChanged",
    version: 1,
    messageId,
    accountId,
    status: "delivered",
    sequence: 2,
    occurredAt: new Date(at).toISOString(),
    toNumber: "+37256789045",
    fromNumber: "MyApp",
    parts: 1,
    cost: 420,
    currency: "EUR",
    errorCode: null,
    reference: null,
    callbackUrl: null,
    smppReceipt: "final",
  };
  return {
    message_id: messageId,
    account_id: accountId,
    change: JSON.stringify(change),
    expires_at: new Date(at + 3_600_000).toISOString(),
  };
};

const inboundOf = (accountId: string, at: number): OwedRow => {
  const id = `in_${newMessageId(at).slice("msg_".length)}`;
  const inbound = {
    type: "InboundDelivery",
    version: 1,
    id,
    accountId,
    url: null,
    from: "+37256785555",
    to: "+37250000001",
    text: "call me",
    parts: 1,
    receivedAt: new Date(at).toISOString(),
  };
  return {
    message_id: id,
    account_id: accountId,
    change: JSON.stringify(inbound),
    expires_at: new Date(at + 3_600_000).toISOString(),
  };
};

async function owe(rows: OwedRow[]): Promise<string[]> {
  await storeOwed(database.sql, rows);
  return rows.map((row) => row.message_id);
}

async function stillOwed(ids: string[]) {
  return database.sql<Array<{ message_id: string; due: boolean }>>`
    select message_id, next_attempt_at <= now() as due from smpp_server.receipts
    where message_id = any(${ids}::text[])`;
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Account A's ESME bound and silent with 30 receipts owed, all its window in flight. */
async function stalledBy(
  port: number,
  sender: ReturnType<Awaited<ReturnType<typeof server>>["sender"]>,
) {
  const silent = await customer(port, "acc_a", false);
  const at = Date.now();
  const owedA = await owe(Array.from({ length: 30 }, (_, i) => receiptOf("acc_a", at + i)));
  sender.poke();
  expect(await waitFor(() => silent.received.length >= 10, 10_000)).toBe(true);
  return { silent, owedA };
}

describe("receipts to customers' binds", () => {
  it("when one account's ESME never answers deliver_sm, another account's receipt is still delivered, long before those time out, once, and settled", async () => {
    const { port, sender } = await server();
    const running = sender();
    const { silent } = await stalledBy(port, running);
    const answering = await customer(port, "acc_b", true);

    const [owedB] = await owe([receiptOf("acc_b", Date.now())]);
    const delivered = await waitFor(
      async () => answering.received.length === 1 && (await stillOwed([owedB ?? ""])).length === 0,
      // B's session is not A's: it must not wait out A's deliver_sm (10 s response timeout).
      5_000,
    );

    expect(delivered).toBe(true);
    await sleep(3 * POLL_MS);
    expect(answering.received).toHaveLength(1);
    // A's stay bounded by its window: none beyond it sent while the first ten wait.
    expect(silent.received).toHaveLength(10);
  });

  it("when one account's ESME never answers deliver_sm, another account's inbound message is still delivered, long before those time out, once", async () => {
    const { port, sender } = await server();
    const running = sender();
    await stalledBy(port, running);
    const answering = await customer(port, "acc_b", true);

    const [owedB] = await owe([inboundOf("acc_b", Date.now())]);
    const delivered = await waitFor(
      async () => answering.received.length === 1 && (await stillOwed([owedB ?? ""])).length === 0,
      // B's session is not A's: it must not wait out A's deliver_sm (10 s response timeout).
      5_000,
    );

    expect(delivered).toBe(true);
    await sleep(3 * POLL_MS);
    expect(answering.received).toHaveLength(1);
  });

  it("when the sender stops while an account's deliver_sm go unanswered, it returns after its stop wait, not their 10 s timeouts, and leaves them due for a later send", async () => {
    const { port, sender } = await server();
    const first = sender({ stopWaitMs: 500 });
    const { silent, owedA } = await stalledBy(port, first);

    const began = Date.now();
    await first.stop();
    // The 0.5 s wait and one statement, with room for a busy machine.
    expect(Date.now() - began).toBeLessThan(3_000);
    const left = await stillOwed(owedA);
    expect(left).toHaveLength(30);
    expect(left.every((row) => row.due)).toBe(true);

    // A answers now: a later start sends every one of them, the claims handed back included.
    silent.close();
    const answering = await customer(port, "acc_a", true);
    sender();
    expect(await waitFor(async () => (await stillOwed(owedA)).length === 0, 10_000)).toBe(true);
    expect(answering.received).toHaveLength(30);
  });
});
