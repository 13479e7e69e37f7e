import type {
  AuditBy,
  LiveRequestForm,
  LiveRequestStatus,
  LiveRequestView,
} from "@smsgw/contracts";
import type { Kysely } from "kysely";
import {
  AccountError,
  AccountErrorCode,
  invalid,
  LATER,
  matches,
  notFound,
} from "./account-common.ts";
import { recordAudit } from "./audit.ts";
import type { AccountRow, LiveRequestRow, PricingDatabase } from "./db/schema.ts";
import { toUnits } from "./db/schema.ts";
import { checkDeclineReason, checkLiveRequestForm } from "./domain/live-request-input.ts";

/**
 * Going live (issue 22): a test account asks for live sending, an operator approves or
 * declines. Each is one transaction with its one audit entry. Approval turns the account
 * live (`test = false`) and nothing else: balance, token, keys and settings stay, and the
 * account's record is republished so ingress sends for real from its next request.
 */
export interface LiveRequestOperations {
  /** Refused (invalid_input) when the account is live already or has a request pending. */
  requestLive(account: string, form: LiveRequestForm, by: AuditBy): Promise<LiveRequestView>;
  /** Requests, newest first; only the pending ones unless `status` says otherwise. */
  liveRequests(options?: {
    status?: LiveRequestStatus | "all";
    limit?: number;
  }): Promise<LiveRequestView[]>;
  /** The account's latest request, or null. */
  latestLiveRequest(accountId: string): Promise<LiveRequestView | null>;
  /** Approves the account's pending request: the account becomes live. */
  approveLive(account: string, by: AuditBy): Promise<LiveRequestView>;
  /** Declines the account's pending request; the reason is shown to the customer. */
  declineLive(account: string, reason: string, by: AuditBy): Promise<LiveRequestView>;
}

export interface LiveRequestDeps {
  db: Kysely<PricingDatabase>;
  publish(row: AccountRow): Promise<void>;
}

export function createLiveRequestOperations(deps: LiveRequestDeps): LiveRequestOperations {
  const { db, publish } = deps;

  async function requestLive(
    account: string,
    form: LiveRequestForm,
    by: AuditBy,
  ): Promise<LiveRequestView> {
    const checked = checkLiveRequestForm(form);
    if (!checked.ok) throw invalid(checked.problem);
    try {
      return await db.transaction().execute(async (tx) => {
        const found = await tx
          .selectFrom("accounts")
          .select(["account_id", "test"])
          .where(matches(account))
          .forUpdate()
          .executeTakeFirst();
        if (!found) throw notFound(account);
        if (!found.test) throw invalid("the account is live already");
        const row = await tx
          .insertInto("live_requests")
          .values({
            account_id: found.account_id,
            company: checked.value.company,
            monthly_volume: checked.value.monthlyVolume,
            use_case: checked.value.useCase,
            requested_by: by.actor,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(tx, {
          accountId: found.account_id,
          action: "live.requested",
          by,
          target: row.id,
          details: { company: row.company, monthlyVolume: checked.value.monthlyVolume },
        });
        return toView(row);
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === "23505") {
        throw invalid("a request for live sending is pending already");
      }
      throw error;
    }
  }

  async function liveRequests(
    options: { status?: LiveRequestStatus | "all"; limit?: number } = {},
  ): Promise<LiveRequestView[]> {
    const status = options.status ?? "pending";
    let query = db
      .selectFrom("live_requests")
      .selectAll()
      .orderBy("id", "desc")
      .limit(Math.min(Math.max(1, options.limit ?? 100), 1_000));
    if (status !== "all") query = query.where("status", "=", status);
    return (await query.execute()).map(toView);
  }

  async function latestLiveRequest(accountId: string): Promise<LiveRequestView | null> {
    const row = await db
      .selectFrom("live_requests")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? toView(row) : null;
  }

  /** Settles the account's pending request; `live` also turns the account live. */
  async function decide(
    account: string,
    by: AuditBy,
    decision: { status: "approved"; reason: null } | { status: "declined"; reason: string },
  ): Promise<LiveRequestView> {
    const { request, accountRow } = await db.transaction().execute(async (tx) => {
      const found = await tx
        .selectFrom("accounts")
        .select("account_id")
        .where(matches(account))
        .executeTakeFirst();
      if (!found) throw notFound(account);
      const decided = await tx
        .updateTable("live_requests")
        .set({
          status: decision.status,
          reason: decision.reason,
          decided_by: by.actor,
          decided_at: new Date(),
        })
        .where("account_id", "=", found.account_id)
        .where("status", "=", "pending")
        .returningAll()
        .executeTakeFirst();
      if (!decided) {
        throw new AccountError(
          AccountErrorCode.NotFound,
          `account "${account}" has no pending request for live sending`,
        );
      }
      // Only the mode changes: balance, token, keys and settings are the account's still.
      const live =
        decision.status === "approved"
          ? await tx
              .updateTable("accounts")
              .set({ test: false, updated_at: LATER })
              .where("account_id", "=", found.account_id)
              .returningAll()
              .executeTakeFirstOrThrow()
          : undefined;
      await recordAudit(tx, {
        accountId: found.account_id,
        action: decision.status === "approved" ? "live.approved" : "live.declined",
        by,
        target: decided.id,
        details: decision.reason === null ? {} : { reason: decision.reason },
      });
      return { request: decided, accountRow: live };
    });
    if (accountRow) await publish(accountRow);
    return toView(request);
  }

  async function approveLive(account: string, by: AuditBy): Promise<LiveRequestView> {
    return decide(account, by, { status: "approved", reason: null });
  }

  async function declineLive(account: string, reason: string, by: AuditBy) {
    const checked = checkDeclineReason(reason);
    if (!checked.ok) throw invalid(checked.problem);
    return decide(account, by, { status: "declined", reason: checked.value });
  }

  return { requestLive, liveRequests, latestLiveRequest, approveLive, declineLive };
}

function toView(row: LiveRequestRow): LiveRequestView {
  return {
    id: row.id,
    accountId: row.account_id,
    status: row.status,
    company: row.company,
    monthlyVolume: toUnits(row.monthly_volume),
    useCase: row.use_case,
    reason: row.reason,
    requestedAt: row.requested_at.toISOString(),
    decidedAt: row.decided_at?.toISOString() ?? null,
  };
}
