import {
  type OwnedNumberRecord,
  ownedNumberKey,
  type SenderIdRecord,
  senderIdKey,
} from "@smsgw/contracts";
import {
  type AdminApi,
  type AdminCredentials,
  adminActorOf,
  adminCallerOfResponse,
  adminFail,
  type Logger,
  startAdminApi,
} from "@smsgw/service-kit";
import type { MessageStore } from "../db/messages-store.ts";
import type { NumberStore } from "../db/numbers-store.ts";
import { approvedRecord, type SenderIdStore } from "../db/sender-ids-store.ts";
import { parseInventoryEntry } from "../domain/numbers.ts";
import type { KvMirror } from "../handlers/kv-mirror.ts";

export interface AdminOptions {
  port: number;
  host: string;
  /** The shared token and the named operators (ADMIN_TOKEN, ADMIN_OPERATORS). */
  credentials: AdminCredentials;
  numbers: NumberStore;
  messages: Pick<MessageStore, "unowned">;
  senderIds: SenderIdStore;
  /** The doors' bucket of approved sender IDs: written at once on a decision. */
  approvedSenderIds: Pick<KvMirror<SenderIdRecord>, "put" | "remove">;
  /** Who holds each number, for the doors: a number taken out of the inventory goes at once. */
  heldNumbers: Pick<KvMirror<OwnedNumberRecord>, "remove">;
  log: Logger;
}

/**
 * The operator's HTTP API for the number inventory and the MO nobody owned:
 * `GET /v1/numbers`, `PUT|DELETE /v1/numbers/:number` (`{ carrierId, simulator? }`),
 * `GET /v1/unowned-inbound?limit=`; the sender ID registry: `GET /v1/sender-ids` (waiting for a
 * decision), `POST /v1/sender-ids/:account/:sender/approve|reject`. Bearer ADMIN_TOKEN; errors
 * are `{ status, message }`.
 */
export async function startAdminServer(options: AdminOptions): Promise<AdminApi> {
  const { numbers } = options;
  return startAdminApi({
    port: options.port,
    host: options.host,
    credentials: options.credentials,
    log: options.log,
    failureMessage: "the change could not be stored; try again",
    routes: (router) => {
      router.get("/v1/numbers", async (_req, res) => {
        res.json({ numbers: await numbers.inventory() });
      });
      router.put("/v1/numbers/:number", async (req, res) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const parsed = parseInventoryEntry({
          number: req.params.number,
          carrierId: body.carrierId,
          simulator: body.simulator,
        });
        if (!parsed.ok) return adminFail(res, 400, "invalid_params", parsed.message);
        res.json({ number: await numbers.put(parsed.value) });
      });
      router.delete("/v1/numbers/:number", async (req, res) => {
        const number = String(req.params.number);
        if (!(await numbers.remove(number))) {
          return adminFail(
            res,
            404,
            "not_found",
            `no number ${req.params.number} in the inventory`,
          );
        }
        await options.heldNumbers.remove(ownedNumberKey(number));
        res.status(204).end();
      });
      router.get("/v1/sender-ids", async (_req, res) => {
        res.json({ pending: await options.senderIds.pending(1_000) });
      });
      router.post("/v1/sender-ids/:account/:sender/:decision", async (req, res) => {
        const decision = String(req.params.decision);
        if (decision !== "approve" && decision !== "reject") {
          return adminFail(res, 404, "not_found", "approve or reject");
        }
        const accountId = String(req.params.account);
        const sender = String(req.params.sender);
        const status = decision === "approve" ? "approved" : "rejected";
        const by = { actor: adminActorOf(adminCallerOfResponse(res)), ip: req.ip ?? null };
        const decided = await options.senderIds.decide(accountId, sender, status, new Date(), by);
        if (!decided) {
          return adminFail(
            res,
            404,
            "not_found",
            `no sender ID ${sender} asked for by ${accountId}`,
          );
        }
        if (status === "approved") await options.approvedSenderIds.put(approvedRecord(decided));
        else await options.approvedSenderIds.remove(senderIdKey(accountId, sender));
        res.json({ senderId: decided });
      });
      router.get("/v1/unowned-inbound", async (req, res) => {
        const limit = Math.min(1_000, Math.max(1, Number(req.query.limit) || 100));
        res.json({ inbound: await options.messages.unowned(limit) });
      });
    },
  });
}
