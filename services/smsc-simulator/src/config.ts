import { readFileSync } from "node:fs";
import { CARRIER_ID_PATTERN } from "@smsgw/contracts";
import { BaseEnv, ConfigError, JsonEnv, loadConfig, Port } from "@smsgw/service-kit";
import { RECEIPT_STATS } from "@smsgw/smpp";
import { z } from "zod";
import { DEFAULT_OUTCOMES } from "./domain/outcomes.ts";
import { DELIVERY_COMMANDS } from "./domain/receipt.ts";

const Delay = z.union([
  z.number().int().min(0).max(3_600_000),
  z
    .object({ minMs: z.number().int().min(0), maxMs: z.number().int().min(0).max(3_600_000) })
    .refine((d) => d.maxMs >= d.minMs, "maxMs must be at least minMs"),
]);

const ReceiptChoice = z.object({
  stat: z.enum([...RECEIPT_STATS, "none"]),
  err: z
    .string()
    .regex(/^[0-9A-Za-z]{1,3}$/)
    .default("000"),
  weight: z.number().min(0),
});

const SubmitError = z.object({
  commandStatus: z.number().int().min(1).max(0xffffffff),
  rate: z.number().min(0).max(1),
});

const Outcome = z.object({
  prefix: z.string().regex(/^\+?[0-9]{0,15}$/, "an E.164 prefix such as +3725550"),
  stat: z.enum(RECEIPT_STATS).default("DELIVRD"),
  err: z
    .string()
    .regex(/^[0-9A-Za-z]{1,3}$/)
    .default("000"),
  /** Refuse the submit with this command_status instead (0 = accept). */
  commandStatus: z.number().int().min(0).max(0xffffffff).default(0),
  /** Weighted receipt outcomes (stat "none": no receipt); absent: stat/err above. */
  receipts: z.array(ReceiptChoice).min(1).optional(),
  /** Refusals drawn per submit, each with its probability (rates add up to at most 1). */
  submitErrors: z
    .array(SubmitError)
    .optional()
    .refine((e) => !e || e.reduce((sum, x) => sum + x.rate, 0) <= 1, "rates add up to more than 1"),
  /** Receipt delay for this prefix: ms, or { minMs, maxMs } uniform. */
  receiptDelayMs: Delay.optional(),
});

/** What a carrier does; replaceable at run time (`PUT /carriers/{id}`, `sim.configure`). */
export const SimBehaviour = z.object({
  receiptDelayMs: Delay.default(100),
  /**
   * Latency before each submit_sm_resp (a slow carrier): the submit is taken (recorded, its
   * receipt scheduled) at once, its answer goes this much later. ms, or { minMs, maxMs }.
   */
  responseDelayMs: Delay.default(0),
  /**
   * Answers each accepted submit OK with an empty message_id (its receipts still carry the id
   * it keeps for itself), as some SMSCs do: the ESME cannot map them.
   */
  emptyMessageId: z.boolean().default(false),
  /**
   * Sends unbind this long after each bind (null: never), as an SMSC does that takes a bind
   * and then turns the session away (over its session limit, in maintenance).
   */
  unbindAfterBindMs: z.number().int().min(0).max(3_600_000).nullable().default(null),
  /**
   * Each session answers its first this many submit_sm and then none (null: never wedges; 0:
   * no submit is ever answered), while enquire_link and unbind are still answered: an SMSC
   * whose application hangs behind a live SMPP front-end. The submits it leaves unanswered are
   * not taken (not recorded, no receipt). A new session answers again, as a front-end that puts
   * it on a working node does.
   */
  wedgeAfterSubmits: z.number().int().min(0).max(1_000_000).nullable().default(null),
  /**
   * Before each receipt, an intermediate delivery notification (esm_class 0x20, stat
   * `ENROUTE`, in the receipt's dialect and command) at once, unasked (registered_delivery's
   * 0x10 not set), as some SMSCs send: it is no receipt and no MO.
   */
  intermediateNotifications: z.boolean().default(false),
  idBase: z.enum(["hex", "decimal"]).default("hex"),
  /** How receipts write the id: as submit_sm_resp did ("same"), or in another base. */
  receiptIdBase: z.enum(["same", "hex", "decimal"]).default("same"),
  /** "both": text and TLVs; "text": short_message only; "tlv": TLVs only, empty text. */
  receiptDialect: z.enum(["both", "text", "tlv"]).default("both"),
  /**
   * The PDU receipts go in: "deliver_sm", or "data_sm" (SMPP 3.4 4.7; the dialect's text then
   * in message_payload, the TLVs as they are), as some SMSCs send them.
   */
  receiptCommand: z.enum(DELIVERY_COMMANDS).default("deliver_sm"),
  /** The PDU MO messages go in: "deliver_sm", or "data_sm" (the text in message_payload). */
  moCommand: z.enum(DELIVERY_COMMANDS).default("deliver_sm"),
  /** submit_sm per second across the carrier's binds; past it ESME_RTHROTTLED. 0 = none. */
  tps: z.number().int().min(0).max(1_000_000).default(0),
  outcomes: z.array(Outcome).default(() => DEFAULT_OUTCOMES.map((o) => ({ ...o }))),
  /** deliver_sm (receipts) in flight per session. */
  windowSize: z.number().int().min(1).max(10_000).default(100),
});
export type SimBehaviour = z.output<typeof SimBehaviour>;

