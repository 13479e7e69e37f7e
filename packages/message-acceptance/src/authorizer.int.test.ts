import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type AuthorizeRequest, newMessageId, subjects as subjectsFor } from "@smsgw/contracts";
import { TEST_NATS_URL } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthorizer } from "./authorizer.ts";

// A stand-in pricing on real NATS that answers every request `charged` after 20 ms (so that
// requests made meanwhile meet), and counts what came alone and what came together.
let nc: NatsConnection;
beforeAll(async () => {
  nc = await connect({ servers: TEST_NATS_URL });
});
afterAll(async () => {
  await nc?.close();
});

const charged = (request: AuthorizeRequest) => ({
  outcome: "charged",
  amount: 420 * request.parts,
  currency: "EUR",
  pricePerPart: 420,
});
const request = (parts: number): AuthorizeRequest => ({
  messageId: newMessageId(),
  accountId: "acc_1",
  to: "+37256789045",
  country: "EE",
  parts,
});

function standIn(prefix: string, servesBatches: boolean) {
  const subjects = subjectsFor(prefix);
  const seen = { alone: 0, together: 0, inBatches: 0, answerBy: [] as Array<string | undefined> };
  const later = (respond: () => void) => setTimeout(respond, 20);
  nc.subscribe(subjects.authorize, {
    callback: (_error, msg) => {
      seen.alone++;
      seen.answerBy.push(msg.json<AuthorizeRequest>().answerBy);
      later(() => msg.respond(JSON.stringify(charged(msg.json<AuthorizeRequest>()))));
    },
  });
  if (servesBatches) {
    nc.subscribe(subjects.authorizeBatch, {
      callback: (_error, msg) => {
        const { requests } = msg.json<{ requests: AuthorizeRequest[] }>();
        seen.together++;
        seen.inBatches += requests.length;
        seen.answerBy.push(...requests.map((r) => r.answerBy));
        later(() => msg.respond(JSON.stringify({ responses: requests.map(charged) })));
      },
    });
  }
  return { subjects, seen };
}

describe("the authorizer", () => {
  it("when requests are made while others are out, they go together in batches and each gets its own answer", async () => {
    const { subjects, seen } = standIn(`authz_${Date.now()}`, true);
    await nc.flush();
    const authorizer = createAuthorizer(nc, subjects, { timeoutMs: 2_000 });
    const requests = Array.from({ length: 40 }, (_, i) => request(1 + (i % 3)));
    const answers = await Promise.all(requests.map((r) => authorizer.authorize(r)));
    expect(answers).toEqual(requests.map(charged));
    expect(seen.together).toBeGreaterThan(0);
    expect(seen.alone + seen.inBatches).toBe(40);
    expect(seen.alone + seen.together).toBeLessThan(40);
  });

  it("when a request is sent, it carries when the door stops waiting (answerBy: now plus its timeout), alone or in a batch", async () => {
    const { subjects, seen } = standIn(`authz_by_${Date.now()}`, true);
    await nc.flush();
    const authorizer = createAuthorizer(nc, subjects, { timeoutMs: 2_000 });
    const before = Date.now();
    await Promise.all(Array.from({ length: 10 }, () => authorizer.authorize(request(1))));
    expect(seen.answerBy).toHaveLength(10);
    for (const answerBy of seen.answerBy) {
      const at = Date.parse(answerBy ?? "");
      expect(at).toBeGreaterThanOrEqual(before + 2_000);
      expect(at).toBeLessThanOrEqual(Date.now() + 2_000);
    }
  });

  it("when pricing does not serve batches (an older version during a rollout), the batch's requests go one by one", async () => {
    const { subjects, seen } = standIn(`authz_old_${Date.now()}`, false);
    await nc.flush();
    const authorizer = createAuthorizer(nc, subjects, { timeoutMs: 2_000 });
    const requests = Array.from({ length: 20 }, () => request(1));
    const answers = await Promise.all(requests.map((r) => authorizer.authorize(r)));
    expect(answers).toEqual(requests.map(charged));
    expect(seen.alone).toBe(20);
  });
});
