import { once } from "node:events";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { bindRequest, buildResponse, deliverSm, submitSm } from "./builders.ts";
import { type BindClientOptions, bindClient } from "./client.ts";
import { encodePdu } from "./codec.ts";
import { CommandStatus } from "./command-status.ts";
import {
  SmppConnectionClosedError,
  SmppGenericNackError,
  SmppResponseTimeoutError,
  SmppSessionStateError,
} from "./errors.ts";
import type { Pdu } from "./pdu.ts";
import { type RawPeer, rawBoundClient, rawConnect, rawServer } from "./raw-peer.testing.ts";
import { createSmppServer } from "./server.ts";
import { SmppSession } from "./session.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A real server, to be poked by a raw client. */
async function serverPort(): Promise<number> {
  const server = createSmppServer({
    onBind: () => 0,
    onSession: (session) =>
      session.on("request", (pdu) => session.respond(pdu, { messageId: "ok" })),
    enquireLinkMs: 0,
  });
  const { port } = await server.listen(0);
  cleanups.push(() => server.close());
  return port;
}

/** A real server whose owner answers each request `answerAfterMs` later, as a charged submit is. */
async function slowServer(answerAfterMs: number) {
  const handled: number[] = [];
  const server = createSmppServer({
    onBind: () => 0,
    enquireLinkMs: 0,
    onSession: (session) =>
      session.on("request", (pdu) => {
        handled.push(pdu.sequenceNumber);
        const answer = () => session.respond(pdu, { messageId: `m${pdu.sequenceNumber}` });
        setTimeout(answer, answerAfterMs);
      }),
  });
  const { port } = await server.listen(0);
  cleanups.push(() => server.close());
  return { server, port, handled };
}

const commandsOf = (peer: RawPeer) =>
  peer.received.map((pdu) => `${pdu.command} ${pdu.sequenceNumber}`);

/** A raw SMSC that accepts the bind, and the real client bound to it. */
async function clientOfRawSmsc(options: Partial<BindClientOptions> = {}) {
  const raw = await rawServer();
  cleanups.push(() => raw.close());
  const binding = bindClient({
    host: "127.0.0.1",
    port: raw.port,
    systemId: "acme",
    password: "secret",
    mode: "transceiver",
    windowSize: 10,
    responseTimeoutMs: 1_000,
    enquireLinkMs: 0,
    ...options,
  });
  const smsc = await raw.accepted();
  const bind = await smsc.nextOf("bind_transceiver");
  smsc.send(buildResponse(bind, { systemId: "raw" }));
  const client = await binding;
  cleanups.push(async () => client.close());
  return { smsc, client };
}

const seq = (pdu: Pdu, sequenceNumber: number) => ({ ...pdu, sequenceNumber }) as Pdu;
const submit = (sequenceNumber: number): Pdu => ({
  ...submitSm({ destinationAddr: "1" }),
  commandStatus: 0,
  sequenceNumber,
});

async function boundRawClient(port: number): Promise<RawPeer> {
  const peer = await rawBoundClient(port);
  cleanups.push(async () => peer.socket.destroy());
  return peer;
}

