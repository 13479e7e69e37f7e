import { once } from "node:events";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { dataSmOf, deliverSm, submitSm } from "./builders.ts";
import { type BindClientOptions, bindClient } from "./client.ts";
import { CommandStatus } from "./command-status.ts";
import {
  SmppBindError,
  SmppConnectError,
  SmppConnectionClosedError,
  SmppResponseTimeoutError,
  SmppSessionStateError,
} from "./errors.ts";
import type { Pdu } from "./pdu.ts";
import { createSmppServer, type SmppServerOptions } from "./server.ts";
import type { IncomingRequest, SmppSession } from "./session.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function startSmsc(overrides: Partial<SmppServerOptions> = {}) {
  const bound: SmppSession[] = [];
  const server = createSmppServer({
    onBind: (bind) =>
      bind.systemId === "acme" && bind.password === "secret" ? 0 : CommandStatus.ESME_RINVPASWD,
    onSession: (session) => bound.push(session),
    enquireLinkMs: 0,
    ...overrides,
  });
  const { port } = await server.listen(0, "127.0.0.1");
  cleanups.push(() => server.close());
  const nextSession = async () => {
    while (bound.length === 0) await new Promise((resolve) => setImmediate(resolve));
    return bound.shift() as SmppSession;
  };
  return { server, port, nextSession };
}

async function bind(port: number, overrides: Partial<BindClientOptions> = {}) {
  const session = await bindClient({
    host: "127.0.0.1",
    port,
    systemId: "acme",
    password: "secret",
    mode: "transceiver",
    windowSize: 10,
    responseTimeoutMs: 2_000,
    enquireLinkMs: 0,
    connectTimeoutMs: 2_000,
    ...overrides,
  });
  cleanups.push(async () => session.close());
  return session;
}

/** Collects a session's incoming requests; `next()` awaits the next one. */
function requests(session: SmppSession) {
  const queue: IncomingRequest[] = [];
  session.on("request", (pdu) => queue.push(pdu));
  return {
    session,
    queue,
    next: async () => {
      while (queue.length === 0) await once(session, "request");
      return queue.shift() as IncomingRequest;
    },
  };
}

