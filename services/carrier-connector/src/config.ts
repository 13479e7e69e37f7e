import { CARRIER_ID_PATTERN, ErrorCode } from "@smsgw/contracts";
import {
  adminOperatorsSetting,
  BaseEnv,
  JsonEnv,
  loadConfig,
  Port,
  SecretBoxKeyEnv,
} from "@smsgw/service-kit";
import { z } from "zod";

/** [TON, NPI]. */
const TonNpi = z.tuple([z.number().int().min(0).max(6), z.number().int().min(0).max(18)]);

export const Carrier = z
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
     * submit_sm timed out in a row on one bind, no submit answered in between, after which the
     * bind is dropped (unbind, close) and bound again: an SMSC that answers enquire_link but no
     * submit (ADR 0008 amendment). 0 = never. One lost answer is no reason to drop a bind.
     */
    rebindAfterTimeouts: z.number().int().min(0).max(1_000).default(3),
    /**
     * How the carrier writes message ids, so a receipt's id matches its submit_sm_resp's:
     * "hex" / "decimal" compare as numbers (1A2B in one, 6699 in the other), "string" as text.
     */
    idBase: z.enum(["string", "hex", "decimal"]).default("string"),
    /** How receipts write the id, when it differs from submit_sm_resp (Kannel msg-id-type). */
    receiptIdBase: z.enum(["string", "hex", "decimal"]).optional(),
    /**
     * What this carrier's receipt `err:` values mean where they differ from GSM MAP (ADR 0017),
     * e.g. `{ "004": "blocked_by_carrier" }`: the documented errorCode customers are told.
     */
    receiptErrors: z.record(z.string().max(16), ErrorCode).optional(),
    /** How long messages are tied together: UDH 8/16-bit reference, SAR TLVs, message_payload. */
    concat: z.enum(["udh8", "udh16", "sar", "payload"]).default("udh8"),
    /** data_coding for text in the default alphabet: 0 GSM-7, 1 IA5/ASCII, 3 Latin-1. */
    gsmDataCoding: z.union([z.literal(0), z.literal(1), z.literal(3)]).default(0),
    /** TON/NPI per kind of address (the carrier's rules); defaults as most SMSCs want. */
    addressing: z
      .object({
        alphanumeric: TonNpi.default([5, 0]),
        international: TonNpi.default([1, 1]),
        shortCode: TonNpi.default([3, 0]),
        destination: TonNpi.default([1, 1]),
        shortCodeMaxDigits: z.number().int().min(0).max(8).default(0),
      })
      .default({
        alphanumeric: [5, 0],
        international: [1, 1],
        shortCode: [3, 0],
        destination: [1, 1],
        shortCodeMaxDigits: 0,
      }),
    /** Binds kept open: each a transceiver, or ("pair") a transmitter plus a receiver. */
    binds: z.number().int().min(1).max(16).default(1),
    bindMode: z.enum(["transceiver", "pair"]).default("transceiver"),
    /** submit_sm per second across all the carrier's binds; 0 = no cap. */
    maxTps: z.number().min(0).max(100_000).default(0),
    /**
     * The carrier is a simulator (ours, or a test SMSC), not a real network: published in
     * CarrierHealth so routing can keep test traffic on simulators and real traffic off them.
     */
    simulated: z.boolean().default(false),
    /** Validity when the message gives none, in seconds (also when it is swept as expired). */
    defaultValiditySec: z
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(172_800),
  })
  .transform(({ systemId, receiptIdBase, ...carrier }) => ({
    ...carrier,
    systemId: systemId ?? carrier.id,
    receiptIdBase: receiptIdBase ?? carrier.idBase,
  }));
export type CarrierConfig = z.output<typeof Carrier>;

export const DEFAULT_CARRIERS = [
  {
    id: "sim-a",
    host: "127.0.0.1",
    port: 2775,
    password: "secret",
    idBase: "hex",
    simulated: true,
  },
  {
    id: "sim-b",
    host: "127.0.0.1",
    port: 2776,
    password: "secret",
    idBase: "decimal",
    simulated: true,
  },
];

/** `CARRIERS`: a JSON array of carriers; seeds the carriers table on a first start. */
const Carriers = JsonEnv(z.array(Carrier).min(1), DEFAULT_CARRIERS).superRefine((carriers, ctx) => {
  const seen = new Set<string>();
  for (const { id } of carriers) {
    if (seen.has(id)) ctx.addIssue({ code: "custom", message: `carrier "${id}" is listed twice` });
    seen.add(id);
  }
});

