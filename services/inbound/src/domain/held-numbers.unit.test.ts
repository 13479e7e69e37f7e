import { describe, expect, it } from "vitest";
import { bucketChanges } from "./held-numbers.ts";

describe("the numbers bucket against the inventory", () => {
  it("when they agree, nothing is written", () => {
    const holds = [{ number: "+37250000001", accountId: "acc_a" }];
    expect(bucketChanges(holds, holds)).toEqual({ put: [], remove: [] });
  });

  it("when a hold is missing or names another account, it is put; a number nobody holds is removed", () => {
    const inventory = [
      { number: "+37250000001", accountId: "acc_a" },
      { number: "+37250000002", accountId: "acc_b" },
    ];
    const bucket = [
      { number: "+37250000002", accountId: "acc_a" },
      { number: "+37250000003", accountId: "acc_a" },
    ];
    expect(bucketChanges(inventory, bucket)).toEqual({
      put: inventory,
      remove: ["+37250000003"],
    });
  });
});
