import {
  BaseEnv,
  connectNats,
  createLogger,
  loadConfig,
  type Nats,
  openBucket,
  numberSha256 as sha256,
} from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeOptOutCursor } from "../domain/cursor.ts";
import { type ApiDeps, answerApi } from "./api.ts";
import { createOptOutStore, type OptOutStore } from "./opt-out-store.ts";

let infra: TestInfra;
let nats: Nats;
let optOuts: OptOutStore;
let bucket: string;

const ERASED = "+37256789045";
const OTHER = "+37256789046";

/** Every message the bucket's stream holds, raw: subject and body. */
async function bucketStream(): Promise<string[]> {
  const jsm = nats.jsm;
  const info = await jsm.streams.info(`KV_${bucket}`);
  const found: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const message = await jsm.streams.getMessage(`KV_${bucket}`, { seq }).catch(() => null);
    if (message) found.push(`${message.subject} ${new TextDecoder().decode(message.data)}`);
  }
  return found;
}

beforeAll(async () => {
  infra = await createTestInfra();
  nats = await connectNats(loadConfig(BaseEnv, infra.env), "test", createLogger("test", "silent"));
  bucket = `${infra.prefix}_opt_outs`;
  optOuts = createOptOutStore(await openBucket(nats.nc, bucket));
});

afterAll(async () => {
  await nats?.nc.close();
  await infra?.cleanup();
});

describe("opt-out store: erase-number and the markers a START leaves (ADR 0021)", () => {
  it("removes the number's delete markers in every account, keeps a live opt-out and other numbers' markers", async () => {
    const now = new Date();
    await optOuts.add("acc_1", ERASED, "STOP", now);
    await optOuts.add("acc_2", ERASED, "STOP", now);
    await optOuts.add("acc_3", ERASED, "STOP", now);
    await optOuts.add("acc_1", OTHER, "STOP", now);
    await optOuts.remove("acc_1", ERASED);
    await optOuts.remove("acc_3", ERASED);
    await optOuts.remove("acc_1", OTHER);
    const digits = ERASED.slice(1);
    expect((await bucketStream()).filter((m) => m.includes(digits))).toHaveLength(3);

    expect(await optOuts.forgetRemoved(sha256(ERASED))).toBe(2);

    const left = await bucketStream();
    // Only the live opt-out of acc_2 still names the number: the objection is honoured.
    expect(left.filter((m) => m.includes(digits))).toEqual([
      expect.stringContaining(`.acc_2.${digits}`),
    ]);
    expect(await optOuts.find("acc_2", ERASED)).toMatchObject({ source: "STOP" });
    expect(await optOuts.find("acc_1", ERASED)).toBeUndefined();
    // Another number's marker is not this erasure's business.
    expect(left.filter((m) => m.includes(OTHER.slice(1)))).toHaveLength(1);
    // Idempotent: a redelivered notice finds nothing left.
    expect(await optOuts.forgetRemoved(sha256(ERASED))).toBe(0);
  });

  it("a number opted out again after its START keeps its opt-out", async () => {
    const number = "+37256789047";
    await optOuts.add("acc_9", number, "STOP", new Date());
    await optOuts.remove("acc_9", number);
    await optOuts.add("acc_9", number, "STOP", new Date());
    expect(await optOuts.forgetRemoved(sha256(number))).toBe(0);
    expect(await optOuts.find("acc_9", number)).toMatchObject({ source: "STOP" });
  });
});

describe("opt-out lists past a page", () => {
  it("when an account has 2,500 opt-outs, GET pages them oldest first by cursor (1,000 when no limit is asked), each once, and a removed one is not listed", async () => {
    const accountId = "acc_many";
    const start = Date.parse("2026-12-01T00:00:00.000Z");
    const numbers = Array.from({ length: 2_500 }, (_, i) => `+3725${String(i).padStart(7, "0")}`);
    // Two entries at each instant: the page's order and its cursor break ties by revision.
    await Promise.all(
      numbers.map((n, i) =>
        optOuts.add(accountId, n, "API", new Date(start + Math.floor(i / 2) * 1_000)),
      ),
    );
    await optOuts.remove(accountId, numbers[7] as string);
    await optOuts.add("acc_other", numbers[0] as string, "STOP", new Date(start));
    const deps = { optOuts } as unknown as ApiDeps;
    const page = async (cursor?: string, limit?: number) => {
      const answered = await answerApi(deps, { op: "optOuts.list", accountId, cursor, limit });
      expect(answered.httpStatus).toBe(200);
      return answered.body as {
        optOuts: Array<{ number: string; since: string }>;
        nextCursor: string | null;
      };
    };
    const first = await page();
    expect(first.optOuts).toHaveLength(1_000);
    expect(first.nextCursor).not.toBeNull();
    const listed = [...first.optOuts];
    let cursor = first.nextCursor;
    while (cursor) {
      const next = await page(cursor, 600);
      listed.push(...next.optOuts);
      cursor = next.nextCursor;
    }
    const expected = numbers.filter((_, i) => i !== 7);
    expect(listed.map((e) => e.number).sort()).toEqual(expected);
    const times = listed.map((e) => e.since);
    expect(times).toEqual([...times].sort());
    // The cursor names no number (it travels in URLs and access logs).
    expect(Buffer.from(first.nextCursor ?? "", "base64url").toString()).not.toContain("+");
    expect(decodeOptOutCursor("not-a-cursor")).toBeNull();
    const refused = await answerApi(deps, {
      op: "optOuts.list",
      accountId,
      cursor: "bm90LWEtY3Vyc29y",
    });
    expect(refused).toMatchObject({ httpStatus: 400, body: { status: "invalid_params" } });
  });
});
