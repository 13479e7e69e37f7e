import { type AccountRecord, newMessageId } from "@smsgw/contracts";
import { ALWAYS_ADMIT, createRateLimiter, type Pipeline } from "@smsgw/message-acceptance";
import type { Database, Logger } from "@smsgw/service-kit";
import {
  bindClient,
  CommandStatus,
  createSmppServer,
  type SmppSession,
  submitSm,
  tlv,
} from "@smsgw/smpp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { smppAccount } from "../testing/account.ts";
import { openTestDatabase } from "../testing/database.ts";
import type { Bound } from "./binds.ts";
import { type ConcatStore, startConcatStore } from "./concat-store.ts";
import { oweExpiredPartsReceipts } from "./receipts.ts";
import { serveRequests } from "./requests.ts";
import { samePart, submitsOf } from "./submits.ts";

// Real sockets and the real Postgres, our server's submit path, with a pipeline that only
// records what it accepts (the checks and the charge are @smsgw/message-acceptance's, tested
// there). Each replica is a server and a concatenation store of its own over one database.

const account = smppAccount();
const quiet = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

let database: Database<unknown>;
let closeDatabase: (() => Promise<void>) | undefined;
beforeAll(async () => {
  ({ database, close: closeDatabase } = await openTestDatabase());
});
afterAll(() => closeDatabase?.());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Gateway {
  accepted: Array<{ messageId: string; text: string }>;
  /** The smppReceipt each message checked asked for (from its registered_delivery). */
  receiptAsked: Map<string, unknown>;
  /** Charges refused "rate_limit" (ESME_RTHROTTLED: retry later) before they go through. */
  throttleNext: number;
}

function newGateway(): Gateway {
  return { accepted: [], receiptAsked: new Map(), throttleNext: 0 };
}

/** One smpp-server replica of the gateway: its own server and store, the shared database. */
async function replica(gateway: Gateway, options: { timeoutMs?: number } = {}) {
  const pipeline = {
    check: (
      messageId: string,
      _account: AccountRecord,
      input: { fields: { text: string }; smppReceipt: unknown },
    ) => {
      gateway.receiptAsked.set(messageId, input.smppReceipt);
      return { ok: true, value: { messageId, text: input.fields.text } };
    },
    charge: async (draft: { messageId: string }) => {
      if (gateway.throttleNext > 0) {
        gateway.throttleNext -= 1;
        return { ok: false, error: { status: "rate_limit", message: "over the rate" } };
      }
      return { ok: true, value: draft };
    },
    accept: async (draft: { messageId: string; text: string }) => {
      gateway.accepted.push(draft);
      return "stored";
    },
  } as unknown as Pipeline;
  const concat: ConcatStore = startConcatStore({
    sql: database.sql,
    maxWaitingPerAccount: 100,
    timeoutMs: options.timeoutMs ?? 60_000,
    samePart,
    newMessageId: () => newMessageId(Date.now()),
    owe: (tx, expired) =>
      oweExpiredPartsReceipts(tx, expired, { ttlMs: 3_600_000, minKeepMs: 60_000 }, Date.now()),
    onOwed: () => undefined,
    log: quiet,
  });
  cleanups.push(() => concat.stop());
  const deps = {
    accounts: { get: (hash: string) => (hash === account.hash ? account : undefined) },
    pipeline,
    accountLimiter: createRateLimiter({ ratePerSec: 1_000, burst: 1_000 }),
    admission: ALWAYS_ADMIT,
    defaultLimits: {
      ip: { ratePerSec: 1_000, burst: 1_000 },
      account: { ratePerSec: 1_000, burst: 1_000 },
    },
    smppDefaults: { maxBinds: 4, window: 10 },
    maxParts: 10,
    schedule: { maxScheduleAheadMs: 3_600_000, maxValidityMs: 3_600_000 },
    concat,
    log: quiet,
    now: Date.now,
  };
  const server = createSmppServer({
    enquireLinkMs: 0,
    onBind: () => 0,
    onSession(session) {
      const bound: Bound = {
        session,
        accountId: account.accountId,
        hash: account.hash,
        systemId: "acme",
        mode: "transmitter",
      };
      // Queries and cancels are smpp-query-cancel.e2e.test.ts's.
      const none = () => undefined;
      serveRequests(session, { submit: submitsOf(deps, bound), query: none, cancel: none });
    },
  });
  const { port } = await server.listen(0);
  cleanups.push(() => server.close());
  const bind = async (): Promise<SmppSession> => {
    const session = await bindClient({
      host: "127.0.0.1",
      port,
      systemId: "acme",
      password: "secret",
      mode: "transmitter",
      enquireLinkMs: 0,
    });
    cleanups.push(() => session.close());
    return session;
  };
  return { bind, concat };
}

