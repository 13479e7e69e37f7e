import { createLogger } from "@smsgw/service-kit";
import {
  bindClient,
  CommandStatus,
  type DeliverSm,
  normalizeCarrierMessageId,
  readKnownTlvs,
  readReceipt,
  SmppBindError,
  type SmppSession,
  submitSm,
} from "@smsgw/smpp";
import { concatUdh, encodeGsm7Unpacked, encodeUcs2, segment } from "@smsgw/sms-text";
import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSmscSimulatorConfig } from "./config.ts";
import { type StartedSmscSimulator, startSmscSimulator } from "./service.ts";

const log = createLogger("smsc-simulator-test", process.env.TEST_LOG_LEVEL ?? "silent");
let simulator: StartedSmscSimulator;
const sessions: SmppSession[] = [];

beforeAll(async () => {
  simulator = await startSmscSimulator(
    loadSmscSimulatorConfig({
      HEALTH_PORT: "0",
      SIM_CARRIERS: JSON.stringify([
        {
          id: "sim-a",
          port: 0,
          receiptDelayMs: 10,
          idBase: "hex",
          outcomes: [
            { prefix: "+3725550", stat: "UNDELIV", err: "001" },
            { prefix: "+37255509", stat: "REJECTD", err: "002" },
            { prefix: "+3725559", commandStatus: CommandStatus.ESME_RINVDSTADR },
          ],
        },
        {
          id: "sim-b",
          port: 0,
          systemId: "bee",
          password: "pw",
          receiptDelayMs: 10,
          idBase: "decimal",
        },
      ]),
    }),
    log,
  );
});
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.unbind()));
  await simulator.stop();
});

/** A transceiver that answers every deliver_sm OK and keeps the receipts. */
async function bindTransceiver(carrierId: string, systemId: string, password: string) {
  const session = await bindClient({
    host: "127.0.0.1",
    port: simulator.ports[carrierId] ?? 0,
    systemId,
    password,
    mode: "transceiver",
  });
  sessions.push(session);
  const delivered: DeliverSm[] = [];
  session.on("request", (pdu) => {
    if (pdu.command !== "deliver_sm") return;
    delivered.push(pdu);
    session.respond(pdu);
  });
  return { session, delivered };
}

