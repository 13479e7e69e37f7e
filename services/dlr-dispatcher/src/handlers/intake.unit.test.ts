import type { InboundDelivery, StatusChangeDelivery } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import type { Job, JobStore } from "../db/jobs.ts";
import { createErasedIds } from "../domain/erasure.ts";
import { statusChange } from "../test-stack.ts";
import { handleInboundDeliveries, handleStatusChanges } from "./intake.ts";

const delivery = (accountId: string, url: string | null): InboundDelivery => ({
  type: "InboundDelivery",
  version: 1,
  id: "in_01JD0000000000000000000001",
  accountId,
  url,
  from: "+37256789045",
  to: "+37250000001",
  text: "Hi",
  parts: 1,
  receivedAt: "2026-12-06T10:00:00.000Z",
});

const delivered = <T>(value: T) => ({
  value,
  subject: "x",
  deliveryCount: 1,
  seq: 1,
  headers: undefined,
});

function setup(accounts: Record<string, { defaultCallbackUrl?: string | null }>) {
  const inserted: Omit<Job, "attempts">[] = [];
  const store = {
    insert: async (jobs: readonly Omit<Job, "attempts">[]) => {
      inserted.push(...jobs);
    },
  } as unknown as JobStore;
  const handle = handleInboundDeliveries({
    store,
    poke: () => undefined,
    now: () => new Date(),
    accountOf: (id) => accounts[id],
  });
  const run = (...values: InboundDelivery[]) => handle(values.map(delivered));
  return { run, inserted };
}

describe("taking inbound messages for their webhooks", () => {
  it("when the number has an inbound URL, the job goes there, keyed by the in_ id and isolated per endpoint", async () => {
    const { run, inserted } = setup({ acc_1: {} });
    expect(await run(delivery("acc_1", "https://hooks.example/mo"))).toEqual([{ kind: "ack" }]);
    expect(inserted).toMatchObject([
      {
        messageId: "in_01JD0000000000000000000001",
        sequence: 0,
        origin: "https://hooks.example/mo",
      },
    ]);
  });

  it("when it has none, the account's default callback URL is used; with neither, it is acked and not sent", async () => {
    const { run, inserted } = setup({
      acc_1: { defaultCallbackUrl: "https://default.example/hook" },
      acc_2: { defaultCallbackUrl: null },
    });
    await run(delivery("acc_1", null), delivery("acc_2", null));
    expect(inserted.map((j) => j.change)).toMatchObject([{ url: "https://default.example/hook" }]);
  });

  it("when the account is not in the cache yet and the URL is its default, the delivery waits (nak)", async () => {
    const { run, inserted } = setup({});
    const [outcome] = await run(delivery("acc_9", null));
    expect(outcome).toMatchObject({ kind: "nak" });
    expect(inserted).toHaveLength(0);
  });
});

describe("fresh reports of messages erased before they came", () => {
  it("when this process has seen the erasure, the fast path gets the report with the number masked, and no erased inbound delivery", async () => {
    const erasedChange = statusChange("acc_1", "https://hooks.example/a");
    const kept = statusChange("acc_1", "https://hooks.example/a");
    const erased = createErasedIds({ capacity: 10, keepMs: 60_000 });
    erased.add([erasedChange.messageId, "in_01JD0000000000000000000001"], Date.now());
    const attempted: Omit<Job, "attempts">[] = [];
    const deps = {
      store: {} as JobStore,
      poke: () => undefined,
      now: () => new Date(),
      erased,
      fastPath: async (jobs: readonly Omit<Job, "attempts">[]) => {
        attempted.push(...jobs);
      },
    };
    await handleStatusChanges(deps)([
      delivered<StatusChangeDelivery>(erasedChange),
      delivered<StatusChangeDelivery>(kept),
    ]);
    await handleInboundDeliveries({ ...deps, accountOf: () => ({}) })([
      delivered(delivery("acc_1", "https://hooks.example/mo")),
    ]);
    expect(attempted.map((job) => (job.change as { toNumber: string }).toNumber)).toEqual([
      "+3725678****",
      "+37256789045",
    ]);
  });
});
