import { ERROR_CODE_MEANINGS, ERROR_CODES, MESSAGE_STATUSES } from "@smsgw/contracts";
import { unrecordable } from "@smsgw/message-acceptance";
import { z } from "zod";

/**
 * The shapes of the native API: the handlers parse requests with these schemas and the
 * OpenAPI document is generated from the same ones (`openapi/document.ts`), so the docs
 * cannot drift from what the code accepts.
 */

export const MAX_BATCH = 1_000;
export const MAX_REFERENCE = 128;

/**
 * Refuses what no table can hold (`unrecordable`: U+0000, a lone surrogate), named by its
 * field: stored, or compared with stored text, Postgres would fail the request instead.
 */
export const recordable = (field: string) => (value: string, ctx: z.RefinementCtx) => {
  const unfit = unrecordable(field, value);
  if (unfit !== null) ctx.addIssue({ code: "custom", message: unfit });
};

const E164 = z.string().meta({ description: "E.164, e.g. +37256789045", example: "+37256789045" });

const CALLBACK_URL =
  "http(s) URL that receives the delivery reports: port 80, 443 or 1024-65535, not a loopback, private, link-local or metadata address";

const CALLBACK_STATUSES =
  "which status changes are POSTed to callbackUrl (api.md section 4): `sent`, `final` (delivered, undelivered, expired, failed) or statuses by name, comma-separated; default `sent,final`. `queued` is never reported (400 invalid_params)";

export const ErrorBody = z.object({
  status: z.string().meta({ description: "machine-readable status, e.g. invalid_phone" }),
  message: z.string().meta({ description: "what went wrong, for a human" }),
  messageId: z
    .string()
    .optional()
    .meta({ description: "outcome_unknown only: the message to look up, or to retry under" }),
});

export const Credentials = {
  hash: z.string().optional().meta({ description: "account hash (or use HTTP Basic)" }),
  token: z.string().optional().meta({ description: "account token (or use HTTP Basic)" }),
};

export const SendMessage = z.strictObject({
  to: E164.meta({ description: "recipient, E.164" }),
  from: z.string().meta({
    description:
      "sender ID: alphanumeric (≤ 11 ASCII characters with a letter A-Z: letters, digits, spaces and ! \" # $ % & ' ( ) * + , - . / : ; < = > ? @ _) or numeric (≤ 15 digits, optional +)",
    example: "MyApp",
  }),
  text: z.string().meta({
    description:
      "UTF-8 text; GSM-7 160 / UCS-2 70 characters in one part, 153 / 67 per part when split (152 / 66 where the destination's carriers use a 16-bit concatenation header)",
    example: "Hello",
  }),
  callbackUrl: z.string().nullish().meta({ description: CALLBACK_URL }),
  callbackStatuses: z
    .union([z.string(), z.array(z.string())])
    .nullish()
    .meta({
      description: `${CALLBACK_STATUSES}; also an array of strings`,
      example: "final",
    }),
  reference: z
    .string()
    .max(MAX_REFERENCE)
    .superRefine(recordable("reference"))
    .nullish()
    .meta({ description: "your own reference, echoed back in the resource and webhooks" }),
  sendAt: z.string().nullish().meta({
    format: "date-time",
    description: "ISO 8601 time to send at (at most 7 days ahead by default); absent or past = now",
  }),
  validUntil: z.string().nullish().meta({
    format: "date-time",
    description:
      "ISO 8601 time after which the message expires (at most 72 h after sending by default)",
  }),
  ...Credentials,
});
export type SendMessage = z.infer<typeof SendMessage>;

export const SendBatch = z.strictObject({
  messages: z.array(SendMessage).min(1).max(MAX_BATCH),
  ...Credentials,
});

/** What the batch handler parses first: the items are then checked one by one. */
export const SendBatchEnvelope = z.strictObject({
  messages: z.array(z.unknown()).min(1).max(MAX_BATCH),
  ...Credentials,
});

/** `POST /v1/messages/cancel` (ADR 0030, amendment of 2026-12-07): up to 1,000 scheduled messages. */
export const CancelMessages = z.strictObject({
  messageIds: z
    .array(z.string().meta({ description: "a message id as the send answered it (msg_…)" }))
    .min(1)
    .max(MAX_BATCH)
    .meta({
      description: `1 to ${MAX_BATCH} ids; an id given twice is answered at each of its positions`,
    }),
  ...Credentials,
});