function pduSeen(session: SmppSession, direction: "in" | "out", command: Pdu["command"]) {
  return new Promise<Pdu>((resolve) => {
    const listener = (dir: "in" | "out", pdu: Pdu) => {
      if (dir !== direction || pdu.command !== command) return;
      session.off("pdu", listener);
      resolve(pdu);
    };
    session.on("pdu", listener);
  });
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const sms = (text: string) =>
  submitSm({ destinationAddr: "447911123456", shortMessage: Buffer.from(text) });

describe("bindClient", () => {
  it("when the credentials are right, it resolves with a bound session on both sides", async () => {
    const smsc = await startSmsc();
    const client = await bind(smsc.port);
    const server = await smsc.nextSession();
    expect(client).toMatchObject({
      state: "bound",
      bindMode: "transceiver",
      peerSystemId: "smsgw",
    });
    expect(server).toMatchObject({ state: "bound", bindMode: "transceiver", peerSystemId: "acme" });
  });

  it("when the password is wrong, it rejects with SmppBindError carrying ESME_RINVPASWD", async () => {
    const smsc = await startSmsc();
    const error = await bind(smsc.port, { password: "wrong" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmppBindError);
    expect(error).toMatchObject({ commandStatus: 0x0e });
  });

  it("when nothing listens on the port, it rejects with SmppConnectError", async () => {
    const probe = createServer().listen(0, "127.0.0.1");
    await once(probe, "listening");
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    await expect(bind(port)).rejects.toBeInstanceOf(SmppConnectError);
  });
});

describe("SmppSession between a client and a server", () => {
  it("when the client submits, it resolves with the submit_sm_resp and the server's message_id", async () => {
    const smsc = await startSmsc();
    const client = await bind(smsc.port);
    const server = requests(await smsc.nextSession());
    const response = client.request(sms("hello"));
    const submit = await server.next();
    expect(submit).toMatchObject({ command: "submit_sm", destinationAddr: "447911123456" });
    expect(submit.command === "submit_sm" && submit.shortMessage.toString()).toBe("hello");
    expect(server.session.respond(submit, { messageId: "abc-1" })).toBe(true);
    await expect(response).resolves.toMatchObject({
      command: "submit_sm_resp",
      commandStatus: 0,
      messageId: "abc-1",
    });
    expect(server.session.respond(submit, { messageId: "again" })).toBe(false);
  });

  it("when the SMSC refuses a submit, it resolves with the status (no exception)", async () => {
    const smsc = await startSmsc();
    const client = await bind(smsc.port);
    const server = requests(await smsc.nextSession());
    const response = client.request(sms("x"));
    server.session.respond(await server.next(), { commandStatus: CommandStatus.ESME_RTHROTTLED });
    await expect(response).resolves.toMatchObject({ commandStatus: 0x58, messageId: "" });
  });

  it("when the server sends deliver_sm, the client's handler answers it", async () => {
    const smsc = await startSmsc();
    const client = requests(await bind(smsc.port));
    const server = await smsc.nextSession();
    const response = server.request(
      deliverSm({ destinationAddr: "ACME", shortMessage: Buffer.from("MO") }),
    );
    const deliver = await client.next();
    expect(deliver).toMatchObject({ command: "deliver_sm", destinationAddr: "ACME" });
    client.session.respond(deliver);
    await expect(response).resolves.toMatchObject({ command: "deliver_sm_resp", commandStatus: 0 });
  });

  it.each(["receiver", "transceiver"] as const)(
    "when the server sends data_sm on a %s bind, the client's handler gets it and answers data_sm_resp",
    async (mode) => {
      const smsc = await startSmsc();
      const client = requests(await bind(smsc.port, { mode }));
      const server = await smsc.nextSession();
      const receipt = deliverSm({ destinationAddr: "ACME", esmClass: 0x04 });
      const response = server.request(dataSmOf(receipt));
      const data = await client.next();
      expect(data).toMatchObject({ command: "data_sm", esmClass: 0x04 });
      client.session.respond(data, { messageId: "m1" });
      await expect(response).resolves.toMatchObject({
        command: "data_sm_resp",
        commandStatus: 0,
        messageId: "m1",
      });
    },
  );

  it("when the client has no request handler, a deliver_sm gets ESME_RX_T_APPN", async () => {
    const smsc = await startSmsc();
    await bind(smsc.port);
    const server = await smsc.nextSession();
    const response = await server.request(deliverSm({ destinationAddr: "ACME" }));
    expect(response.commandStatus).toBe(CommandStatus.ESME_RX_T_APPN);
  });

  it("when the window (2) is full, the 3rd request waits until a response frees a slot", async () => {
    const smsc = await startSmsc();
    const client = await bind(smsc.port, { windowSize: 2 });
    const server = requests(await smsc.nextSession());
    const sent: Pdu[] = [];
    client.on("pdu", (direction, pdu) => direction === "out" && sent.push(pdu));
    const responses = [
      client.request(sms("1")),
      client.request(sms("2")),
      client.request(sms("3")),
    ];
    const first = await server.next();
    const second = await server.next();
    await turn();
    expect(sent.map((pdu) => pdu.command)).toEqual(["submit_sm", "submit_sm"]);
    expect(client.inFlight).toBe(2);
    server.session.respond(first, { messageId: "m1" });
    const third = await server.next();
    expect(third.command === "submit_sm" && third.shortMessage.toString()).toBe("3");
    expect(server.queue).toEqual([]);
    server.session.respond(second, { messageId: "m2" });
    server.session.respond(third, { messageId: "m3" });
    const ids = (await Promise.all(responses)).map((r) => r.messageId);
    expect(ids).toEqual(["m1", "m2", "m3"]);
  });

  it("when no response comes in time, it rejects with SmppResponseTimeoutError and frees the slot", async () => {
    const smsc = await startSmsc();
    // Only the ignored submit's timeout must fire: the bind and the answered one get room.
    const client = await bind(smsc.port, { windowSize: 1, responseTimeoutMs: 10_000 });
    const server = requests(await smsc.nextSession());
    const late: Pdu[] = [];
    client.on("unmatchedResponse", (pdu) => late.push(pdu));
    const first = client.request(sms("1"), { timeoutMs: 200 });
    const second = client.request(sms("2"));
    const ignored = await server.next();
    await expect(first).rejects.toBeInstanceOf(SmppResponseTimeoutError);
    const next = await server.next();
    server.session.respond(next, { messageId: "m2" });
    await expect(second).resolves.toMatchObject({ messageId: "m2" });
    server.session.respond(ignored, { messageId: "m1-late" });
    await pduSeen(client, "in", "submit_sm_resp");
    expect(late).toMatchObject([{ command: "submit_sm_resp", messageId: "m1-late" }]);
  });

  it("when the link is idle, the client sends enquire_link and the server answers it", async () => {
    const smsc = await startSmsc();
    const client = await bind(smsc.port, { enquireLinkMs: 50 });
    const server = await smsc.nextSession();
    const atServer = pduSeen(server, "in", "enquire_link");
    const answered = await pduSeen(client, "in", "enquire_link_resp");
    expect(answered.commandStatus).toBe(0);
    await atServer;
    expect(client.state).toBe("bound");
  });

  it("when unbinding, it waits for in-flight responses before sending unbind", async () => {
    const smsc = await startSmsc();
    const client = await bind(smsc.port);
    const server = requests(await smsc.nextSession());
    const clientLog: string[] = [];
    client.on("pdu", (direction, pdu) => clientLog.push(`${direction} ${pdu.command}`));
    const pending = client.request(sms("in flight"));
    const submit = await server.next();
    const serverLog: string[] = [];
    server.session.on("pdu", (direction, pdu) => serverLog.push(`${direction} ${pdu.command}`));
    const unbound = client.unbind();
    expect(client.state).toBe("unbinding");
    await expect(client.request(sms("too late"))).rejects.toBeInstanceOf(SmppSessionStateError);
    await turn();
    expect(clientLog).toEqual(["out submit_sm"]);
    server.session.respond(submit, { messageId: "m1" });
    await unbound;
    await expect(pending).resolves.toMatchObject({ messageId: "m1" });
    expect(clientLog).toEqual([
      "out submit_sm",
      "in submit_sm_resp",
      "out unbind",
      "in unbind_resp",
    ]);
    expect(serverLog).toEqual(["out submit_sm_resp", "in unbind", "out unbind_resp"]);
    expect(client.state).toBe("closed");
    expect(await client.closed).toEqual({ error: undefined });
  });

  it("when the server closes the connection, pending requests reject with SmppConnectionClosedError", async () => {
    const smsc = await startSmsc();
    const client = await bind(smsc.port, { windowSize: 1 });
    const server = requests(await smsc.nextSession());
    const sent = client.request(sms("1"));
    const queued = client.request(sms("2"));
    await server.next();
    server.session.close();
    const [sentError, queuedError] = await Promise.all([
      sent.catch((e) => e),
      queued.catch((e) => e),
    ]);
    expect(sentError).toBeInstanceOf(SmppConnectionClosedError);
    expect(sentError).toMatchObject({ requestSent: true });
    expect(queuedError).toMatchObject({ name: "SmppConnectionClosedError", requestSent: false });
    const { error } = await client.closed;
    expect(error).toBeInstanceOf(SmppConnectionClosedError);
  });

  it("when the server shuts down, it unbinds its clients and they close cleanly", async () => {
    const smsc = await startSmsc();
    const client = await bind(smsc.port);
    await smsc.nextSession();
    const unbindAnswered = pduSeen(client, "out", "unbind_resp");
    await smsc.server.close();
    await unbindAnswered;
    expect(await client.closed).toEqual({ error: undefined });
    expect(smsc.server.sessions.size).toBe(0);
  });
});