/** One replica, as most tests need. */
async function gateway() {
  const state = newGateway();
  const { bind } = await replica(state);
  return { accepted: state.accepted, receiptAsked: state.receiptAsked, bind };
}

/** A part of "Hello world" (GSM-7 unpacked) as SAR TLVs say: `seq` of 2, reference 42 unless told. */
const sarPart = (seq: number, ref = 42, registeredDelivery = 0) =>
  submitSm({
    sourceAddr: "MyApp",
    sourceAddrTon: 5,
    destinationAddr: "37256789045",
    destAddrTon: 1,
    destAddrNpi: 1,
    shortMessage: Buffer.from(seq === 1 ? "Hello " : "world", "latin1"),
    registeredDelivery,
    tlvs: [tlv.sarMsgRefNum(ref), tlv.sarTotalSegments(2), tlv.sarSegmentSeqnum(seq)],
  });

/** A part of "Hello world" as Kannel sends it: UDH `05 00 03 ref 2 seq` (esm_class 0x40). */
const udhPart = (seq: number, ref: number, registeredDelivery = 0, total = 2) =>
  submitSm({
    sourceAddr: "MyApp",
    sourceAddrTon: 5,
    destinationAddr: "37256789045",
    destAddrTon: 1,
    destAddrNpi: 1,
    esmClass: 0x40,
    shortMessage: Buffer.concat([
      Buffer.from([0x05, 0x00, 0x03, ref, total, seq]),
      Buffer.from(seq === 1 ? "Hello " : "world", "latin1"),
    ]),
    registeredDelivery,
  });

