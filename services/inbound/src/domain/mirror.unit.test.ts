import { describe, expect, it } from "vitest";
import { mirrorChanges } from "./mirror.ts";

type Hold = { number: string; accountId: string };
const keyOf = (h: Hold) => h.number.slice(1);
const same = (a: Hold, b: Hold) => a.accountId === b.accountId;
const bucketOf = (holds: Hold[]) => new Map(holds.map((h) => [keyOf(h), h]));

describe("a KV bucket mirrored from a table", () => {
  it("when they agree, nothing is written", () => {
    const holds = [{ number: "+37250000001", accountId: "acc_a" }];
    expect(mirrorChanges(holds, bucketOf(holds), keyOf, same)).toEqual({ put: [], remove: [] });
  });

  it("when an entry is missing or different, it is put; a key the table no longer has is removed", () => {
    const table = [
      { number: "+37250000001", accountId: "acc_a" },
      { number: "+37250000002", accountId: "acc_b" },
    ];
    const bucket = bucketOf([
      { number: "+37250000002", accountId: "acc_a" },
      { number: "+37250000003", accountId: "acc_a" },
    ]);
    expect(mirrorChanges(table, bucket, keyOf, same)).toEqual({
      put: table,
      remove: ["37250000003"],
    });
  });
});
