import type { InboundDelivery } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import type { Job, JobStore } from "../db/jobs.ts";
import { handleInboundDeliveries } from "./intake.ts";

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
  const run = (...values: InboundDelivery[]) =>
    handle(
      values.map((value) => ({
        value,
        subject: "x",
        deliveryCount: 1,
        seq: 1,
        headers: undefined,
      })),
    );
  return { run, inserted };
}

describe("taking inbound messages for their webhooks", () => {
  it("when the number has an inbound URL, the job goes there, keyed by the in_ id", async () => {
    const { run, inserted } = setup({ acc_1: {} });
    expect(await run(delivery("acc_1", "https://hooks.example/mo"))).toEqual([{ kind: "ack" }]);
    expect(inserted).toMatchObject([
      {
        messageId: "in_01JD0000000000000000000001",
        sequence: 0,
        origin: "https://hooks.example",
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
