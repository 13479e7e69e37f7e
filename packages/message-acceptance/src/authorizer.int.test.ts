import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type AuthorizeRequest, newMessageId, subjects as subjectsFor } from "@smsgw/contracts";
import { TEST_NATS_URL } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthorizeFailedError, askAgainAfterMs, createAuthorizer } from "./authorizer.ts";
import { askAgainIn } from "./hedged-ask.ts";

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

/**
 * A stand-in pricing that takes the first ask of each message id and never answers it (the
 * replica died with it, or the NATS node between), and answers every later ask.
 */
function losesFirstAsk(prefix: string) {
  const subjects = subjectsFor(prefix);
  const asks: string[] = [];
  const answer = (ids: string[], respond: () => void) => {
    const repeat = ids.every((id) => asks.includes(id));
    asks.push(...ids);
    if (repeat) respond();
  };
  nc.subscribe(subjects.authorize, {
    callback: (_error, msg) => {
      const asked = msg.json<AuthorizeRequest>();
      answer([asked.messageId], () => msg.respond(JSON.stringify(charged(asked))));
    },
  });
  nc.subscribe(subjects.authorizeBatch, {
    callback: (_error, msg) => {
      const { requests } = msg.json<{ requests: AuthorizeRequest[] }>();
      answer(
        requests.map((r) => r.messageId),
        () => msg.respond(JSON.stringify({ responses: requests.map(charged) })),
      );
    },
  });
  return { subjects, asks };
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

  it("when nobody serves authorize for a moment (pricing restarting, its NATS node failing over), the request is asked again and answered once pricing is back", async () => {
    const prefix = `authz_late_${Date.now()}`;
    const authorizer = createAuthorizer(nc, subjectsFor(prefix), { timeoutMs: 3_000 });
    const asked = authorizer.authorize(request(1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { seen } = standIn(prefix, true);
    await nc.flush();
    expect(await asked).toEqual(charged(request(1)));
    expect(seen.alone + seen.inBatches).toBe(1);
  });

  it("when nobody serves authorize, the request is asked again for a second and a half at most, and never past the door's deadline", async () => {
    let n = 0;
    const none = () => subjectsFor(`authz_none_${Date.now()}_${++n}`);
    const timed = async (timeoutMs: number) => {
      const authorizer = createAuthorizer(nc, none(), { timeoutMs });
      const started = Date.now();
      await expect(authorizer.authorize(request(1))).rejects.toBeInstanceOf(AuthorizeFailedError);
      return Date.now() - started;
    };
    // Bounds with room for a busy machine's timers: what is checked is when it gives up.
    // 0.1 + 0.2 + 0.4 s of pauses, then no room for 0.8 s more. The third pause is taken
    // while the second ask has failed by 0.65 s (0.3 s on an idle machine), not only by 0.35 s
    // as under a 1.5 s deadline, which a machine busy with another test file could miss.
    const withinDeadline = await timed(1_800);
    expect(withinDeadline).toBeGreaterThanOrEqual(650);
    expect(withinDeadline).toBeLessThan(1_800);
    const pricingDown = await timed(5_000); // every pause, 1.5 s, then answered as down
    expect(pricingDown).toBeGreaterThanOrEqual(1_450);
    expect(pricingDown).toBeLessThan(4_000);
    // Asked again only while a pause leaves three quarters of a second: pricing answers a
    // request with under half a second to its deadline "too late", without charging.
    expect(askAgainIn(100, 1_000, 100)).toBe(true);
    expect(askAgainIn(200, 1_000, 100)).toBe(false);
  });

  it("when an ask goes unanswered (the pricing replica or the NATS node that took it died), the same request is asked again within the door's deadline and answered", async () => {
    const { subjects, asks } = losesFirstAsk(`authz_lost_${Date.now()}`);
    await nc.flush();
    const authorizer = createAuthorizer(nc, subjects, { timeoutMs: 3_000 });
    const alone = request(1);
    expect(await authorizer.authorize(alone)).toEqual(charged(alone));
    expect(asks).toEqual([alone.messageId, alone.messageId]);

    const together = [request(1), request(2), request(3)];
    const answers = await Promise.all(together.map((r) => authorizer.authorize(r)));
    expect(answers).toEqual(together.map(charged));
  });

  it("when the connection is replaced while an ask is out, the request is asked again on the new one at once, not after the ask's wait", async () => {
    const { subjects, asks } = losesFirstAsk(`authz_moved_${Date.now()}`);
    await nc.flush();
    const door = await connect({ servers: TEST_NATS_URL, reconnectTimeWait: 50 });
    try {
      // An ask waits 20 s before it is asked again; the reconnect comes long before that.
      const authorizer = createAuthorizer(door, subjects, { timeoutMs: 60_000 });
      expect(askAgainAfterMs(60_000)).toBe(20_000);
      const alone = request(1);
      const started = Date.now();
      const answered = authorizer.authorize(alone);
      await waitUntil(() => asks.length === 1);
      await door.reconnect();
      expect(await answered).toEqual(charged(alone));
      expect(asks).toEqual([alone.messageId, alone.messageId]);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await door.close();
    }
  }, 15_000);

  it("when pricing is only slow (it answers every ask, later than the door asks again), the first answer is taken: no ask is given up", async () => {
    const prefix = `authz_slow_${Date.now()}`;
    const subjects = subjectsFor(prefix);
    const asks: string[] = [];
    nc.subscribe(subjects.authorize, {
      callback: (_error, msg) => {
        const asked = msg.json<AuthorizeRequest>();
        asks.push(asked.messageId);
        setTimeout(() => msg.respond(JSON.stringify(charged(asked))), 1_400);
      },
    });
    await nc.flush();
    // Asked again after 1 s; the first answer comes at 1.4 s, the second's at 2.4 s.
    const authorizer = createAuthorizer(nc, subjects, { timeoutMs: 3_000 });
    const alone = request(1);
    const started = Date.now();
    expect(await authorizer.authorize(alone)).toEqual(charged(alone));
    expect(Date.now() - started).toBeLessThan(2_300);
    expect(asks).toEqual([alone.messageId, alone.messageId]);
  });

  it("waits a third of the door's timeout before asking again, and a second at least", () => {
    expect(askAgainAfterMs(5_000)).toBe(1_667);
    expect(askAgainAfterMs(1_500)).toBe(1_000);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5_000) throw new Error("the condition did not come true in 5 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
