import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { subjects } from "@smsgw/contracts";
import { ensureDurableConsumer } from "@smsgw/service-kit";
import { waitFor } from "@smsgw/testkit";
import type { NpmPdu } from "@smsgw/testkit/npm-smpp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { smppCustomer } from "./smpp-customer.ts";

// Admission control at the SMPP door (ADR 0010): the same gate as ingress's. Capacity is
// simulated as in ingress's admission test: a durable on the accepted subject that nobody
// pulls is a routing that has stopped, so the oldest accepted message waits longer and
// longer. The bound is low (400 ms: the limit shrinks once a message has waited 200 ms), the
// signal is read every 100 ms, and the limit's floor (2 submits in flight) is under the
// flood's 16 at once. Nothing here is timed.
const ESME_ROK = 0;
const ESME_RTHROTTLED = 0x58;
const STALLED = "stalled-routing";

let gateway: Gateway;
let nc: NatsConnection;
let smpp: { systemId: string; password: string };
const customer = smppCustomer(
  () => gateway.smppServer?.port,
  () => smpp,
);

beforeAll(async () => {
  gateway = await startGateway(
    {},
    {
      smppServer: true,
      envOf: (service): Record<string, string> =>
        service === "smpp-server"
          ? {
              ADMISSION_ENABLED: "true",
              ADMISSION_MAX_DELAY_MS: "400",
              ADMISSION_POLL_MS: "100",
              ADMISSION_MIN_IN_FLIGHT: "2",
              SMPP_WINDOW: "100",
            }
          : {},
    },
  );
  await gateway.pricing.accounts.createAccount({ name: "smpp-flood", credits: "100" });
  smpp = await gateway.pricing.accounts.rotateSmppCredentials("smpp-flood");
  // With the gateway's credentials when it runs under the permission file (TEST_NATS_AUTH).
  const { NATS_URL, NATS_USER, NATS_PASSWORD } = gateway.infra.env;
  nc = await connect({
    servers: NATS_URL,
    ...(NATS_USER ? { user: NATS_USER, pass: NATS_PASSWORD ?? "" } : {}),
  });
});

afterEach(() => customer.closeAll());

afterAll(async () => {
  await nc?.close();
  await gateway?.stop();
});

const balance = async () => (await gateway.pricing.accounts.get("smpp-flood"))?.balance ?? NaN;

async function shedCount(): Promise<number> {
  const port = gateway.smppServer?.healthPort;
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^smsgw_smpp_shed_total\{reason="backlog"\} (\S+)$/gm)]
    .map((m) => Number(m[1]))
    .reduce((a, b) => a + b, 0);
}

/** A durable on the accepted subject that nobody pulls, as a routing that stopped; and its end. */
async function stallRouting(): Promise<() => Promise<void>> {
  const stream = subjects(gateway.infra.prefix);
  const jsm = await jetstreamManager(nc);
  await ensureDurableConsumer(jsm, stream.stream, {
    durable: STALLED,
    filterSubject: stream.event("MessageAccepted"),
  });
  return async () => {
    await jsm.consumers.delete(stream.stream, STALLED);
  };
}

describe("when the delivery path falls behind past the bound", () => {
  it("submits past the limit are answered ESME_RTHROTTLED at once and never charged; once it catches up, they are accepted again", async () => {
    const session = await customer.bound();
    // The charge is made before submit_sm_resp: the first submit's answer sets the price.
    const start = await balance();
    const first = await customer.submit(session, { short_message: "before the flood" });
    expect(first.command_status).toBe(ESME_ROK);
    const before = await balance();
    const price = start - before;
    expect(price).toBeGreaterThan(0);

    const resume = await stallRouting();

    const answers: NpmPdu[] = [];
    await waitFor(
      async () => {
        const round = await Promise.all(
          Array.from({ length: 16 }, (_, i) =>
            customer.submit(session, { short_message: `flood ${i}` }),
          ),
        );
        answers.push(...round);
        return round.some((pdu) => pdu.command_status === ESME_RTHROTTLED) || undefined;
      },
      { what: "a submit refused at capacity", timeoutMs: 30_000 },
    );
    const statuses = new Set(answers.map((pdu) => pdu.command_status));
    expect([...statuses].every((s) => s === ESME_ROK || s === ESME_RTHROTTLED)).toBe(true);
    expect(await shedCount()).toBeGreaterThan(0);

    // Every refused submit went uncharged: the balance fell by the accepted ones alone.
    const accepted = answers.filter((pdu) => pdu.command_status === ESME_ROK).length;
    expect(answers.length - accepted).toBeGreaterThan(0);
    expect(before - (await balance())).toBe(price * accepted);

    await resume();
    const again = await waitFor(
      async () => {
        const pdu = await customer.submit(session, { short_message: "after the flood" });
        return pdu.command_status === ESME_ROK ? pdu : undefined;
      },
      { what: "a submit accepted again", timeoutMs: 30_000 },
    );
    expect(String(again.message_id)).toMatch(/^msg_/);
  });

  it("when the last part of a concatenated submit is answered ESME_RTHROTTLED, its resend alone completes the message under the first part's id and is charged", async () => {
    const session = await customer.bound();
    const resume = await stallRouting();
    const part = (ref: number, seq: number, text: string) => ({
      esm_class: 0x40,
      short_message: Buffer.concat([
        Buffer.from([0x05, 0x00, 0x03, ref, 2, seq]),
        Buffer.from(text),
      ]),
    });
    // Each round: a first part (waiting, answered at once), then its last part beside a
    // flood, until the last part is one refused at capacity.
    let ref = 0;
    const refused = await waitFor(
      async () => {
        ref += 1;
        const first = await customer.submit(session, part(ref, 1, `first half ${ref} `));
        expect(first.command_status).toBe(ESME_ROK);
        // Sent after the flood's 16, so that it finds the limit taken.
        const answers = await Promise.all([
          ...Array.from({ length: 16 }, (_, i) =>
            customer.submit(session, { short_message: `flood ${ref}.${i}` }),
          ),
          customer.submit(session, part(ref, 2, `second half ${ref}`)),
        ]);
        const last = answers.at(-1);
        return last?.command_status === ESME_RTHROTTLED
          ? { ref, id: String(first.message_id) }
          : undefined;
      },
      { what: "a last part refused at capacity", timeoutMs: 30_000 },
    );
    await resume();
    const before = await balance();
    const resent = await waitFor(
      async () => {
        const pdu = await customer.submit(
          session,
          part(refused.ref, 2, `second half ${refused.ref}`),
        );
        return pdu.command_status === ESME_ROK ? pdu : undefined;
      },
      { what: "the last part accepted on its resend", timeoutMs: 30_000 },
    );
    expect(String(resent.message_id)).toBe(refused.id);
    expect(before - (await balance())).toBeGreaterThan(0);
    const sent = await waitFor(() => {
      const found = gateway.simulator
        .submissions()
        .filter((s) => s.text.includes(`half ${refused.ref}`));
      return found.length >= 1 ? found : undefined;
    });
    expect(sent.map((s) => s.text).join("")).toContain(
      `first half ${refused.ref} second half ${refused.ref}`,
    );
  });
});
