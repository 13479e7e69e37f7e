import { CARRIER_ID_PATTERN } from "@smsgw/contracts";
import { BaseEnv, JsonEnv, loadConfig, Port } from "@smsgw/service-kit";
import { z } from "zod";

const Carrier = z
  .object({
    id: z.string().regex(CARRIER_ID_PATTERN, "lower-case letters, digits, _ and -"),
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(1).max(65535),
    /** Defaults to the carrier id. */
    systemId: z.string().min(1).max(15).optional(),
    password: z.string().max(8),
    systemType: z.string().max(12).default(""),
    /** submit_sm in flight at once on the bind; later ones wait their turn. */
    windowSize: z.number().int().min(1).max(1_000).default(10),
    /** A submit without an answer by then is "outcome unknown". */
    responseTimeoutMs: z.number().int().min(100).default(10_000),
    /** enquire_link after this much silence; 0 turns it off. */
    enquireLinkMs: z.number().int().min(0).default(30_000),
    /**
     * How the carrier writes message ids, so a receipt's id matches its submit_sm_resp's:
     * "hex" / "decimal" compare as numbers (1A2B in one, 6699 in the other), "string" as text.
     */
    idBase: z.enum(["string", "hex", "decimal"]).default("string"),
  })
  .transform(({ systemId, ...carrier }) => ({ ...carrier, systemId: systemId ?? carrier.id }));
export type CarrierConfig = z.output<typeof Carrier>;

export const DEFAULT_CARRIERS = [
  { id: "sim-a", host: "127.0.0.1", port: 2775, password: "secret", idBase: "hex" },
  { id: "sim-b", host: "127.0.0.1", port: 2776, password: "secret", idBase: "decimal" },
];

/** `CARRIERS`: a JSON array of carriers, one transceiver bind each. */
const Carriers = JsonEnv(z.array(Carrier).min(1), DEFAULT_CARRIERS).superRefine((carriers, ctx) => {
  const seen = new Set<string>();
  for (const { id } of carriers) {
    if (seen.has(id)) ctx.addIssue({ code: "custom", message: `carrier "${id}" is listed twice` });
    seen.add(id);
  }
});

export const CarrierConnectorEnv = BaseEnv.extend({
  CARRIERS: Carriers,
  HEALTH_PORT: Port.default(8083),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** After a bind refused for its credentials, try again this much later (and alert). */
  BIND_REFUSED_RETRY_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** How long a receipt waits for its id mapping before the carrier is told to retry later. */
  RECEIPT_MAPPING_WAIT_MS: z.coerce.number().int().min(0).default(30_000),
  /** Receipts that arrive within this window share one database lookup. */
  RECEIPT_BATCH_MS: z.coerce.number().int().min(0).max(1_000).default(5),
});
export type CarrierConnectorConfig = z.output<typeof CarrierConnectorEnv>;

export function loadCarrierConnectorConfig(
  env: Record<string, string | undefined> = process.env,
): CarrierConnectorConfig {
  return loadConfig(CarrierConnectorEnv, env);
}
