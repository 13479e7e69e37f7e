import { type CancelRequest, CancelResponse, subjects } from "@smsgw/contracts";
import type { Nats } from "@smsgw/service-kit";

/** Routing did not answer, or answered something else than its schema. */
export class RoutingUnavailableError extends Error {
  override name = "RoutingUnavailableError";
}

/**
 * The console's request to routing, which holds scheduled messages until their sendAt
 * (contracts cancel.ts, ADR 0030): the same request ingress makes for
 * `POST /v1/messages/{id}/cancel`, always for the session's account. It throws when routing
 * does not answer: `cancelScheduled` reports that as unanswered.
 */
export function createRoutingClient(nats: Nats, prefix: string, timeoutMs: number) {
  const subject = subjects(prefix).cancelScheduled;
  return {
    async cancel(request: CancelRequest): Promise<CancelResponse> {
      let reply: unknown;
      try {
        reply = (
          await nats.nc.request(subject, JSON.stringify(request), { timeout: timeoutMs })
        ).json();
      } catch (error) {
        throw new RoutingUnavailableError(`no answer on ${subject}`, { cause: error });
      }
      const parsed = CancelResponse.safeParse(reply);
      if (!parsed.success) throw new RoutingUnavailableError(`unexpected answer on ${subject}`);
      return parsed.data;
    },
  };
}
export type RoutingClient = ReturnType<typeof createRoutingClient>;
