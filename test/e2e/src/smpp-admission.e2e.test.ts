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

    const { prefix } = gateway.infra;
    const stream = subjects(prefix);
    const jsm = await jetstreamManager(nc);
    await ensureDurableConsumer(jsm, stream.stream, {
      durable: STALLED,
      filterSubject: stream.event("MessageAccepted"),
    });

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

    await jsm.consumers.delete(stream.stream, STALLED);
    const again = await waitFor(
      async () => {
        const pdu = await customer.submit(session, { short_message: "after the flood" });
        return pdu.command_status === ESME_ROK ? pdu : undefined;
      },
      { what: "a submit accepted again", timeoutMs: 30_000 },
    );
    expect(String(again.message_id)).toMatch(/^msg_/);
  });
});
