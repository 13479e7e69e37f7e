import type { KV } from "@nats-io/kv";
import { ownedNumberKey } from "@smsgw/contracts";
import { openBucket } from "@smsgw/service-kit";
import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Harness, NUMBERS, startHarness, type TestAccount } from "../testing/harness.ts";

// api.md section 5: a numeric sender that is a number the account holds is always a valid
// sender for it. The inbound service writes who holds which number to the numbers bucket;
// ingress watches it, so the check is a map lookup.
let h: Harness;
let numbers: KV;
let other: TestAccount;
const OWN = "+37250000001";

beforeAll(async () => {
  h = await startHarness({ IP_RATE_PER_SEC: "10000", IP_BURST: "10000" });
  numbers = await openBucket(h.messaging.nats.nc, h.messaging.subjects.numbersBucket);
  other = await h.putAccount();
  // Estonia accepts registered senders only (an operator's sender rule).
  await h.putRoutingRules({
    routablePrefixes: ["+372"],
    senderRules: [
      {
        prefix: "+372",
        alphanumericAllowed: true,
        registeredOnly: true,
        registeredSenders: ["Bank"],
      },
    ],
    updatedAt: new Date().toISOString(),
  });
});
afterAll(async () => {
  await h?.stop();
});

const hold = (number: string, accountId: string) =>
  numbers.put(ownedNumberKey(number), JSON.stringify({ number, accountId }));

function send(who: TestAccount, from: string) {
  return call(`${h.base}/v1/messages`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${who.hash}:${who.token}`).toString("base64")}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ to: NUMBERS.charged, from, text: "from my own number" }),
  });
}

describe("an owned number as the sender", () => {
  it("when the destination takes registered senders only, an unregistered number is invalid_sender", async () => {
    await waitFor(
      async () => (await send(h.account, OWN)).body.status === "invalid_sender" || undefined,
      {
        what: "the rules at ingress",
      },
    );
    const refused = await send(h.account, OWN);
    expect(refused.httpStatus).toBe(422);
    expect(refused.body.message).toBe("this destination accepts registered senders only");
  });

  it("when the account holds the number, it is accepted, with or without the +; another account's send from it is refused", async () => {
    await hold(OWN, h.account.accountId);
    await waitFor(async () => (await send(h.account, OWN)).httpStatus === 202 || undefined, {
      what: "ingress to know the held number",
    });
    const bare = await send(h.account, OWN.slice(1));
    expect(bare.httpStatus).toBe(202);
    expect(bare.body.from).toBe(OWN.slice(1));
    expect((await send(other, OWN)).body.status).toBe("invalid_sender");
  });

  it("when the number is released, it is no longer a valid sender there", async () => {
    await numbers.delete(ownedNumberKey(OWN));
    await waitFor(
      async () => (await send(h.account, OWN)).body.status === "invalid_sender" || undefined,
      {
        what: "ingress to forget the released number",
      },
    );
  });
});
