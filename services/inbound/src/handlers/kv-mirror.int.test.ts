import type { KV } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type OwnedNumberRecord, ownedNumberKey } from "@smsgw/contracts";
import { createLogger, openBucket } from "@smsgw/service-kit";
import { TEST_NATS_URL, uniqueName } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heldNumbersMirror } from "./mirrors.ts";

let nc: NatsConnection;
let kv: KV;
let mirror: ReturnType<typeof heldNumbersMirror>;

beforeAll(async () => {
  nc = await connect({ servers: TEST_NATS_URL });
  kv = await openBucket(nc, `${uniqueName("t")}_numbers`);
  mirror = heldNumbersMirror(kv, createLogger("test", "silent"));
});

afterAll(async () => {
  await kv?.destroy();
  await nc?.close();
});

const held = async (number: string) => {
  const entry = await kv.get(ownedNumberKey(number));
  return entry?.operation === "PUT" ? entry.json<OwnedNumberRecord>() : undefined;
};

describe("the numbers bucket's sync", () => {
  it("when a number is released and taken by another account while the sync reads the table, the sync does not put the old holder back", async () => {
    const number = "+37250000011";
    let table: OwnedNumberRecord[] = [{ number, accountId: "acc_a" }];
    let reads = 0;
    // The table read answers what it saw; on the sync's last read (after the bucket's), the
    // release and the take commit right after it and write the bucket themselves (as
    // handlers/api.ts does after a take or a release).
    const readTable = async () => {
      const seen = table;
      reads += 1;
      if (reads === 2) {
        table = [{ number, accountId: "acc_b" }];
        await kv.delete(ownedNumberKey(number));
        await kv.put(ownedNumberKey(number), JSON.stringify(table[0]));
      }
      return seen;
    };
    // The bucket lacks acc_a's hold (its write was lost): the sync means to put it.
    expect(await mirror.sync(readTable)).toEqual({ put: 0, removed: 0, refused: 1 });
    expect(await held(number)).toEqual({ number, accountId: "acc_b" });
    // The next sync, with nothing changing, agrees with the table.
    expect(await mirror.sync(async () => table)).toEqual({ put: 0, removed: 0, refused: 0 });
  });

  it("when the bucket lacks a hold or keeps a released one, the sync mends both", async () => {
    const [kept, lost] = ["+37250000021", "+37250000022"];
    await kv.put(ownedNumberKey(kept), JSON.stringify({ number: kept, accountId: "acc_a" }));
    await kv.put(ownedNumberKey(lost), JSON.stringify({ number: lost, accountId: "acc_a" }));
    await kv.delete(ownedNumberKey(lost));
    const table = [{ number: lost, accountId: "acc_c" }];
    const changed = await mirror.sync(async () => table);
    expect(changed).toMatchObject({ put: 1, refused: 0 });
    expect(await held(kept)).toBeUndefined();
    expect(await held(lost)).toEqual({ number: lost, accountId: "acc_c" });
  });
});
