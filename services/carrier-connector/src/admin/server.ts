import { CARRIER_ID_PATTERN } from "@smsgw/contracts";
import {
  type AdminApi,
  type AdminCredentials,
  adminFail,
  type Logger,
  startAdminApi,
} from "@smsgw/service-kit";
import { type CarrierStore, redacted } from "../db/carrier-store.ts";
import { parseCarrierInput } from "../domain/carrier-input.ts";
import type { CarrierLinkStatus } from "../handlers/carrier-link.ts";

export type AdminServer = AdminApi;

export interface AdminOptions {
  port: number;
  host: string;
  /** The shared token and the named operators (ADMIN_TOKEN, ADMIN_OPERATORS). */
  credentials: AdminCredentials;
  store: CarrierStore;
  /** Applies the table on this replica now (the others within CARRIER_RELOAD_MS). */
  applied(): Promise<void>;
  status(carrierId: string): CarrierLinkStatus | undefined;
  log: Logger;
}

/**
 * The operator's HTTP API for carriers: `GET /v1/carriers`, `GET|PUT|DELETE
 * /v1/carriers/:id`. Bearer ADMIN_TOKEN (constant-time compare); errors are `{ status,
 * message }`, never a stack trace; passwords are never echoed. A change is stored in
 * `connector.carriers` and applied at once here, within CARRIER_RELOAD_MS on other replicas.
 */
export async function startAdminServer(options: AdminOptions): Promise<AdminServer> {
  const { store, log } = options;
  return startAdminApi({
    port: options.port,
    host: options.host,
    credentials: options.credentials,
    log,
    failureMessage: "the change could not be stored; try again",
    routes: (router) => {
      const view = (carrier: Parameters<typeof redacted>[0]) => ({
        ...redacted(carrier),
        status: options.status(carrier.id) ?? null,
      });

      router.get("/v1/carriers", async (_req, res) => {
        const { carriers, invalid } = await store.list();
        res.json({ carriers: carriers.map(view), invalid });
      });
      router.get("/v1/carriers/:id", async (req, res) => {
        const carrier = (await store.list()).carriers.find((c) => c.id === req.params.id);
        if (carrier) res.json({ carrier: view(carrier) });
        else adminFail(res, 404, "not_found", `no carrier "${req.params.id}"`);
      });
      router.put("/v1/carriers/:id", async (req, res) => {
        const id = String(req.params.id);
        if (!CARRIER_ID_PATTERN.test(id)) {
          return adminFail(res, 400, "invalid_params", "id: lower-case letters, digits, _ and -");
        }
        const parsed = parseCarrierInput(id, req.body);
        if (!parsed.ok) return adminFail(res, 400, "invalid_params", parsed.message);
        await store.put(parsed.value);
        await options.applied();
        res.json({ carrier: view(parsed.value) });
      });
      router.delete("/v1/carriers/:id", async (req, res) => {
        if (!(await store.delete(String(req.params.id)))) {
          return adminFail(res, 404, "not_found", `no carrier "${req.params.id}"`);
        }
        await options.applied();
        res.status(204).end();
      });
    },
  });
}
