import { FINAL_STATUSES, type MessageStatus } from "@smsgw/contracts";
import { waitFor } from "@smsgw/testkit";
import { expect } from "vitest";
import type { Gateway } from "./gateway.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

export interface Sent {
  messageId: string;
  /** The final status its webhook reported. */
  status: MessageStatus;
  /** The simulated carriers that received its submit, in order. */
  carriers: string[];
}

/**
 * One account sending one-part messages through the real API, each to a fresh number, and
 * following each to its final webhook: which carrier took it comes from the simulator's own
 * record of submits, not from any event the gateway wrote.
 */
export async function startTraffic(
  gateway: Gateway,
  account: { hash: string; token: string },
  numberBase: string,
) {
  const receiver = await startWebhookReceiver();
  let next = 0;

  async function send(): Promise<Sent> {
    next += 1;
    const toNumber = `${numberBase}${String(next).padStart(4, "0")}`;
    const query = new URLSearchParams({
      hash: account.hash,
      token: account.token,
      toNumber,
      fromNumber: "MyApp",
      text: "route me",
      callbackUrl: receiver.url("/dlr"),
    });
    const body = (await (await fetch(`${gateway.baseUrl}/?${query}`)).json()) as {
      status: string;
      messageId: string;
    };
    expect(body.status).toBe("success");
    const final = await waitFor(
      () =>
        receiver
          .forMessage(body.messageId)
          .find((w) => FINAL_STATUSES.has(w.json.status as MessageStatus)),
      { timeoutMs: 30_000, what: `the final report of ${body.messageId}` },
    );
    const carriers = gateway.simulator
      .submissions()
      .filter((s) => s.destination === toNumber.slice(1))
      .map((s) => s.carrierId);
    return { messageId: body.messageId, status: final.json.status as MessageStatus, carriers };
  }

  return { send, close: () => receiver.close() };
}

/** Resolves once routing's view has every one of these carriers' binds up. */
export function carriersUp(gateway: Gateway, ids: readonly string[]) {
  return waitFor(() => ids.every((id) => gateway.routing.view().health.get(id) === "up"), {
    what: `${ids.join(", ")} up in routing's view`,
  });
}
