import type { AccountRecord } from "@smsgw/contracts";
import { ALWAYS_ADMIT, createRateLimiter, type Pipeline } from "@smsgw/message-acceptance";
import type { Logger } from "@smsgw/service-kit";
import {
  bindClient,
  CommandStatus,
  createSmppServer,
  type SmppSession,
  submitSm,
  tlv,
} from "@smsgw/smpp";
import { afterEach, describe, expect, it } from "vitest";
import { smppAccount } from "../testing/account.ts";
import type { Bound } from "./binds.ts";
import { type ConcatDesk, startConcatDesk } from "./concat-desk.ts";
import { type SubmittedPart, samePart, serveSubmits } from "./submits.ts";

// Real sockets, our server's submit path, with a pipeline that only records what it accepts
// (the checks and the charge are @smsgw/message-acceptance's, tested there).

const account = smppAccount();
const quiet = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway() {
  const accepted: Array<{ messageId: string; text: string }> = [];
  const pipeline = {
    check: (messageId: string, _account: AccountRecord, input: { fields: { text: string } }) => ({
      ok: true,
      value: { messageId, text: input.fields.text },
    }),
    charge: async (draft: { messageId: string }) => ({ ok: true, value: draft }),
    accept: async (draft: { messageId: string; text: string }) => {
      accepted.push(draft);
      return "stored";
    },
  } as unknown as Pipeline;
  const concat: ConcatDesk<SubmittedPart> = startConcatDesk<SubmittedPart>({
    maxWaitingPerAccount: 100,
    timeoutMs: 60_000,
    samePart,
    log: quiet,
    now: Date.now,
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
      serveSubmits(deps, bound);
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
  return { accepted, bind };
}

/** A part of "Hello world" (GSM-7 unpacked) as SAR TLVs say: reference 42, `seq` of 2. */
const sarPart = (seq: number) =>
  submitSm({
    sourceAddr: "MyApp",
    sourceAddrTon: 5,
    destinationAddr: "37256789045",
    destAddrTon: 1,
    destAddrNpi: 1,
    shortMessage: Buffer.from(seq === 1 ? "Hello " : "world", "latin1"),
    tlvs: [tlv.sarMsgRefNum(42), tlv.sarTotalSegments(2), tlv.sarSegmentSeqnum(seq)],
  });

describe("concatenated submits over real binds", () => {
  it("when the parts of one message come on two binds of the account, it is accepted once, whole, under the id of the first part's answer", async () => {
    const { accepted, bind } = await gateway();
    const [first, second] = await Promise.all([bind(), bind()]);
    const one = await first.request(sarPart(1));
    expect(one.commandStatus).toBe(CommandStatus.ESME_ROK);
    const two = await second.request(sarPart(2));
    expect(two).toMatchObject({ commandStatus: CommandStatus.ESME_ROK, messageId: one.messageId });
    expect(accepted).toEqual([{ messageId: one.messageId, text: "Hello world" }]);
  });

  it("when a part is sent again (its answer was late), it is answered as before, and the message is accepted once", async () => {
    const { accepted, bind } = await gateway();
    const session = await bind();
    const one = await session.request(sarPart(1));
    const again = await session.request(sarPart(1));
    expect(again).toMatchObject({
      commandStatus: CommandStatus.ESME_ROK,
      messageId: one.messageId,
    });
    const two = await session.request(sarPart(2));
    expect(two).toMatchObject({ commandStatus: CommandStatus.ESME_ROK, messageId: one.messageId });
    expect(accepted).toEqual([{ messageId: one.messageId, text: "Hello world" }]);
  });

  it("when another part comes under a part number already taken, it is refused ESME_RSUBMITFAIL", async () => {
    const { accepted, bind } = await gateway();
    const session = await bind();
    await session.request(sarPart(1));
    const other = { ...sarPart(1), shortMessage: Buffer.from("Howdy ", "latin1") };
    expect((await session.request(other)).commandStatus).toBe(CommandStatus.ESME_RSUBMITFAIL);
    expect(accepted).toEqual([]);
  });
});