describe("concatenated submits over real binds", () => {
  it("when the parts of one message come on two binds of the account, it is accepted once, whole, under the id of the first part's answer", async () => {
    const { accepted, bind } = await gateway();
    const [first, second] = await Promise.all([bind(), bind()]);
    const one = await first.request(sarPart(1, 1));
    expect(one.commandStatus).toBe(CommandStatus.ESME_ROK);
    const two = await second.request(sarPart(2, 1));
    expect(two).toMatchObject({ commandStatus: CommandStatus.ESME_ROK, messageId: one.messageId });
    expect(accepted).toEqual([{ messageId: one.messageId, text: "Hello world" }]);
  });

  it("when the parts come on binds held by two replicas, it is accepted once, whole, under the id of the first part's answer", async () => {
    const shared = newGateway();
    const [a, b] = await Promise.all([replica(shared), replica(shared)]);
    const one = await (await a.bind()).request(sarPart(1, 2));
    expect(one.commandStatus).toBe(CommandStatus.ESME_ROK);
    const two = await (await b.bind()).request(sarPart(2, 2));
    expect(two).toMatchObject({ commandStatus: CommandStatus.ESME_ROK, messageId: one.messageId });
    expect(shared.accepted).toEqual([{ messageId: one.messageId, text: "Hello world" }]);
  });

  it("when both parts come at once on two replicas, they get one id and exactly one of them completes the message", async () => {
    const shared = newGateway();
    const [a, b] = await Promise.all([replica(shared), replica(shared)]);
    const [onA, onB] = await Promise.all([a.bind(), b.bind()]);
    const answers = await Promise.all([onA.request(sarPart(1, 3)), onB.request(sarPart(2, 3))]);
    expect(answers.map((answer) => answer.commandStatus)).toEqual([
      CommandStatus.ESME_ROK,
      CommandStatus.ESME_ROK,
    ]);
    expect(answers[0]?.messageId).toBe(answers[1]?.messageId);
    expect(shared.accepted).toEqual([{ messageId: answers[0]?.messageId, text: "Hello world" }]);
  });

  it("when a part is sent again (its answer was late), it is answered as before, and the message is accepted once", async () => {
    const { accepted, bind } = await gateway();
    const session = await bind();
    const one = await session.request(sarPart(1, 4));
    const again = await session.request(sarPart(1, 4));
    expect(again).toMatchObject({
      commandStatus: CommandStatus.ESME_ROK,
      messageId: one.messageId,
    });
    const two = await session.request(sarPart(2, 4));
    expect(two).toMatchObject({ commandStatus: CommandStatus.ESME_ROK, messageId: one.messageId });
    expect(accepted).toEqual([{ messageId: one.messageId, text: "Hello world" }]);
  });

  it("when another part comes under a part number already taken, it is refused ESME_RSUBMITFAIL", async () => {
    const { accepted, bind } = await gateway();
    const session = await bind();
    await session.request(sarPart(1, 5));
    const other = { ...sarPart(1, 5), shortMessage: Buffer.from("Howdy ", "latin1") };
    expect((await session.request(other)).commandStatus).toBe(CommandStatus.ESME_RSUBMITFAIL);
    expect(accepted).toEqual([]);
  });

  it("when only the first part asks for a receipt (Kannel's sms_split), the message accepted whole asks for a final one", async () => {
    const { accepted, receiptAsked, bind } = await gateway();
    const session = await bind();
    const one = await session.request(udhPart(1, 8, 1));
    expect(one.commandStatus).toBe(CommandStatus.ESME_ROK);
    const two = await session.request(udhPart(2, 8, 0));
    expect(two).toMatchObject({ commandStatus: CommandStatus.ESME_ROK, messageId: one.messageId });
    expect(accepted).toEqual([{ messageId: one.messageId, text: "Hello world" }]);
    expect(receiptAsked.get(one.messageId)).toBe("final");
  });

  it.each([
    ["a part above the total", 2, 3],
    ["a total of 0", 0, 1],
    ["a part 0", 2, 0],
    ["a part above a total of 1", 1, 2],
  ])(
    "when the UDH's concatenation element names %s, it is refused ESME_RSUBMITFAIL and nothing is accepted",
    async (_name, total, seq) => {
      const { accepted, bind } = await gateway();
      const session = await bind();
      const bad = await session.request(udhPart(seq, 7, 0, total));
      expect(bad.commandStatus).toBe(CommandStatus.ESME_RSUBMITFAIL);
      expect(accepted).toEqual([]);
    },
  );

  it("when the last part is told to retry later, its resend (on another replica) completes the message under the same id", async () => {
    const shared = newGateway();
    const [a, b] = await Promise.all([replica(shared), replica(shared)]);
    const onA = await a.bind();
    const one = await onA.request(sarPart(1, 6));
    shared.throttleNext = 1;
    const refused = await onA.request(sarPart(2, 6));
    expect(refused.commandStatus).toBe(CommandStatus.ESME_RTHROTTLED);
    expect(shared.accepted).toEqual([]);
    const resent = await (await b.bind()).request(sarPart(2, 6));
    expect(resent).toMatchObject({
      commandStatus: CommandStatus.ESME_ROK,
      messageId: one.messageId,
    });
    expect(shared.accepted).toEqual([{ messageId: one.messageId, text: "Hello world" }]);
  });

  it("when the part completing a message at its timeout's end is told to retry later, the sweep leaves the message and the resend completes it under the same id", async () => {
    const shared = newGateway();
    const { bind, concat } = await replica(shared, { timeoutMs: 60_000 });
    const session = await bind();
    const one = await session.request(sarPart(1, 9, 1));
    expect(one.commandStatus).toBe(CommandStatus.ESME_ROK);
    shared.throttleNext = 1;
    const refused = await session.request(sarPart(2, 9, 1));
    expect(refused.commandStatus).toBe(CommandStatus.ESME_RTHROTTLED);
    // Its first part came longer than the timeout ago, as the database's clock sees it.
    await database.sql`
      update smpp_server.concat_groups set started_at = now() - interval '2 minutes'
      where message_id = ${one.messageId}`;
    expect(await concat.expire()).toEqual([]);
    const resent = await session.request(sarPart(2, 9, 1));
    expect(resent).toMatchObject({
      commandStatus: CommandStatus.ESME_ROK,
      messageId: one.messageId,
    });
    expect(shared.accepted).toEqual([{ messageId: one.messageId, text: "Hello world" }]);
    const owed = await database.sql`
      select 1 from smpp_server.receipts where message_id = ${one.messageId}`;
    expect(owed).toHaveLength(0);
  });

  it("when the parts never all come, the message is dropped once (whichever replica sweeps) and a REJECTD receipt is owed when asked for", async () => {
    const shared = newGateway();
    const [a, b] = await Promise.all([
      replica(shared, { timeoutMs: 60_000 }),
      replica(shared, { timeoutMs: 60_000 }),
    ]);
    const one = await (await a.bind()).request(sarPart(1, 7, 1));
    expect(one.commandStatus).toBe(CommandStatus.ESME_ROK);
    expect(await a.concat.expire()).toEqual([]);
    // Aged past the timeout as the database's clock sees it.
    await database.sql`
      update smpp_server.concat_groups set started_at = now() - interval '2 minutes'
      where message_id = ${one.messageId}`;
    const [swept, sweptAgain] = await Promise.all([a.concat.expire(), b.concat.expire()]);
    expect([...swept, ...sweptAgain]).toEqual([
      {
        accountId: account.accountId,
        group: {
          messageId: one.messageId,
          key: { from: "MyApp", to: "+37256789045" },
          received: 1,
          total: 2,
          registeredDelivery: 1,
          uncertain: false,
        },
      },
    ]);
    const owed = await database.sql<Array<{ status: string }>>`
      select change->>'status' as status from smpp_server.receipts where message_id = ${one.messageId}`;
    expect(owed).toEqual([{ status: "failed" }]);
    const left = await database.sql`
      select 1 from smpp_server.concat_parts where group_key like ${"%|7|2"}`;
    expect(left).toHaveLength(0);
    expect(shared.accepted).toEqual([]);
  });
});