const SimCarrier = SimBehaviour.extend({
  id: z.string().regex(CARRIER_ID_PATTERN, "lower-case letters, digits, _ and -"),
  port: z.number().int().min(0).max(65535),
  systemId: z.string().min(1).max(15).optional(),
  password: z.string().max(8).default("secret"),
}).transform(({ systemId, ...carrier }) => ({ ...carrier, systemId: systemId ?? carrier.id }));
export type SimCarrier = z.output<typeof SimCarrier>;

export const DEFAULT_SIM_CARRIERS = [
  { id: "sim-a", port: 2775, idBase: "hex" },
  { id: "sim-b", port: 2776, idBase: "decimal" },
];

/** `SIM_CARRIERS`: a JSON array of carriers; each field but id and port has a default. */
const SimCarriers = JsonEnv(z.array(SimCarrier).min(1), DEFAULT_SIM_CARRIERS).superRefine(
  (carriers, ctx) => {
    const seen = new Set<string>();
    const ports = new Set<number>();
    for (const carrier of carriers) {
      if (seen.has(carrier.id)) {
        ctx.addIssue({ code: "custom", message: `carrier "${carrier.id}" is listed twice` });
      }
      if (carrier.port !== 0 && ports.has(carrier.port)) {
        ctx.addIssue({ code: "custom", message: `port ${carrier.port} is used twice` });
      }
      seen.add(carrier.id);
      ports.add(carrier.port);
    }
  },
);

export const SmscSimulatorEnv = BaseEnv.extend({
  SIM_CARRIERS: SimCarriers,
  /** A JSON file `{ "carriers": [...] }`; when set it replaces SIM_CARRIERS. */
  SIM_CONFIG_FILE: z.string().min(1).optional(),
  /** Where the SMPP listeners bind. */
  SIM_HOST: z.string().min(1).default("127.0.0.1"),
  /** How many received submits `submissions()` keeps (the oldest go first). */
  SIM_KEEP_SUBMISSIONS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  HEALTH_PORT: Port.default(8086),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
});
export type SmscSimulatorConfig = z.output<typeof SmscSimulatorEnv>;

export function loadSmscSimulatorConfig(
  env: Record<string, string | undefined> = process.env,
): SmscSimulatorConfig {
  const file = env.SIM_CONFIG_FILE;
  if (!file) return loadConfig(SmscSimulatorEnv, env);
  let carriers: string;
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { carriers?: unknown };
    carriers = JSON.stringify(parsed.carriers);
  } catch (error) {
    throw new ConfigError(
      `SIM_CONFIG_FILE ${file}: ${error instanceof Error ? error.message : error}`,
    );
  }
  return loadConfig(SmscSimulatorEnv, { ...env, SIM_CARRIERS: carriers });
}
