import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  type Harness,
  NUMBERS,
  PRICE_PER_PART,
  query,
  startHarness,
} from "../testing/harness.ts";

/**
 * Issue 23 / ADR 0011: a carrier with a 16-bit-reference UDH leaves 152 GSM-7 septets a part,
 * not 153, so 306 characters were billed 2 parts and sent in 3. Routing now names the routes
 * that may use such a carrier (`RoutingRules.udh16Prefixes`), and ingress counts their parts,
 * and so bills them, with the smaller room; the event says so, and the connector splits it
 * that way whichever carrier takes it (its side: parts.unit.test.ts; the whole gateway with a
 * udh16 simulator: test/e2e/src/udh16-billing.e2e.test.ts).
 */

let h: Harness;
const wideRoute = "+372"; // NUMBERS.charged is +37256789045
const narrowNumber = "+358401234567";

beforeAll(async () => {
  h = await startHarness();
  await h.putRoutingRules({
    routablePrefixes: ["+358", wideRoute],
    senderRules: [],
    udh16Prefixes: [wideRoute],
    updatedAt: new Date().toISOString(),
  });
  // The rules reach the ingress through its KV watch: a 306-character text to the 16-bit
  // route is 3 parts once they have.
  await waitFor(async () => (await send("a".repeat(306))).body.parts === 3, {
    what: "the ingress sees the 16-bit route",
  });
});
afterAll(async () => {
  await h?.stop();
});

const send = (text: string, toNumber: string = NUMBERS.charged) =>
  call(
    `${h.base}/?${query({
      hash: h.account.hash,
      token: h.account.token,
      toNumber,
      fromNumber: "MyApp",
      text,
    })}`,
  );

describe("when the destination's route may use a 16-bit-UDH carrier", () => {
  it("when 306 GSM-7 characters are sent, they are billed 3 parts, as the carrier sends them, and the event says how they were counted", async () => {
    const answer = await send("a".repeat(306));
    expect(answer.body).toMatchObject({ status: "success", parts: 3, cost: 0.126 });
    const messageId = String(answer.body.messageId);
    expect(h.authorizeRequests.find((r) => r.messageId === messageId)?.parts).toBe(3);
    const event = await waitFor(() => h.accepted.get(messageId));
    expect(event.data).toMatchObject({ parts: 3, concat: "udh16", cost: 3 * PRICE_PER_PART });
  });

  it("when 1,530 GSM-7 characters are sent, they are 11 parts there, over the limit: refused, not billed 10 and sent 11", async () => {
    const asked = h.authorizeRequests.length;
    const answer = await send("a".repeat(1530));
    expect(answer.httpStatus).toBe(400);
    expect(answer.body).toEqual({
      status: "invalid_params",
      message:
        "text is 11 parts long (this destination's carriers leave 152 GSM-7 or 66 UCS-2 characters a part); the limit is 10 parts",
    });
    expect(h.authorizeRequests.length).toBe(asked);
  });

  it("when a text fits one part, no UDH is sent and nothing changes", async () => {
    const answer = await send("a".repeat(160));
    expect(answer.body).toMatchObject({ status: "success", parts: 1 });
    const event = await waitFor(() => h.accepted.get(String(answer.body.messageId)));
    expect(event.data).not.toHaveProperty("concat");
  });

  it("when another route has 8-bit carriers only, its texts keep 153 characters a part", async () => {
    const answer = await send("a".repeat(306), narrowNumber);
    expect(answer.body).toMatchObject({ status: "success", parts: 2 });
    const event = await waitFor(() => h.accepted.get(String(answer.body.messageId)));
    expect(event.data).toMatchObject({ parts: 2 });
    expect(event.data).not.toHaveProperty("concat");
  });
});
