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
