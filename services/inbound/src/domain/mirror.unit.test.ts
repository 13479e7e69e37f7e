import { describe, expect, it } from "vitest";
import { type BucketEntry, mirrorChanges } from "./mirror.ts";

type Hold = { number: string; accountId: string };
const keyOf = (h: Hold) => h.number.slice(1);
const same = (a: Hold, b: Hold) => a.accountId === b.accountId;
/** The bucket as read: each hold at its revision; `[key, revision]` for a deleted key. */
const bucketOf = (...entries: Array<[Hold, number] | [string, number]>) =>
  new Map<string, BucketEntry<Hold>>(
    entries.map(([held, revision]) =>
      typeof held === "string"
        ? [held, { value: undefined, revision }]
        : [keyOf(held), { value: held, revision }],
    ),
  );
const hold = (number: string, accountId: string) => ({ number, accountId });

describe("a KV bucket mirrored from a table", () => {
  it("when they agree, nothing is written", () => {
    const a = hold("+37250000001", "acc_a");
    expect(mirrorChanges([a], bucketOf([a, 4]), keyOf, same)).toEqual([]);
  });

  it("when an entry is missing or different, it is put; a key the table no longer has is removed — each only if the key is still at the revision read", () => {
    const table = [hold("+37250000001", "acc_a"), hold("+37250000002", "acc_b")];
    const bucket = bucketOf(
      ["37250000001", 7], // deleted (a lost write of the take): its marker's revision
      [hold("+37250000002", "acc_a"), 8],
      [hold("+37250000003", "acc_a"), 9],
    );
    expect(mirrorChanges(table, bucket, keyOf, same)).toEqual([
      { kind: "put", key: "37250000001", entry: table[0], revision: 7 },
      { kind: "put", key: "37250000002", entry: table[1], revision: 8 },
      { kind: "remove", key: "37250000003", revision: 9 },
    ]);
  });

  it("when the key was never written, the put expects revision 0 (no key at all)", () => {
    const a = hold("+37250000001", "acc_a");
    expect(mirrorChanges([a], bucketOf(["37250000001", 0]), keyOf, same)).toEqual([
      { kind: "put", key: "37250000001", entry: a, revision: 0 },
    ]);
  });

  it("when the table holds a number the bucket read did not look at (taken after it), nothing is written for it: the take's own write, or the next sync", () => {
    expect(mirrorChanges([hold("+37250000001", "acc_b")], bucketOf(), keyOf, same)).toEqual([]);
  });

  it("when the table changed after the bucket was read, the write expects the revision read: a bucket changed since (the change's own write) refuses it and keeps the newer entry", () => {
    // Bucket read: acc_a at revision 3. Then the release (delete, revision 4) and acc_b's take
    // (put, revision 5). The table, read after, says acc_b: nothing to write.
    const bucket = bucketOf([hold("+37250000001", "acc_a"), 3]);
    expect(mirrorChanges([hold("+37250000001", "acc_b")], bucket, keyOf, same)).toEqual([
      { kind: "put", key: "37250000001", entry: hold("+37250000001", "acc_b"), revision: 3 },
    ]);
  });
});
