import { type AddressInfo, createServer } from "node:net";
import { createLogger } from "@smsgw/service-kit";
import {
  buildResponse,
  CommandStatus,
  createSmppServer,
  decodePdu,
  encodePdu,
  FrameSplitter,
  type RequestPdu,
  type ResponsePdu,
  type SmppServer,
  type SubmitSm,
  submitSm,
} from "@smsgw/smpp";
import { waitFor } from "@smsgw/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { loadCarrierConnectorConfig } from "../config.ts";
import { DEFAULT_BACKOFF } from "../domain/backoff.ts";
import { allSlots, type CarrierLink, startCarrierLink } from "./carrier-link.ts";
import { partResultOfError } from "./submit-orders.ts";

const log = createLogger("carrier-link-test", process.env.TEST_LOG_LEVEL ?? "silent");
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * An SMSC whose answer to each submit the test decides (`bind`: which session it came on, 1 for
 * the first bound). enquire_link is always answered (by the session), as a wedged SMSC's
 * front-end does.
 */
async function smsc(answer: (pdu: SubmitSm, n: number, bind: number) => number | "hold") {
  let n = 0;
  let binds = 0;
  const perBind: number[] = [];
  const held: Array<() => void> = [];
  const server: SmppServer = createSmppServer({
    onBind: () => {
      binds += 1;
      return 0;
    },
    onSession: (session) => {
      const bind = binds;
      session.on("request", (pdu) => {
        if (pdu.command !== "submit_sm") return;
        perBind[bind] = (perBind[bind] ?? 0) + 1;
        const decision = answer(pdu, ++n, bind);
        const reply = () => session.respond(pdu, { commandStatus: 0, messageId: `id${n}` });
        if (decision === "hold") held.push(reply);
        else if (decision === 0) reply();
        else session.respond(pdu, { commandStatus: decision });
      });
    },
  });
  const { port } = await server.listen(0, "127.0.0.1");
  cleanups.push(() => server.close());
  return {
    port,
    binds: () => binds,
    submits: () => n,
    /** Submits written to the n-th session bound (1 for the first). */
    submitsOn: (bind: number) => perBind[bind] ?? 0,
    releaseHeld: () => {
      for (const reply of held.splice(0)) reply();
    },
  };
}

function link(
  port: number,
  extra: Record<string, unknown> = {},
  linkDeps: { maxThrottleWaitMs?: number } = {},
): CarrierLink {
  const [carrier] = loadCarrierConnectorConfig({
    CARRIERS: JSON.stringify([{ id: "c", port, password: "pw", ...extra }]),
  }).CARRIERS;
  if (!carrier) throw new Error("no carrier");
  const started = startCarrierLink(
    carrier,
    {
      log,
      backoff: { ...DEFAULT_BACKOFF, baseMs: 50, maxMs: 200 },
      onRequest: () => undefined,
      ...linkDeps,
    },
    allSlots(carrier),
  );
  cleanups.push(() => started.stop());
  return started;
}

const pdu = () => submitSm({ destinationAddr: "37256000001", shortMessage: Buffer.from("x") });

/**
 * A hand-driven SMSC on a raw socket (the codec only): it answers the first submit with a
 * generic_nack carrying `nackStatus`, the rest with submit_sm_resp OK.
 */
