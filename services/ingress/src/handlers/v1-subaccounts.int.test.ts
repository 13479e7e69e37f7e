import type { Subscription } from "@nats-io/transport-node";
import type { SubaccountRequest } from "@smsgw/contracts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call, type Harness, NO_IP_LIMIT, startHarness } from "../testing/harness.ts";

// POST /v1/subaccounts/{id}/transfers under an Idempotency-Key (api.md section 8), against a
// stand-in pricing that makes each transfer and, while told to, loses its answer: the client
// hears an unknown outcome, and its retry under the key reaches pricing with the key again.
let h: Harness;
let pricing: Subscription;
/** Transfer requests the stand-in received, in order. */
const asked: SubaccountRequest[] = [];
/** While set, the stand-in makes the transfer but never answers. */
let loseAnswers = false;

beforeAll(async () => {
  h = await startHarness({ ...NO_IP_LIMIT, AUTHORIZE_TIMEOUT_MS: "500" });
  pricing = h.messaging.nats.nc.subscribe(h.messaging.subjects.subaccounts, {
    callback: (error, msg) => {
      if (error) return;
      const request = msg.json<SubaccountRequest>();
      asked.push(request);
      if (loseAnswers || request.op !== "transfer") return;
      msg.respond(
        JSON.stringify({
          outcome: "answer",
          httpStatus: 200,
          body: { parentBalance: 60_000, subaccountBalance: 40_000 },
        }),
      );
    },
  });
  await h.messaging.nats.nc.flush();
});
beforeEach(() => {
  asked.length = 0;
  loseAnswers = false;
});
afterAll(async () => {
  await pricing?.drain();
  await h?.stop();
});

const transfer = (subaccountId: string, body: unknown, key?: string) =>
  call(`${h.base}/v1/subaccounts/${subaccountId}/transfers`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${h.account.hash}:${h.account.token}`).toString("base64")}`,
      "content-type": "application/json",
      ...(key === undefined ? {} : { "idempotency-key": key }),
    },
    body: JSON.stringify(body),
  });

describe("POST /v1/subaccounts/{id}/transfers", () => {
  it("when pricing does not answer, it is 503 server_error saying the transfer may have been made, and the retry under the same key goes to pricing with that key", async () => {
    loseAnswers = true;
    const lost = await transfer("acc_child", { amount: "4.00" }, "transfer-1");
    expect(lost.httpStatus).toBe(503);
    expect(lost.body.status).toBe("server_error");
    expect(lost.body.message).toMatch(/may have been made/);
    expect(lost.body.message).toMatch(/same Idempotency-Key/);

    loseAnswers = false;
    const retried = await transfer("acc_child", { amount: "4.00" }, "transfer-1");
    expect([retried.httpStatus, retried.body]).toEqual([
      200,
      { parentBalance: 60_000, subaccountBalance: 40_000 },
    ]);
    expect(asked.map((r) => r.op === "transfer" && [r.childId, r.amount, r.requestKey])).toEqual([
      ["acc_child", 40_000, "transfer-1"],
      ["acc_child", 40_000, "transfer-1"],
    ]);
  });

  it("when the key comes again with the same body, the first answer is replayed without asking pricing; with another body or sub-account, 422 idempotency_key_reused", async () => {
    const first = await transfer("acc_child", { amount: "1.50", note: "may" }, "transfer-2");
    expect(first.httpStatus).toBe(200);
    const again = await transfer("acc_child", { amount: "1.50", note: "may" }, "transfer-2");
    expect([again.httpStatus, again.text]).toEqual([200, first.text]);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    for (const [id, body] of [
      ["acc_child", { amount: "2.50", note: "may" }],
      ["acc_other", { amount: "1.50", note: "may" }],
    ] as const) {
      const reused = await transfer(id, body, "transfer-2");
      expect([reused.httpStatus, reused.body.status]).toEqual([422, "idempotency_key_reused"]);
    }
    expect(asked).toHaveLength(1);
  });

  it("when there is no key and pricing does not answer, it is 503 server_error too; a malformed key is 400", async () => {
    loseAnswers = true;
    const lost = await transfer("acc_child", { amount: "1" });
    expect([lost.httpStatus, lost.body.status]).toEqual([503, "server_error"]);
    expect(lost.body.message).toMatch(/may have been made/);
    loseAnswers = false;
    const plain = await transfer("acc_child", { amount: "1" });
    expect(plain.httpStatus).toBe(200);
    expect(asked.at(-1)).not.toHaveProperty("requestKey");
    const bad = await transfer("acc_child", { amount: "1" }, "has space");
    expect([bad.httpStatus, bad.body.status]).toEqual([400, "invalid_params"]);
  });
});
