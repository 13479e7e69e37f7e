import { isFinalStatus, RedactRequest, type RedactResponse } from "@smsgw/contracts";
import { type EraseNotifier, type Logger, type Nats, startResponder } from "@smsgw/service-kit";
import type postgres from "postgres";
import { eraseMessages, findErasureTarget } from "../db/erasure.ts";
import { messagesErased } from "../metrics.ts";

export interface RedactResponderDeps {
  nc: Nats["nc"];
  subject: string;
  sql: postgres.Sql;
  log: Logger;
  now(): Date;
  notifyErased: EraseNotifier;
  /** Told after an erasure: its stream copies are queued (ADR 0021). */
  onErased?(): void;
}

/**
 * `POST /v1/messages/{id}/redact` as ingress forwards it (ADR 0021): the account's final
 * message is erased at once (again: the same answer); one still in flight is refused, since
 * the carrier may still need its text and number (a failover resubmits them).
 */
export function startRedactResponder(deps: RedactResponderDeps): { stop(): Promise<void> } {
  async function answer(request: RedactRequest): Promise<RedactResponse> {
    const target = await findErasureTarget(deps.sql, request.accountId, request.messageId);
    if (!target) return { outcome: "not_found" };
    if (target.redacted) return { outcome: "redacted" };
    if (!isFinalStatus(target.status)) return { outcome: "in_flight", status: target.status };
    const erased = await eraseMessages(deps.sql, [request.messageId], deps.now());
    messagesErased.inc({ reason: "request" }, erased.length);
    deps.onErased?.();
    await deps.notifyErased(erased);
    deps.log.info({ messageId: request.messageId }, "message erased on request");
    return { outcome: "redacted" };
  }

  return startResponder({
    nc: deps.nc,
    subject: deps.subject,
    queue: "event-store",
    schema: RedactRequest,
    log: deps.log,
    what: "redact",
    answer,
    refuse: (reason): RedactResponse => ({ outcome: "error", reason }),
  });
}