describe("binds", () => {
  it("when system_id and password match, the bind is accepted", async () => {
    const { session } = await bindTransceiver("sim-b", "bee", "pw");
    expect(session.state).toBe("bound");
    expect(simulator.binds()["sim-b"]?.accepted).toBeGreaterThanOrEqual(1);
  });

  it("when the password is wrong, the bind is refused with ESME_RINVPASWD", async () => {
    const error = await bindTransceiver("sim-b", "bee", "nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmppBindError);
    expect((error as SmppBindError).commandStatus).toBe(CommandStatus.ESME_RINVPASWD);
  });

  it("when the system_id is unknown, the bind is refused with ESME_RINVSYSID", async () => {
    const error = await bindTransceiver("sim-b", "sim-b", "pw").catch((e: unknown) => e);
    expect((error as SmppBindError).commandStatus).toBe(CommandStatus.ESME_RINVSYSID);
    expect(simulator.binds()["sim-b"]?.refused).toBe(2);
  });
});

describe("submits and receipts", () => {
  it("when a submit asks for a receipt, the receipt's text and TLVs carry the submit's id and the outcome", async () => {
    const { session, delivered } = await bindTransceiver("sim-a", "sim-a", "secret");
    const submit = (destinationAddr: string) =>
      session.request(
        submitSm({
          sourceAddr: "MyApp",
          sourceAddrTon: 5,
          destinationAddr,
          destAddrTon: 1,
          destAddrNpi: 1,
          registeredDelivery: 1,
          shortMessage: Buffer.from(encodeGsm7Unpacked("Hello")),
        }),
      );
    const [ok, undeliv, rejected] = await Promise.all([
      submit("37256789045"),
      submit("3725550123"),
      submit("3725550999"),
    ]);
    for (const resp of [ok, undeliv, rejected]) {
      expect(resp.commandStatus).toBe(0);
      expect(resp.messageId).toMatch(/^[0-9a-f]{8}$/);
    }
    await waitFor(() => delivered.length >= 3, { what: "three receipts" });
    const byId = new Map(delivered.map((pdu) => [readReceipt(pdu)?.carrierMessageId, pdu]));
    const expected = [
      [ok.messageId, "DELIVRD", "000", 2],
      [undeliv.messageId, "UNDELIV", "001", 5],
      [rejected.messageId, "REJECTD", "002", 8],
    ] as const;
    for (const [id, stat, err, state] of expected) {
      const pdu = byId.get(id);
      expect(pdu?.esmClass).toBe(0x04);
      const text = pdu?.shortMessage.toString("latin1") ?? "";
      expect(text).toMatch(
        new RegExp(
          `^id:${id} sub:001 dlvrd:\\d{3} submit date:\\d{10} done date:\\d{10} stat:${stat} err:${err} text:Hello$`,
        ),
      );
      const tlvs = readKnownTlvs(pdu?.tlvs ?? []);
      expect(tlvs.receiptedMessageId).toBe(id);
      expect(tlvs.messageState).toBe(state);
    }
  });

  it("when a prefix is set to refuse, the submit gets that command_status and no receipt", async () => {
    const { session, delivered } = await bindTransceiver("sim-a", "sim-a", "secret");
    const resp = await session.request(
      submitSm({ destinationAddr: "37255591234", registeredDelivery: 1 }),
    );
    expect(resp.commandStatus).toBe(CommandStatus.ESME_RINVDSTADR);
    expect(delivered).toHaveLength(0);
  });

  it("when the carrier's ids are decimal, submit_sm_resp gives decimal ids", async () => {
    const { session } = await bindTransceiver("sim-b", "bee", "pw");
    const resp = await session.request(submitSm({ destinationAddr: "37256789045" }));
    expect(resp.messageId).toMatch(/^[1-9][0-9]{9}$/);
    expect(normalizeCarrierMessageId(resp.messageId, "decimal")).toBe(resp.messageId);
  });

  it("when no receiver is bound, the receipt waits and goes to the next bind", async () => {
    const transmitter = await bindClient({
      host: "127.0.0.1",
      port: simulator.ports["sim-b"] ?? 0,
      systemId: "bee",
      password: "pw",
      mode: "transmitter",
    });
    for (const s of sessions.splice(0)) await s.unbind(); // no receiver of sim-b left
    const resp = await transmitter.request(
      submitSm({ destinationAddr: "37256789045", registeredDelivery: 1 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50)); // past receiptDelayMs
    await transmitter.unbind();
    const { delivered } = await bindTransceiver("sim-b", "bee", "pw");
    await waitFor(() => delivered.length >= 1, { what: "the kept receipt" });
    expect(readReceipt(delivered[0] as DeliverSm)?.carrierMessageId).toBe(resp.messageId);
  });
});

describe("submissions", () => {
  it("when a multi-part UCS-2 message arrives, each part is recorded with its UDH and text", async () => {
    const { session } = await bindTransceiver("sim-a", "sim-a", "secret");
    const text = `Привет 👋 ${"ж".repeat(150)}`;
    const { parts } = segment(text, { concat: "udh8" });
    const responses = await Promise.all(
      parts.map((part, i) =>
        session.request(
          submitSm({
            sourceAddr: "37250000000",
            sourceAddrTon: 1,
            sourceAddrNpi: 1,
            destinationAddr: "37256000001",
            esmClass: 0x40,
            dataCoding: 8,
            shortMessage: Buffer.concat([
              concatUdh(42, parts.length, i + 1, "udh8"),
              encodeUcs2(part.text),
            ]),
          }),
        ),
      ),
    );
    const recorded = simulator.submissions().filter((s) => s.destination === "37256000001");
    expect(recorded.map((s) => s.carrierMessageId)).toEqual(responses.map((r) => r.messageId));
    expect(recorded.map((s) => s.udh)).toEqual(
      parts.map((_, i) => ({ ref: 42, total: parts.length, seq: i + 1 })),
    );
    expect(recorded.map((s) => s.text).join("")).toBe(text);
    expect(recorded.every((s) => s.dataCoding === 8 && s.esmClass === 0x40)).toBe(true);

    const res = await fetch(`http://127.0.0.1:${simulator.healthPort}/submissions?carrierId=sim-a`);
    const served = (await res.json()) as Array<{ destination: string }>;
    expect(served.filter((s) => s.destination === "37256000001")).toHaveLength(parts.length);
  });
});