describe("the parts of a whole message while it is accepted", () => {
  const key = { from: "MyApp", to: "+37256789045" };
  const piece = (text: string, registeredDelivery = 0) => ({
    payload: Buffer.from(text, "latin1"),
    dataCoding: 0,
    registeredDelivery,
  });
  const part = (ref: number, seq: number) => ({ ref, total: 2, seq });
  const age = (messageId: string, column: "started_at" | "completing_until" | "retried_at") =>
    database.sql`
      update smpp_server.concat_groups set ${database.sql(column)} = now() - interval '2 minutes'
      where message_id = ${messageId}`;

  it("when a part comes again while the whole is being accepted, it is told to wait for the outcome", async () => {
    const { concat } = await replica(newGateway());
    const first = await concat.add(account.accountId, key, part(20, 1), piece("Hello "));
    const whole = await concat.add(account.accountId, key, part(20, 2), piece("world"));
    expect(whole).toMatchObject({
      kind: "complete",
      messageId: first.kind === "waiting" ? first.messageId : "",
    });
    expect(await concat.add(account.accountId, key, part(20, 1), piece("Hello "))).toMatchObject({
      kind: "completing",
    });
    await concat.settle(account.accountId, key, part(20, 2), { kind: "final" });
    const left =
      await database.sql`select 1 from smpp_server.concat_parts where group_key like ${"%|20|2"}`;
    expect(left).toHaveLength(0);
  });

  it("when the replica accepting a whole message stops before its outcome, the parts stay and a resend after the lease completes it again under the same id", async () => {
    const { concat } = await replica(newGateway());
    await concat.add(account.accountId, key, part(21, 1), piece("Hello "));
    const whole = await concat.add(account.accountId, key, part(21, 2), piece("world"));
    if (whole.kind !== "complete") throw new Error(whole.kind);
    // Never settled: the lease lapses.
    await age(whole.messageId, "completing_until");
    expect(await concat.add(account.accountId, key, part(21, 2), piece("world"))).toMatchObject({
      kind: "complete",
      messageId: whole.messageId,
    });
  });

  it("when an accept left the message's fate open, a later plain refusal does not make it certain: its expiry owes no REJECTD", async () => {
    const { concat } = await replica(newGateway());
    await concat.add(account.accountId, key, part(22, 1), piece("Hello ", 1));
    const whole = await concat.add(account.accountId, key, part(22, 2), piece("world", 1));
    if (whole.kind !== "complete") throw new Error(whole.kind);
    await concat.settle(account.accountId, key, part(22, 2), { kind: "retry", uncertain: true });
    const again = await concat.add(account.accountId, key, part(22, 2), piece("world", 1));
    expect(again).toMatchObject({ kind: "complete", messageId: whole.messageId });
    await concat.settle(account.accountId, key, part(22, 2), { kind: "retry", uncertain: false });
    await age(whole.messageId, "started_at");
    // Left a while after the retry answer (its resend may be on the way), then swept.
    expect(await concat.expire()).toEqual([]);
    await age(whole.messageId, "retried_at");
    const [swept] = await concat.expire();
    expect(swept?.group).toMatchObject({
      messageId: whole.messageId,
      received: 1,
      uncertain: true,
    });
    const owed = await database.sql`
      select 1 from smpp_server.receipts where message_id = ${whole.messageId}`;
    expect(owed).toHaveLength(0);
  });

  it("when a whole message's accept holds its lease, the sweep leaves it however old it is; once the lease lapsed, it is dropped as uncertain", async () => {
    const { concat } = await replica(newGateway());
    await concat.add(account.accountId, key, part(23, 1), piece("Hello ", 1));
    const whole = await concat.add(account.accountId, key, part(23, 2), piece("world", 1));
    if (whole.kind !== "complete") throw new Error(whole.kind);
    await age(whole.messageId, "started_at");
    expect(await concat.expire()).toEqual([]);
    await age(whole.messageId, "completing_until");
    const [swept] = await concat.expire();
    expect(swept?.group).toMatchObject({
      messageId: whole.messageId,
      received: 2,
      uncertain: true,
    });
  });

  it("when a later part of a message that never came whole asked for a receipt and the first did not, its expiry owes the REJECTD", async () => {
    const { concat } = await replica(newGateway());
    const three = (seq: number) => ({ ref: 24, total: 3, seq });
    const first = await concat.add(account.accountId, key, three(1), piece("Hello ", 0));
    if (first.kind !== "waiting") throw new Error(first.kind);
    await concat.add(account.accountId, key, three(2), piece("world", 1));
    await age(first.messageId, "started_at");
    const [swept] = await concat.expire();
    expect(swept?.group).toMatchObject({
      messageId: first.messageId,
      received: 2,
      registeredDelivery: 1,
    });
    const owed = await database.sql<Array<{ status: string }>>`
      select change->>'status' as status from smpp_server.receipts where message_id = ${first.messageId}`;
    expect(owed).toEqual([{ status: "failed" }]);
  });
});
