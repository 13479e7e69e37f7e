import { type AdminApi, adminFail, type Logger, startAdminApi } from "@smsgw/service-kit";
import type { MessageStore } from "../db/messages-store.ts";
import type { NumberStore } from "../db/numbers-store.ts";
import { parseInventoryEntry } from "../domain/numbers.ts";

export interface AdminOptions {
  port: number;
  host: string;
  token: string;
  numbers: NumberStore;
  messages: Pick<MessageStore, "unowned">;
  log: Logger;
}

/**
 * The operator's HTTP API for the number inventory and the MO nobody owned:
 * `GET /v1/numbers`, `PUT|DELETE /v1/numbers/:number` (`{ carrierId, simulator? }`),
 * `GET /v1/unowned-inbound?limit=`. Bearer ADMIN_TOKEN; errors are `{ status, message }`.
 */
export async function startAdminServer(options: AdminOptions): Promise<AdminApi> {
  const { numbers } = options;
  return startAdminApi({
    port: options.port,
    host: options.host,
    token: options.token,
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
        if (!(await numbers.remove(String(req.params.number)))) {
          return adminFail(
            res,
            404,
            "not_found",
            `no number ${req.params.number} in the inventory`,
          );
        }
        res.status(204).end();
      });
      router.get("/v1/unowned-inbound", async (req, res) => {
        const limit = Math.min(1_000, Math.max(1, Number(req.query.limit) || 100));
        res.json({ inbound: await options.messages.unowned(limit) });
      });
    },
  });
}