/** The documented errorCodes (ADR 0017), each with its meaning in the description. */
export const ErrorCodeSchema = z.enum(ERROR_CODES).meta({
  description: `why a message failed, was undelivered or expired; stable (codes are added, never changed): ${ERROR_CODES.map((code) => `\`${code}\` ${ERROR_CODE_MEANINGS[code]}`).join("; ")}`,
});

export const MessageResource = z.object({
  messageId: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  to: z.string(),
  from: z.string(),
  parts: z.number().int(),
  cost: z.number().meta({ description: "total charged for all parts, in currency" }),
  currency: z.string(),
  reference: z.string().nullable(),
  errorCode: ErrorCodeSchema.nullable().meta({
    description: "null unless the status is undelivered, expired or failed (see ErrorCode)",
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
  statusTimes: z
    .record(z.string(), z.string())
    .meta({ description: "when each status reached was reached" }),
  sendAt: z
    .string()
    .nullable()
    .meta({ description: "when it is to be sent, as accepted; null: at once" }),
  validUntil: z
    .string()
    .nullable()
    .meta({ description: "until when it may be delivered, as accepted; null: the default" }),
});

export const BatchItemResult = z.object({
  index: z.number().int().meta({ description: "position in the request's messages" }),
  status: z.string().meta({ description: "queued, or the error status of this item" }),
  message: z.string().optional().meta({ description: "why this item was refused" }),
  messageId: z.string().optional(),
  resource: MessageResource.optional(),
});

export const BatchResult = z.object({
  accepted: z.number().int(),
  refused: z.number().int(),
  results: z.array(BatchItemResult),
});

export const CancelItemResult = z.object({
  index: z.number().int().meta({ description: "position in the request's messageIds" }),
  messageId: z.string(),
  canceled: z.boolean().meta({
    description: "true: it fails `canceled` and is refunded within a moment, never sent",
  }),
  status: z.string().optional().meta({
    description:
      "not canceled only: message_not_cancelable, not_found, or server_error (ask again: harmless)",
  }),
  message: z.string().optional().meta({ description: "not canceled only: why" }),
});

export const CancelResults = z.object({
  canceled: z.number().int(),
  refused: z.number().int().meta({ description: "items not canceled (any error)" }),
  results: z.array(CancelItemResult).meta({ description: "one per id, in request order" }),
});

export const EventsPage = z.object({
  events: z.array(
    z.object({
      eventId: z.string(),
      type: z.string(),
      occurredAt: z.string(),
      data: z.record(z.string(), z.unknown()).meta({
        description:
          'what the event says about this message (docs/api.md, "The event trail"): no carrier, carrier message id, routing or SMPP detail; an errorCode in it is an ErrorCode; {} for a type this API does not describe',
      }),
    }),
  ),
  nextCursor: z.string().nullable().meta({ description: "pass as ?after= for the next page" }),
});

// Strict, as the message search's: a misspelt parameter (`cursor`, as the search names its
// own) is refused, not ignored, which would hand back the first page again and again.
export const EventsQuery = z.strictObject({
  // The reader's cursors are base64url of time, sequence and order: up to 120 characters.
  after: z.string().max(120).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  ...Credentials,
});

/** A time filter: ISO 8601 with an offset, or a UTC day (YYYY-MM-DD, its midnight). */
const FilterTime = (description: string) =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], {
      error:
        "must be an ISO 8601 time with an offset (2026-12-01T00:00:00Z) or a UTC day (2026-12-01)",
    })
    .transform((value) => new Date(value.length === 10 ? `${value}T00:00:00Z` : value))
    // Postgres's timestamps hold years 1 to 294276, and an offset may carry 9999-12-31 into
    // the year 10000: a time outside years 1-9999 is a bad filter, not a failed query.
    .refine((date) => {
      const year = date.getUTCFullYear();
      return year >= 1 && year <= 9999;
    }, "must be a time between the years 1 and 9999 (UTC)")
    .meta({ description, example: "2026-12-01T00:00:00Z" });

/** The filters of `GET /v1/messages` and its CSV export (api.md section 5). */
const MessageFilters = {
  status: z.enum(MESSAGE_STATUSES).optional().meta({ description: "current status" }),
  to: z
    .string()
    .regex(/^\+[1-9][0-9]{3,14}$/, "must be E.164, e.g. +37256789045 (write + as %2B)")
    .optional()
    .meta({ description: "destination, E.164, exact (write + as %2B)" }),
  from: z
    .string()
    .min(1)
    .max(20)
    // Compared with the stored sender IDs: a NUL would fail the query, not match nothing.
    .superRefine(recordable("from"))
    .optional()
    .meta({ description: "sender ID as sent, exact", example: "MyApp" }),
  since: FilterTime("created at or after").optional(),
  until: FilterTime("created before").optional(),
  ...Credentials,
};

export const MAX_SEARCH_PAGE = 1_000;

/** A range whose end comes before its start is a client's mistake (swapped?), not an empty page. */
const rangeInOrder = (query: { since?: Date | undefined; until?: Date | undefined }) =>
  query.since === undefined || query.until === undefined || query.since <= query.until;
const RANGE_PROBLEM = { message: "since must not be after until", path: ["since"] };

export const MessagesQuery = z
  .strictObject({
    ...MessageFilters,
    cursor: z
      .string()
      .max(200)
      .optional()
      .meta({ description: "nextCursor of the previous page; absent for the newest" }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_SEARCH_PAGE)
      .default(100)
      .meta({ description: `messages a page, 1 to ${MAX_SEARCH_PAGE}` }),
  })
  .refine(rangeInOrder, RANGE_PROBLEM);
export type MessagesQuery = z.infer<typeof MessagesQuery>;

export const ExportQuery = z.strictObject(MessageFilters).refine(rangeInOrder, RANGE_PROBLEM);
export type ExportQuery = z.infer<typeof ExportQuery>;

export const MessagesPage = z.object({
  messages: z.array(MessageResource),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: "pass as ?cursor= (with the same filters) for the next, older page" }),
});

export const Balance = z.object({ balance: z.number(), currency: z.string() });

export const Price = z.object({
  to: z.string(),
  country: z.string().nullable(),
  pricePerPart: z.number(),
  currency: z.string(),
});

export const PhoneFormat = z.object({
  input: z.string(),
  e164: z.string(),
  valid: z.boolean(),
  reason: z.string().nullable(),
  country: z.string().nullable(),
  countryCallingCode: z.string(),
  nationalNumber: z.string(),
  type: z
    .string()
    .nullable()
    .meta({ description: "mobile, fixed_line, fixed_line_or_mobile, toll_free, …" }),
  international: z.string(),
  national: z.string(),
});

export const CompatibleRequest = z.object({
  hash: z.string().meta({ description: "account identifier (public half of the credentials)" }),
  token: z.string().meta({ description: "account secret (private half)" }),
  toNumber: E164.meta({ description: "recipient in E.164 (write + as %2B in a query string)" }),
  fromNumber: z.string().meta({
    description:
      "sender ID: alphanumeric (≤ 11 ASCII characters with a letter A-Z, e.g. MyApp; letters, digits, spaces and ! \" # $ % & ' ( ) * + , - . / : ; < = > ? @ _) or numeric (≤ 15 digits, optional +)",
    example: "MyApp",
  }),
  text: z.string().meta({
    description:
      "UTF-8 text; one part holds 160 GSM-7 characters (153 when split) or 70 UCS-2 (67); 152 / 66 when split where the destination's carriers use a 16-bit concatenation header",
    example: "Hello",
  }),
  callbackUrl: z.string().optional().meta({ description: CALLBACK_URL }),
  callbackStatuses: z
    .string()
    .optional()
    .meta({ description: CALLBACK_STATUSES, example: "final" }),
});

export const CompatibleSuccess = z.object({
  status: z.literal("success"),
  messageId: z.string(),
  parts: z.number().int(),
  cost: z.number(),
  currency: z.string(),
});

/** The first problem zod found, as the invalid_params message: it names the field. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "the request is malformed";
  return describe(issue);
}

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    // Names are echoed, so they are cut short: a client cannot make us reflect a megabyte.
    const names = issue.keys.slice(0, 3).map((k) => {
      const name = path ? `${path}.${k}` : k;
      return name.length > 40 ? `${name.slice(0, 40)}…` : name;
    });
    return `unknown field ${names.join(", ")}${issue.keys.length > 3 ? ", …" : ""}`;
  }
  if (issue.code === "invalid_type") {
    const name = path || "body";
    if (issue.message.endsWith("received undefined")) return `${name} is missing`;
    return `${name} must be ${article(issue.expected)}`;
  }
  if (issue.code === "invalid_union") {
    // A branch whose problem lies inside the value got past its type: that is the shape
    // the client meant (an array with a number in it), so its problem is the one to name.
    const inner = issue.errors.find((branch) => branch.some((i) => i.path.length > 0))?.[0];
    if (inner) return describe({ ...inner, path: [...issue.path, ...inner.path] });
    const expected = issue.errors.flatMap((branch) =>
      branch.flatMap((i) => (i.code === "invalid_type" ? [article(i.expected)] : [])),
    );
    if (expected.length > 0) return `${path || "body"} must be ${expected.join(" or ")}`;
  }
  if (issue.code === "too_big" || issue.code === "too_small") {
    return `${path || "body"}: ${issue.message}`;
  }
  // A refinement's own sentence, named by its field unless it names it already.
  if (issue.code === "custom" && issue.message) {
    return path && !issue.message.startsWith(path) ? `${path}: ${issue.message}` : issue.message;
  }
  if (issue.code === "invalid_value") {
    return `${path || "body"} must be one of ${issue.values.map(String).join(", ")}`;
  }
  // A sentence the schema wrote for the client ("must be E.164, …"), not zod's own default.
  if (issue.message.startsWith("must ")) return `${path || "body"} ${issue.message}`;
  return `${path || "body"} is invalid`;
}

function article(expected: string): string {
  if (expected === "object") return "a JSON object";
  return `${/^[aeiou]/.test(expected) ? "an" : "a"} ${expected}`;
}

// Two-way messaging (api.md section 5): for the document only; the handlers read these
// bodies with domain/number-requests.ts, and the inbound service answers.
export const TakeNumber = z
  .object({
    country: z.string().length(2).optional().meta({ description: "ISO 3166-1 alpha-2, e.g. EE" }),
    number: z.string().optional().meta({ description: "a given free number, E.164" }),
  })
  .meta({ description: "give country or number, not both" });

export const UpdateNumber = z.object({
  inboundUrl: z.string().max(2048).nullable().meta({
    description:
      "where inbound messages to this number are POSTed (the callback guard of callbackUrl applies); null: the account's default callback URL",
  }),
});

export const NumberResource = z.object({
  number: z.string(),
  country: z.string(),
  inboundUrl: z.string().nullable(),
  createdAt: z.string().meta({ description: "when the account took the number" }),
});

export const NumbersList = z.object({ numbers: z.array(NumberResource) });

export const InboundMessage = z.object({
  id: z.string().meta({ description: "in_ + ULID" }),
  from: z.string(),
  to: z.string().meta({ description: "the account's number" }),
  text: z.string().meta({ description: "all parts joined" }),
  parts: z.number().int(),
  receivedAt: z.string(),
});

export const InboundPage = z.object({
  inbound: z.array(InboundMessage).meta({ description: "newest first" }),
  nextCursor: z.string().nullable().meta({ description: "pass as ?cursor= for the next page" }),
});

export const OptOut = z.object({
  number: z.string().meta({ description: "E.164" }),
  since: z.string(),
  source: z.string().meta({ description: "the keyword that put it there (STOP, …), or API" }),
});

export const OptOutsList = z.object({
  optOuts: z.array(OptOut).meta({ description: "oldest first" }),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: "pass as ?cursor= for the next page; null on the last" }),
});

export const AddOptOut = z.object({ number: z.string().meta({ description: "E.164" }) });

export const SenderIdRegistration = z.object({
  sender: z.string().meta({ description: "the alphanumeric sender ID, as asked for" }),
  status: z.enum(["pending", "approved", "rejected"]),
  requestedAt: z.string(),
  decidedAt: z.string().nullable().meta({ description: "when the operator decided" }),
});

export const SenderIdsList = z.object({
  senders: z.array(SenderIdRegistration).meta({ description: "oldest first" }),
});

export const RequestSenderId = z.object({
  sender: z.string().meta({
    description: "1-11 ASCII letters, digits, spaces or punctuation, a letter among them",
  }),
});