describe("SmppSession facing a raw peer", () => {
  it("when a request comes before bind, the server answers ESME_RINVBNDSTS", async () => {
    const peer = await rawConnect(await serverPort());
    cleanups.push(async () => peer.socket.destroy());
    peer.send(submit(5));
    expect(await peer.nextOf("submit_sm_resp")).toMatchObject({
      commandStatus: 0x04,
      sequenceNumber: 5,
    });
  });

  it("when a second bind comes on a bound session, it answers ESME_RALYBND", async () => {
    const peer = await boundRawClient(await serverPort());
    peer.send({
      ...bindRequest("transmitter", { systemId: "a", password: "b" }),
      commandStatus: 0,
      sequenceNumber: 2,
    });
    expect(await peer.nextOf("bind_transmitter_resp")).toMatchObject({
      commandStatus: 0x05,
      sequenceNumber: 2,
    });
  });

  it("when bytes arrive one at a time over TCP, the PDUs are still decoded", async () => {
    const peer = await boundRawClient(await serverPort());
    peer.socket.setNoDelay(true);
    const bytes = Buffer.concat([encodePdu(submit(7)), encodePdu(seq(submit(8), 8))]);
    for (const byte of bytes) {
      peer.socket.write(Buffer.of(byte));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await peer.nextOf("submit_sm_resp")).toMatchObject({
      sequenceNumber: 7,
      messageId: "ok",
    });
    expect(await peer.nextOf("submit_sm_resp")).toMatchObject({ sequenceNumber: 8 });
  });

  it("when an unknown command arrives, it answers generic_nack ESME_RINVCMDID with its sequence", async () => {
    const peer = await boundRawClient(await serverPort());
    peer.socket.write(Buffer.from("00000010000001020000000000000063", "hex"));
    expect(await peer.nextOf("generic_nack")).toMatchObject({
      commandStatus: 0x03,
      sequenceNumber: 0x63,
    });
    peer.send({ command: "enquire_link", commandStatus: 0, sequenceNumber: 0x64 });
    expect(await peer.nextOf("enquire_link_resp")).toMatchObject({ sequenceNumber: 0x64 });
  });

  it("when command_length is absurd, it sends generic_nack ESME_RINVCMDLEN and closes", async () => {
    const peer = await boundRawClient(await serverPort());
    peer.socket.write(Buffer.from("0000000800000004", "hex"));
    expect(await peer.nextOf("generic_nack")).toMatchObject({
      commandStatus: CommandStatus.ESME_RINVCMDLEN,
    });
    await peer.closed();
  });

  it("when the SMSC answers generic_nack, the request rejects with SmppGenericNackError", async () => {
    const { smsc, client } = await clientOfRawSmsc();
    const response = client.request(submitSm({ destinationAddr: "1" }));
    const sent = await smsc.nextOf("submit_sm");
    smsc.send({
      command: "generic_nack",
      commandStatus: 0x03,
      sequenceNumber: sent.sequenceNumber,
    });
    const error = await response.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmppGenericNackError);
    expect(error).toMatchObject({ commandStatus: 0x03, command: "submit_sm" });
    expect(client.inFlight).toBe(0);
  });

  it("when the SMSC's response is malformed, the request rejects instead of hanging", async () => {
    const { smsc, client } = await clientOfRawSmsc();
    const response = client.request({ command: "enquire_link" });
    const sent = await smsc.nextOf("enquire_link");
    const bad = Buffer.from("0000001180000015000000000000000000", "hex");
    bad.writeUInt32BE(sent.sequenceNumber, 12);
    smsc.socket.write(bad);
    await expect(response).rejects.toMatchObject({ name: "SmppDecodeError" });
  });

  it("when enquire_link goes unanswered, the client closes with SmppResponseTimeoutError", async () => {
    const { smsc, client } = await clientOfRawSmsc({ enquireLinkMs: 30, responseTimeoutMs: 100 });
    await smsc.nextOf("enquire_link");
    const { error } = await client.closed;
    expect(error).toBeInstanceOf(SmppResponseTimeoutError);
    expect(client.state).toBe("closed");
    await smsc.closed();
  });

  it("when the SMSC half-closes the connection, a request made after is refused as never sent (not an unknown outcome)", async () => {
    const raw = await rawServer();
    cleanups.push(() => raw.close());
    const socket = connect({ host: "127.0.0.1", port: raw.port });
    await once(socket, "connect");
    const client = new SmppSession(socket, "esme", { enquireLinkMs: 0, responseTimeoutMs: 1_000 });
    cleanups.push(async () => client.close());
    const binding = client.request(bindRequest("transceiver", { systemId: "a", password: "b" }));
    const smsc = await raw.accepted();
    smsc.send(buildResponse(await smsc.nextOf("bind_transceiver"), { systemId: "raw" }));
    await binding;
    // The SMSC's FIN: nothing can be answered on this connection any more.
    const after = new Promise<unknown>((resolve) => {
      socket.once("end", () => {
        client.request(submitSm({ destinationAddr: "1" })).then(resolve, resolve);
      });
    });
    smsc.socket.end();
    const error = await after;
    expect(error).toBeInstanceOf(SmppConnectionClosedError);
    expect(error).toMatchObject({ requestSent: false });
    expect(smsc.received.filter((pdu) => pdu.command === "submit_sm")).toEqual([]);
  });

  it("when the SMSC sends unbind, the client answers unbind_resp and closes", async () => {
    const { smsc, client } = await clientOfRawSmsc();
    smsc.send({ command: "unbind", commandStatus: 0, sequenceNumber: 42 });
    expect(await smsc.nextOf("unbind_resp")).toMatchObject({
      sequenceNumber: 42,
      commandStatus: 0,
    });
    expect(await client.closed).toEqual({ error: undefined });
  });

  it("when the SMSC sends unbind with submits in flight, their responses sent after it still resolve them; new requests are refused unsent", async () => {
    const { smsc, client } = await clientOfRawSmsc();
    const inFlight = client.request(submitSm({ destinationAddr: "1" })).catch((e: unknown) => e);
    const submit = await smsc.nextOf("submit_sm");
    smsc.send({ command: "unbind", commandStatus: 0, sequenceNumber: 42 });
    expect(await smsc.nextOf("unbind_resp")).toMatchObject({ sequenceNumber: 42 });
    const later = await client.request(submitSm({ destinationAddr: "2" })).catch((e: unknown) => e);
    expect(later).toBeInstanceOf(SmppSessionStateError);
    // The SMSC drains its side: the answer to what it already took comes after its unbind.
    smsc.send(buildResponse(submit, { messageId: "late-but-fine" }));
    expect(await inFlight).toMatchObject({ commandStatus: 0, messageId: "late-but-fine" });
    expect(await client.closed).toEqual({ error: undefined });
  });

  it("when a listener throws, the session closes with that error instead of crashing", async () => {
    const { smsc, client } = await clientOfRawSmsc();
    const bug = new Error("listener bug");
    client.on("pdu", (direction) => {
      if (direction === "in") throw bug;
    });
    smsc.send({ command: "enquire_link", commandStatus: 0, sequenceNumber: 9 });
    expect(await client.closed).toEqual({ error: bug });
  });

  it("when a request handler throws, the request is answered ESME_RSYSERR", async () => {
    const { smsc, client } = await clientOfRawSmsc();
    client.on("request", () => {
      throw new Error("handler bug");
    });
    smsc.send({ ...deliverSm({ destinationAddr: "1" }), commandStatus: 0, sequenceNumber: 11 });
    expect(await smsc.nextOf("deliver_sm_resp")).toMatchObject({
      commandStatus: 0x08,
      sequenceNumber: 11,
    });
    expect(client.state).toBe("bound");
  });

  it("when a request comes again under a sequence number still being answered, it is handled once and answered once", async () => {
    const handled: number[] = [];
    const server = createSmppServer({
      onBind: () => 0,
      enquireLinkMs: 0,
      onSession: (session) =>
        session.on("request", (pdu) => {
          handled.push(pdu.sequenceNumber);
          // Answered later, as a submit is once it is charged.
          setTimeout(() => session.respond(pdu, { messageId: `m${handled.length}` }), 50);
        }),
    });
    const { port } = await server.listen(0);
    cleanups.push(() => server.close());
    const peer = await boundRawClient(port);
    peer.send(submit(7));
    peer.send(submit(7));
    peer.send(submit(8));
    await peer.next((pdu) => pdu.command === "submit_sm_resp" && pdu.sequenceNumber === 8);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(handled).toEqual([7, 8]);
    const answers = peer.received.filter((pdu) => pdu.command === "submit_sm_resp");
    expect(answers.map((pdu) => pdu.sequenceNumber)).toEqual([7, 8]);
  });

  it("when the ESME sends unbind right after a submit still being handled, the submit_sm_resp goes out before the unbind_resp and the close", async () => {
    const { port, handled } = await slowServer(100);
    const peer = await boundRawClient(port);
    peer.send(submit(7));
    peer.send({ command: "unbind", commandStatus: 0, sequenceNumber: 8 });
    await peer.closed();
    expect(handled).toEqual([7]);
    expect(commandsOf(peer)).toEqual([
      "bind_transceiver_resp 1",
      "submit_sm_resp 7",
      "unbind_resp 8",
    ]);
    expect(peer.received[1]).toMatchObject({ commandStatus: 0, messageId: "m7" });
  });

  it("when a submit comes after the ESME's unbind, it is answered with a temporary error and never handed to the owner", async () => {
    const { port, handled } = await slowServer(100);
    const peer = await boundRawClient(port);
    peer.send(submit(7));
    peer.send({ command: "unbind", commandStatus: 0, sequenceNumber: 8 });
    peer.send(seq(submit(9), 9));
    expect(await peer.next((pdu) => pdu.sequenceNumber === 9)).toMatchObject({
      command: "submit_sm_resp",
      commandStatus: CommandStatus.ESME_RSYSERR,
    });
    await peer.closed();
    expect(handled).toEqual([7]);
    expect(commandsOf(peer).slice(2)).toEqual(["submit_sm_resp 7", "unbind_resp 8"]);
  });

  it("when the server stops with a submit still being handled, its submit_sm_resp goes out before the unbind, and a submit crossing the unbind is refused unhandled", async () => {
    const { server, port, handled } = await slowServer(100);
    const peer = await boundRawClient(port);
    peer.send(submit(7));
    while (handled.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const stopped = server.close();
    peer.send(seq(submit(9), 9)); // sent before our unbind reached it
    const unbind = await peer.nextOf("unbind");
    peer.send(buildResponse(unbind));
    await stopped;
    await peer.closed();
    expect(handled).toEqual([7]);
    const answers = peer.received.slice(1, -1);
    expect(commandsOf(peer).at(-1)).toBe(`unbind ${unbind.sequenceNumber}`);
    expect(answers).toHaveLength(2);
    expect(answers).toContainEqual(
      expect.objectContaining({ sequenceNumber: 7, commandStatus: 0, messageId: "m7" }),
    );
    expect(answers).toContainEqual(
      expect.objectContaining({ sequenceNumber: 9, commandStatus: CommandStatus.ESME_RSYSERR }),
    );
  });

  it("when the client unbinds while its listener holds a deliver_sm for a reason of its own, the listener hears 'unbinding' and answers it before the unbind goes out", async () => {
    const { smsc, client } = await clientOfRawSmsc();
    const held = new Promise<void>((resolve) =>
      client.on("request", (pdu) => {
        client.once("unbinding", () =>
          client.respond(pdu, { commandStatus: CommandStatus.ESME_RX_T_APPN }),
        );
        resolve();
      }),
    );
    smsc.send({ ...deliverSm({ destinationAddr: "1" }), commandStatus: 0, sequenceNumber: 4 });
    await held;
    const unbinding = client.unbind();
    const unbind = await smsc.nextOf("unbind");
    smsc.send(buildResponse(unbind));
    await unbinding;
    expect(commandsOf(smsc)).toEqual([
      "bind_transceiver 1",
      "deliver_sm_resp 4",
      `unbind ${unbind.sequenceNumber}`,
    ]);
    expect(smsc.received[1]?.commandStatus).toBe(CommandStatus.ESME_RX_T_APPN);
  });

  it("when sequence numbers are assigned, they increase from 1 and stay unique in flight", async () => {
    const { smsc, client } = await clientOfRawSmsc();
    const responses = [1, 2, 3].map(() => client.request({ command: "enquire_link" }));
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const link = await smsc.nextOf("enquire_link");
      seen.push(link.sequenceNumber);
      smsc.send(buildResponse({ ...link }));
    }
    expect(seen).toEqual([2, 3, 4]); // the bind took 1
    await Promise.all(responses);
  });
});
