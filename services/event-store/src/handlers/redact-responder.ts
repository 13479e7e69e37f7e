import { isFinalStatus, RedactRequest, type RedactResponse } from "@smsgw/contracts";
import {
  type EraseNotifier,
  errorMessage,
  type Logger,
  type Nats,
  startResponder,
} from "@smsgw/service-kit";
import type postgres from "postgres";
import { eraseMessages, eraseNotices, findErasureTarget } from "../db/erasure.ts";
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
 * message is erased at once (again: the same answer, its notice sent again); one still in
 * flight is refused, since the carrier may still need its text and number (a failover
 * resubmits them).
 */
export function startRedactResponder(deps: RedactResponderDeps): { stop(): Promise<void> } {
  async function answer(request: RedactRequest): Promise<RedactResponse> {
    const target = await findErasureTarget(deps.sql, request.accountId, request.messageId);
    if (!target) return { outcome: "not_found" };
    if (target.redacted) {
      // The first ask's notice may have failed: a retry is how the client has it sent now.
      // A repeat is harmless (the same Nats-Msg-Id; masking twice changes nothing).
      await notify([request.messageId]);
      return { outcome: "redacted" };
    }
    if (!isFinalStatus(target.status)) return { outcome: "in_flight", status: target.status };
    const erased = await eraseMessages(deps.sql, [request.messageId], deps.now());
    messagesErased.inc({ reason: "request" }, erased.length);
    deps.onErased?.();
    await notify(erased);
    deps.log.info({ messageId: request.messageId }, "message erased on request");
    return { outcome: "redacted" };
  }

  /**
   * The erasure is committed whatever becomes of its notice, so a failed one still answers
   * `redacted` (an error would tell the client nothing was erased); it stays in
   * `erase_notices` for the retention job's next run or the client's next ask.
   */
  async function notify(messageIds: readonly string[]): Promise<void> {
    await eraseNotices(deps.sql)
      .send(messageIds, deps.notifyErased)
      .catch((error: unknown) => {
        deps.log.warn(
          { err: errorMessage(error), messageIds },
          "erasure notice not sent; the retention job sends it again",
        );
      });
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