async function nackingSmsc(nackStatus: number) {
  let submits = 0;
  const server = createServer((socket) => {
    const splitter = new FrameSplitter();
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) {
        const decoded = decodePdu(frame);
        if (decoded.command === "generic_nack" || decoded.command.endsWith("_resp")) continue;
        const pdu = decoded as RequestPdu;
        if (pdu.command === "submit_sm" && ++submits === 1) {
          socket.write(encodePdu(genericNackOf(pdu.sequenceNumber, nackStatus)));
        } else if (pdu.command === "submit_sm") {
          socket.write(encodePdu(buildResponse(pdu, { messageId: `id${submits}` })));
        } else {
          socket.write(encodePdu(buildResponse(pdu)));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.on("connection", (socket) => cleanups.push(async () => void socket.destroy()));
  return { port: (server.address() as AddressInfo).port, submits: () => submits };
}

const genericNackOf = (sequenceNumber: number, commandStatus: number): ResponsePdu => ({
  command: "generic_nack",
  commandStatus,
  sequenceNumber,
});

describe("carrier link", () => {
  it("when a submit gets generic_nack ESME_RTHROTTLED, it is kept and sent again after the pause", async () => {
    const server = await nackingSmsc(CommandStatus.ESME_RTHROTTLED);
    const carrier = link(server.port);
    await carrier.firstAttempt();
    expect((await carrier.submit(pdu())).messageId).toBe("id2");
    expect(server.submits()).toBe(2);
  });

  it("when a submit gets another generic_nack, it rejects with that status (the part is refused)", async () => {
    const server = await nackingSmsc(CommandStatus.ESME_RINVCMDLEN);
    const carrier = link(server.port);
    await carrier.firstAttempt();
    await expect(carrier.submit(pdu())).rejects.toMatchObject({
      name: "SmppGenericNackError",
      commandStatus: CommandStatus.ESME_RINVCMDLEN,
    });
    expect(server.submits()).toBe(1);
  });

  it("when a submit gets generic_nack with command_status 0 (a broken SMSC), it rejects with the nack, and the part counts as not accepted (nacked), never as OK", async () => {
    const server = await nackingSmsc(0);
    const carrier = link(server.port);
    await carrier.firstAttempt();
    const error = await carrier.submit(pdu()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "SmppGenericNackError", commandStatus: 0 });
    expect(partResultOfError(1, error)).toMatchObject({ kind: "nacked", part: 1 });
    expect(server.submits()).toBe(1);
  });

  it("when a submit is refused with ESME_RINVBNDSTS, the bind is dropped, bound again, and the submit goes through", async () => {
    const server = await smsc((_pdu, n) => (n === 1 ? CommandStatus.ESME_RINVBNDSTS : 0));
    const carrier = link(server.port);
    await carrier.firstAttempt();
    const response = await carrier.submit(pdu());
    expect(response.commandStatus).toBe(0);
    expect(server.submits()).toBe(2);
    expect(server.binds()).toBe(2);
  });

  it("when ESME_RINVBNDSTS comes while other submits are in flight on that bind, they get their answers before it unbinds, and the refused one goes on the new bind", async () => {
    const server = await smsc((_pdu, n) =>
      n === 1 ? CommandStatus.ESME_RINVBNDSTS : n <= 3 ? "hold" : 0,
    );
    const carrier = link(server.port);
    await carrier.firstAttempt();
    const answers = Promise.all([
      carrier.submit(pdu()),
      carrier.submit(pdu()),
      carrier.submit(pdu()),
    ]);
    await waitFor(() => server.submits() >= 3 || undefined, { what: "three submits sent" });
    server.releaseHeld();
    expect((await answers).map((a) => a.commandStatus)).toEqual([0, 0, 0]);
    expect(server.submits()).toBe(4);
    expect(server.binds()).toBe(2);
  });

  it("when a bind leaves rebindAfterTimeouts submits in a row unanswered while it answers enquire_link, it is dropped and bound again: those written stay outcome unknown, those queued behind its window go out on the new bind", async () => {
    // The first session's application is wedged: it takes submits and never answers them.
    const server = await smsc((_pdu, _n, bind) => (bind === 1 ? "hold" : 0));
    // The timeout bounds the connect, the bind and the answered submits too: long enough for
    // those on a busy machine, short enough to fire soon for the wedged ones.
    const carrier = link(server.port, {
      windowSize: 2,
      responseTimeoutMs: 1_000,
      enquireLinkMs: 50,
      rebindAfterTimeouts: 2,
    });
    await carrier.firstAttempt();
    // The first timeout frees a slot 100 ms before the second one drops the bind: the submit
    // queued behind the window must not be written to the suspect bind meanwhile.
    const first = carrier.submit(pdu());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const outcomes = await Promise.allSettled([
      first,
      ...Array.from({ length: 3 }, () => carrier.submit(pdu())),
    ]);

    expect(
      outcomes.map((o) => (o.status === "fulfilled" ? o.value.commandStatus : o.reason.name)),
    ).toEqual(["SmppResponseTimeoutError", "SmppResponseTimeoutError", 0, 0]);
    // Two written to the wedged bind (its window), two on the new one: none written twice.
    expect(server.submits()).toBe(4);
    expect(server.binds()).toBe(2);
    expect(carrier.status()).toMatchObject({ unresponsive: false, recentSubmitErrors: 2 });
  });

  it("when every bind of the carrier leaves its submits unanswered, health says unresponsive until a submit is answered", async () => {
    let wedged = true;
    const server = await smsc(() => (wedged ? "hold" : 0));
    const carrier = link(server.port, { responseTimeoutMs: 1_000, rebindAfterTimeouts: 1 });
    await carrier.firstAttempt();
    await expect(carrier.submit(pdu())).rejects.toMatchObject({ name: "SmppResponseTimeoutError" });
    expect(carrier.status().unresponsive).toBe(true);
    await waitFor(() => server.binds() === 2 || undefined, { what: "bound again" });

    wedged = false;
    await waitFor(() => carrier.session(), { what: "the new bind up" });
    expect((await carrier.submit(pdu())).commandStatus).toBe(0);
    expect(carrier.status().unresponsive).toBe(false);
  });

  it("when a bind was dropped for unanswered submits, the next one gets a single submit until one is answered, not a window's worth", async () => {
    const server = await smsc(() => "hold");
    const carrier = link(server.port, {
      windowSize: 4,
      responseTimeoutMs: 1_000,
      rebindAfterTimeouts: 1,
    });
    await carrier.firstAttempt();
    await expect(carrier.submit(pdu())).rejects.toMatchObject({ name: "SmppResponseTimeoutError" });
    await waitFor(() => (server.binds() === 2 && carrier.session()) || undefined, {
      what: "bound again",
    });
    // Settled whatever becomes of them (the rest wait for a bind, then are handed back unsent).
    void Promise.allSettled(Array.from({ length: 4 }, () => carrier.submit(pdu())));
    await waitFor(() => server.binds() >= 3 || undefined, { what: "the probe's bind dropped" });
    expect(server.submitsOn(2)).toBe(1);
  });

  it("when rebindAfterTimeouts is 0, a bind whose submits go unanswered is kept", async () => {
    const server = await smsc(() => "hold");
    const carrier = link(server.port, { responseTimeoutMs: 500, rebindAfterTimeouts: 0 });
    await carrier.firstAttempt();
    for (let i = 0; i < 3; i++) {
      await expect(carrier.submit(pdu())).rejects.toMatchObject({
        name: "SmppResponseTimeoutError",
      });
    }
    expect(server.binds()).toBe(1);
    expect(carrier.status()).toMatchObject({ bindsUp: 1, unresponsive: false });
  });

  it("when the carrier throttles, the submit is kept and sent again after a pause; health says throttled", async () => {
    const server = await smsc((_pdu, n) => (n <= 2 ? CommandStatus.ESME_RTHROTTLED : 0));
    const carrier = link(server.port);
    await carrier.firstAttempt();
    const started = Date.now();
    const submitting = carrier.submit(pdu());
    await waitFor(() => carrier.status().throttled, { what: "throttled" });
    expect((await submitting).commandStatus).toBe(0);
    // Two pauses: 200 ms then 400 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(carrier.status()).toMatchObject({ recentSubmits: 1, recentSubmitErrors: 0 });
  });

  it("when the carrier throttles, a submit queued behind the window waits for the pause before it goes out", async () => {
    const arrivals: number[] = [];
    const server = await smsc((_pdu, n) => {
      arrivals.push(Date.now());
      return n === 1 ? CommandStatus.ESME_RTHROTTLED : 0;
    });
    const carrier = link(server.port, { windowSize: 1 });
    await carrier.firstAttempt();
    const answers = await Promise.all([carrier.submit(pdu()), carrier.submit(pdu())]);
    expect(answers.map((a) => a.commandStatus)).toEqual([0, 0]);
    // The second was queued behind the first's slot: it went out only after the 200 ms pause
    // that the first one's refusal began, as the first one's resend did.
    expect(server.submits()).toBe(3);
    const [refused = 0, next = 0] = arrivals;
    expect(next - refused).toBeGreaterThanOrEqual(190);
  });

  it("when the carrier refuses for its trouble of the moment (ESME_RSYSERR, ESME_RX_T_APPN), the part is sent again on it before any failover", async () => {
    const server = await smsc((_pdu, n) =>
      n === 1 ? CommandStatus.ESME_RSYSERR : n === 2 ? CommandStatus.ESME_RX_T_APPN : 0,
    );
    const carrier = link(server.port);
    await carrier.firstAttempt();
    const answer = await carrier.submit(pdu());
    expect(answer).toMatchObject({ commandStatus: 0, messageId: "id3" });
    expect(server.submits()).toBe(3);
    // Not a throttle: the carrier was never paused.
    expect(carrier.status().throttled).toBe(false);
  });

  it("when the carrier keeps refusing ESME_RSYSERR, the part is sent again three times, then the refusal is the answer (the message fails over)", async () => {
    const server = await smsc(() => CommandStatus.ESME_RSYSERR);
    const carrier = link(server.port);
    await carrier.firstAttempt();
    expect((await carrier.submit(pdu())).commandStatus).toBe(CommandStatus.ESME_RSYSERR);
    expect(server.submits()).toBe(4);
  });

  it("when a submit first waited behind the window longer than the throttle limit, its own throttle still gets the full wait", async () => {
    const server = await smsc((_pdu, n) =>
      n === 1 ? "hold" : n === 2 ? CommandStatus.ESME_RTHROTTLED : 0,
    );
    const carrier = link(server.port, { windowSize: 1 }, { maxThrottleWaitMs: 300 });
    await carrier.firstAttempt();
    const first = carrier.submit(pdu());
    await waitFor(() => server.submits() === 1, { what: "the first submit held" });
    const second = carrier.submit(pdu());
    // The second waits behind the held one for longer than the throttle limit.
    await new Promise((resolve) => setTimeout(resolve, 400));
    server.releaseHeld();
    expect((await first).commandStatus).toBe(0);
    expect((await second).commandStatus).toBe(0);
    expect(server.submits()).toBe(3);
  });

  it("when submits wait for the carrier, the backlog counts them, at the cap's rate where there is one", async () => {
    const server = await smsc(() => "hold");
    const carrier = link(server.port, { maxTps: 20 });
    await carrier.firstAttempt();
    expect(carrier.backlog()).toEqual({ pendingParts: 0, ratePerSec: 20 });
    const submitting = [carrier.submit(pdu()), carrier.submit(pdu())];
    await waitFor(() => server.submits() === 2, { what: "both submits at the carrier" });
    expect(carrier.backlog().pendingParts).toBe(2);
    server.releaseHeld();
    await Promise.all(submitting);
    expect(carrier.backlog().pendingParts).toBe(0);
  });

  it("when a link is retired (its carrier replaced or removed), the parts already handed to it still go out before it unbinds", async () => {
    const server = await smsc((_pdu, n) => (n === 1 ? "hold" : 0));
    const carrier = link(server.port, { windowSize: 1 });
    await carrier.firstAttempt();
    const first = carrier.submit(pdu());
    await waitFor(() => server.submits() === 1, { what: "the first part held" });
    // The second waits behind the first's window slot.
    const second = carrier.submit(pdu());
    const retired = carrier.retire(5_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.releaseHeld();
    expect((await first).commandStatus).toBe(0);
    expect((await second).commandStatus).toBe(0);
    await retired;
    expect(server.submits()).toBe(2);
    expect(carrier.status().bindsUp).toBe(0);
  });

  it("when a link is stopped (the connector shutting down), a part still waiting for a window slot is handed back unsent", async () => {
    const server = await smsc((_pdu, n) => (n === 1 ? "hold" : 0));
    const carrier = link(server.port, { windowSize: 1 });
    await carrier.firstAttempt();
    const first = carrier.submit(pdu());
    await waitFor(() => server.submits() === 1, { what: "the first part held" });
    // Its outcome taken at once: it is refused as the stop begins.
    const second = carrier.submit(pdu()).then(
      () => "sent",
      (error: unknown) => error,
    );
    const stopped = carrier.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.releaseHeld();
    expect((await first).commandStatus).toBe(0);
    expect(await second).toBeInstanceOf(Error);
    await stopped;
    expect(server.submits()).toBe(1);
  });

  it("when there are two transmitter+receiver pairs, four binds are up and submits spread on the transmitters", async () => {
    const server = await smsc(() => 0);
    const carrier = link(server.port, { binds: 2, bindMode: "pair" });
    await waitFor(() => carrier.status().bindsUp === 4, { what: "four binds" });
    expect(carrier.status().bindsWanted).toBe(4);
    const answers = await Promise.all(Array.from({ length: 10 }, () => carrier.submit(pdu())));
    expect(answers.every((a) => a.commandStatus === 0)).toBe(true);
  });

  it("when stopped with submits in flight, it waits for their answers before unbinding", async () => {
    const server = await smsc(() => "hold");
    const carrier = link(server.port);
    await carrier.firstAttempt();
    const inFlight = carrier.submit(pdu());
    await waitFor(() => server.submits() === 1);
    const stopping = carrier.stop();
    setTimeout(server.releaseHeld, 100);
    expect((await inFlight).commandStatus).toBe(0);
    await stopping;
    expect(carrier.unboundForMs()).toBeGreaterThanOrEqual(0);
    await expect(carrier.submit(pdu())).rejects.toThrow(/unbinding|not bound/);
  });

  it("when no bind is up, unboundForMs grows from the start", async () => {
    const carrier = link(1);
    await carrier.firstAttempt();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(carrier.unboundForMs()).toBeGreaterThanOrEqual(50);
    expect(carrier.session()).toBeUndefined();
  });
});