export const CarrierConnectorEnv = BaseEnv.extend({
  CARRIERS: Carriers,
  /**
   * The carriers' passwords are stored sealed under this key (AES-256-GCM, issue 23): a dump
   * of the database does not hold them. Unset: stored in clear, with a warning at start.
   */
  CARRIER_SECRETS_KEY: SecretBoxKeyEnv,
  /** The key before a rotation: passwords sealed under it still open, and are sealed again. */
  CARRIER_SECRETS_KEY_PREVIOUS: SecretBoxKeyEnv,
  HEALTH_PORT: Port.default(8083),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** After a bind refused for its credentials, try again this much later (and alert). */
  BIND_REFUSED_RETRY_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** How long a receipt waits for its id mapping before the carrier is told to retry later. */
  RECEIPT_MAPPING_WAIT_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * A receipt whose id is still unknown this long after it was first seen (the carrier told to
   * retry later meanwhile) is acknowledged and dropped: that id will never be stored (a submit
   * whose answer was lost), and some carriers retry for ever. Beyond RECONCILE_AFTER_MS, the
   * longest a submit can take to store its ids.
   */
  RECEIPT_UNKNOWN_DROP_MS: z.coerce.number().int().min(1_000).default(1_200_000),
  /** Receipts that arrive within this window share one database lookup. */
  RECEIPT_BATCH_MS: z.coerce.number().int().min(0).max(1_000).default(5),
  /** A carrier with no bound session this long: its routed messages fail over (retryable). */
  NO_BIND_FAILOVER_MS: z.coerce.number().int().min(0).default(5_000),
  /** How often this replica publishes its carriers' health (also on every bind change). */
  HEALTH_PUBLISH_MS: z.coerce.number().int().min(100).default(1_000),
  /**
   * The counts routing's scores are built from (ADR 0009) reach back this far, in slots of
   * SCORE_SLOT_MS: at least routing's ROUTE_SCORE_WINDOW_SECONDS.
   */
  SCORE_WINDOW_MS: z.coerce.number().int().min(1_000).default(600_000),
  SCORE_SLOT_MS: z.coerce.number().int().min(100).default(60_000),
  /** A stable id of this process in the health records; default hostname + pid. */
  REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  /**
   * How long a batch of routed messages may go unanswered before JetStream offers it again
   * (a replica that died holding it). A batch still submitting (queued behind windows,
   * throttled) is kept alive by the consumer's progress heartbeats every third of this, so it
   * need not cover the longest batch: it bounds how long a dead replica's messages wait.
   */
  ROUTED_ACK_WAIT_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** How often this replica renews its bind-slot leases and reads the others' (ADR 0007). */
  LEASE_RENEW_MS: z.coerce.number().int().min(100).default(1_000),
  /** A lease or heartbeat not renewed this long is stale: its slots are taken over. */
  LEASE_TTL_MS: z.coerce.number().int().min(300).default(5_000),
  /**
   * A claimed submission with no outcome this old is decided "failed, outcome unknown" when its
   * event comes again (ADR 0008). Longer than any batch can run (throttling, windows, timeouts).
   */
  RECONCILE_AFTER_MS: z.coerce.number().int().min(1_000).default(600_000),
  /** How often messages past their validity without a final receipt are looked for. */
  EXPIRY_SWEEP_MS: z.coerce.number().int().min(100).default(30_000),
  /** A receipt may trail the validity a little: expire only this long after it. */
  EXPIRY_GRACE_MS: z.coerce.number().int().min(0).default(60_000),
  /** How often the carriers table is checked for operator changes (the admin API applies at once). */
  CARRIER_RELOAD_MS: z.coerce.number().int().min(100).default(5_000),
  /** The admin API (carriers); off when neither ADMIN_TOKEN nor ADMIN_OPERATORS is set. */
  ADMIN_PORT: Port.default(8093),
  ADMIN_HOST: z.string().min(1).default("127.0.0.1"),
  /** Bearer token of the admin API; unset or empty = the admin API is off. */
  ADMIN_TOKEN: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z.string().min(16, "must be at least 16 characters").optional(),
  ),
  /** Named operators (`name:sha256hex`, comma separated): changes are logged as `operator:<name>`. */
  ADMIN_OPERATORS: adminOperatorsSetting,
});
export type CarrierConnectorConfig = z.output<typeof CarrierConnectorEnv>;

/** Leases must outlive a few missed renewals, or a slow round would hand slots around. */
const CheckedEnv = CarrierConnectorEnv.refine((env) => env.LEASE_TTL_MS >= 3 * env.LEASE_RENEW_MS, {
  message: "LEASE_TTL_MS must be at least 3 × LEASE_RENEW_MS",
  path: ["LEASE_TTL_MS"],
}).refine((env) => env.RECEIPT_UNKNOWN_DROP_MS > env.RECONCILE_AFTER_MS, {
  // Sooner, a receipt could be dropped while its submit may still store the id it looks for.
  message: "RECEIPT_UNKNOWN_DROP_MS must be longer than RECONCILE_AFTER_MS",
  path: ["RECEIPT_UNKNOWN_DROP_MS"],
});

export function loadCarrierConnectorConfig(
  env: Record<string, string | undefined> = process.env,
): CarrierConnectorConfig {
  return loadConfig(CheckedEnv, env);
}
