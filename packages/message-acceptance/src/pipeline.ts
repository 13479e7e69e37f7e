import {
  type AccountRecord,
  concatFor,
  type RoutingRules,
  type SmppReceiptMask,
  senderKind,
} from "@smsgw/contracts";
import {
  createGroupCommit,
  currentTraceContext,
  type EventPublisher,
  type Logger,
  PartlyStoredError,
  PublishNotStoredError,
} from "@smsgw/service-kit";
import type { Authorizer } from "./authorizer.ts";
import { acceptedEvent } from "./domain/accepted-event.ts";
import { apiError, type Checked, passed } from "./domain/api-error.ts";
import { acceptedAt, type Charge, outcomeOfAuthorize } from "./domain/authorize-outcome.ts";
import { checkDoor } from "./domain/door.ts";
import type { MessageFields, Schedule } from "./domain/message-fields.ts";
import { checkPhone, type Destination } from "./domain/phone.ts";
import { type AcceptOutcome, mayPublish, outcomeOfPublish } from "./domain/publish-outcome.ts";
import { checkSender } from "./domain/sender.ts";
import { countTextParts, type TextCount } from "./domain/text.ts";

/** What a send needs once its fields have the right shape and its account is known. */
export interface SendInput {
  fields: MessageFields;
  reference: string | null;
  schedule: Schedule;
  /** Sent over SMPP with registered_delivery: the receipts it wants back as deliver_sm. */
  smppReceipt?: SmppReceiptMask | null;
  /** How the client named the fields, for the messages: toNumber/fromNumber or to/from. */
  names?: { to: string; from: string };
}

/** A send that passed every check at the door, waiting for its charge. */
export interface Draft {
  messageId: string;
  account: AccountRecord;
  input: SendInput;
  destination: Destination;
  sender: string;
  /** The parts it is billed and sent in. */
  count: TextCount;
}

export interface PipelineDeps {
  /** The part limit (MAX_PARTS). */
  maxParts: number;
  authorizer: Authorizer;
  publisher: Pick<EventPublisher, "publish" | "publishGrouped">;
  /** Routing's rules from its KV bucket; null until routing publishes them. */
  routingRules(): RoutingRules | null;
  /**
   * Whether the number told the account STOP: a lookup in memory (the opt-outs KV bucket,
   * kept by a watch), never a round trip per send. Absent: nobody is opted out.
   */
  optedOut?(accountId: string, e164: string): boolean;
  /**
   * Whether the account holds this number (a numeric sender): a lookup in memory (the
   * numbers KV bucket, kept by a watch). Absent: no sender is an owned number.
   */
  ownsNumber?(accountId: string, sender: string): boolean;
  /**
   * Whether the operator approved this alphanumeric sender ID for the account: a lookup in
   * memory (the sender IDs KV bucket, kept by a watch). Absent: none is approved.
   */
  senderApproved?(accountId: string, sender: string): boolean;
  log: Logger;
  now(): number;
}

export const NOT_ACCEPTED = apiError(
  "server_error",
  "the message was not accepted and not charged; retry",
);

/**
 * The steps every send endpoint shares, after the fields' shape, the account and its rate
 * limit: the part count (invalid_params past the part limit: the splitter runs only for an
 * authenticated account, on a text already bounded by length), the checks at the door in
 * api.md's order (invalid_phone, invalid_sender, opted_out, destination_blocked), the charge (pricing,
 * which answers destination_blocked or low_balance itself), and the accepted event. The
 * compatible endpoint, `POST /v1/messages` and the batch call these.
 */
export function createPipeline(deps: PipelineDeps) {
  const { log } = deps;
  // Accepted events that arrive while earlier ones are being stored go out together, one
  // stored publish (and one delivery to each consumer) for the lot (ADR 0009). Alone when
  // nothing waits, so a quiet gateway answers as fast as before.
  const grouped = createGroupCommit<{
    event: ReturnType<typeof eventOf>;
    stored(): void;
    failed(error: unknown): void;
  }>({
    windowMs: 0,
    maxBatch: 200,
    maxConcurrent: 2,
    async commit(batch) {
      try {
        await deps.publisher.publishGrouped(batch.map((item) => item.event));
      } catch (error) {
        if (!(error instanceof PartlyStoredError)) throw error;
        // An envelope of the group stored, another not: each send answers for its own.
        const stored = storedIdsOf(error);
        for (const item of batch) {
          if (stored.has(item.event.eventId)) item.stored();
          else item.failed(error.failure);
        }
        return;
      }
      for (const item of batch) item.stored();
    },
    onError(error, batch) {
      for (const item of batch) item.failed(error);
    },
  });

  function check(messageId: string, account: AccountRecord, input: SendInput): Checked<Draft> {
    const { text } = input.fields;
    let count = countTextParts(text, deps.maxParts);
    if (!count.ok) return count;
    const destination = checkPhone(input.fields.toNumber, input.names?.to);
    if (!destination.ok) return destination;
    const rules = deps.routingRules();
    // A text of several parts to a route that may use a 16-bit-UDH carrier is billed in the
    // smaller parts every carrier of it will send (ADR 0011). One part has no UDH.
    if (count.value.parts > 1 && concatFor(rules, destination.value.e164) === "udh16") {
      count = countTextParts(text, deps.maxParts, "udh16");
      if (!count.ok) return count;
    }
    const sender = checkSender(input.fields.fromNumber, input.names?.from);
    if (!sender.ok) return sender;
    const numeric = senderKind(sender.value) === "numeric";
    const door = checkDoor({
      account,
      rules,
      destination: destination.value,
      sender: sender.value,
      optedOut: deps.optedOut?.(account.accountId, destination.value.e164) ?? false,
      ownSender: numeric && (deps.ownsNumber?.(account.accountId, sender.value) ?? false),
      senderApproved: !numeric && (deps.senderApproved?.(account.accountId, sender.value) ?? false),
    });
    if (!door.ok) return door;
    return passed({
      messageId,
      account,
      input,
      destination: destination.value,
      sender: sender.value,
      count: count.value,
    });
  }

  /** Pricing's charge for the draft, or the refusal to answer; server_error when it did not answer. */
  async function charge(draft: Draft): Promise<Checked<Charge>> {
    try {
      const answer = await deps.authorizer.authorize({
        messageId: draft.messageId,
        accountId: draft.account.accountId,
        to: draft.destination.e164,
        country: draft.destination.country,
        parts: draft.count.parts,
      });
      const outcome = outcomeOfAuthorize(answer);
      // A spent id goes back as it is: an idempotent retry sends again under a new one.
      if (!outcome.ok && outcome.error.idSpent) {
        log.warn({ messageId: draft.messageId }, "message id charged and refunded before");
        return outcome;
      }
      if (!outcome.ok && outcome.error.status === "server_error") {
        log.error({ messageId: draft.messageId, answer }, "pricing answered error");
        return { ok: false, error: NOT_ACCEPTED };
      }
      return outcome.ok
        ? { ok: true, value: { ...outcome.value, answeredAt: deps.now() } }
        : outcome;
    } catch (error) {
      log.error({ err: error, messageId: draft.messageId }, "authorize failed");
      return { ok: false, error: NOT_ACCEPTED };
    }
  }

  function eventOf(draft: Draft, charged: Charge) {
    return acceptedEvent({
      messageId: draft.messageId,
      accountId: draft.account.accountId,
      fields: draft.input.fields,
      count: draft.count,
      destination: draft.destination,
      sender: draft.sender,
      charge: charged,
      occurredAt: acceptedAt(charged, deps.now()),
      reference: draft.input.reference,
      sendAt: draft.input.schedule.sendAt,
      validUntil: draft.input.schedule.validUntil,
      defaultCallbackUrl: draft.account.defaultCallbackUrl,
      test: draft.account.test,
      smppReceipt: draft.input.smppReceipt ?? null,
      // The request's span: routing's (and so every later service's) spans descend from it.
      trace: currentTraceContext(),
    });
  }

  /**
   * Publishes the accepted event: `stored` once JetStream acknowledged it in time, else
   * `unknown` (logged), never a plain failure: a publish whose ack was lost may be stored
   * (ADR 0022). Not published at all once the charge's window is closing (a replay of an old
   * charge): a copy stored then would be void. A message scheduled for later goes alone:
   * routing holds it with a delayed redelivery, which must not hold the messages beside it.
   */
  async function accept(draft: Draft, charged: Charge): Promise<AcceptOutcome> {
    const answeredAt = charged.answeredAt ?? deps.now();
    if (!mayPublish(charged.publishBy, answeredAt, deps.now())) {
      log.warn({ messageId: draft.messageId }, "accept window closed; not published");
      return "unknown";
    }
    const event = eventOf(draft, charged);
    try {
      await (draft.input.schedule.sendAt
        ? deps.publisher.publish(event)
        : new Promise<void>((stored, failed) => grouped.add({ event, stored, failed })));
      return outcomeOfPublish(charged.publishBy, answeredAt, deps.now());
    } catch (error) {
      // Maybe stored: if so it stands and is delivered; if not, pricing's sweep refunds the
      // charge. A replay under the same messageId is safe either way.
      log.error({ err: error, messageId: draft.messageId }, "accepted publish unconfirmed");
      return outcomeOfPublish(charged.publishBy, answeredAt, failedAs(error));
    }
  }

  /**
   * Publishes many accepted events together (scheduled ones alone, see `accept`). The events
   * whose publish failed are published again alone (JetStream drops the copies by
   * Nats-Msg-Id) to learn which ones are stored. One is `not_stored` only when both of its
   * tries said so: an envelope whose PubAck was lost may have stored it, whatever the second
   * try meets; one whose publish succeeded is never tried again.
   */
  async function acceptAll(
    items: ReadonlyArray<{ draft: Draft; charged: Charge }>,
  ): Promise<AcceptOutcome[]> {
    const now = deps.now();
    const open = items.map(({ charged }) =>
      mayPublish(charged.publishBy, charged.answeredAt ?? now, now),
    );
    const events = items.map(({ draft, charged }) => eventOf(draft, charged));
    const outcomeAt = (i: number, ackedAt: number | null | "not_stored"): AcceptOutcome => {
      const charged = items[i]?.charged;
      if (!open[i] || !charged) return "unknown";
      return outcomeOfPublish(charged.publishBy, charged.answeredAt ?? now, ackedAt);
    };
    const publishable = events.flatMap((event, i) => (open[i] ? [{ i, event }] : []));
    const together = publishable.filter(({ event }) => !event.data.sendAt);
    const alone = publishable.filter(({ event }) => event.data.sendAt);
    const stamp = () => deps.now();
    const [envelope, ...singles] = await Promise.allSettled([
      deps.publisher.publishGrouped(together.map(({ event }) => event)).then(stamp),
      ...alone.map(({ event }) => deps.publisher.publish(event).then(stamp)),
    ]);
    /** Each event's first try: when it was acked, or why it failed. */
    const first = new Map<number, PromiseSettledResult<number>>();
    for (const { i, event } of together)
      if (envelope) first.set(i, ownTry(envelope, event, stamp()));
    for (const [n, { i }] of alone.entries()) {
      const single = singles[n];
      if (single) first.set(i, single);
    }
    const failed = publishable.filter(({ i }) => first.get(i)?.status === "rejected");
    if (failed.length > 0) {
      log.error(
        { count: failed.length, of: events.length },
        "batch publish failed; retrying one by one",
      );
    }
    const retried = new Map(
      await Promise.all(
        failed.map(async ({ i, event }): Promise<[number, number | null | "not_stored"]> => {
          const firstTry = first.get(i);
          const firstNotStored =
            firstTry?.status === "rejected" && failedAs(firstTry.reason) === "not_stored";
          try {
            await deps.publisher.publish(event);
            return [i, deps.now()];
          } catch (error) {
            return [i, firstNotStored ? failedAs(error) : null];
          }
        }),
      ),
    );
    return events.map((_, i) => {
      const firstTry = first.get(i);
      if (firstTry?.status === "fulfilled") return outcomeAt(i, firstTry.value);
      return outcomeAt(i, retried.get(i) ?? null);
    });
  }

  return { check, charge, accept, acceptAll };
}

export type Pipeline = ReturnType<typeof createPipeline>;

/** The event ids a partly stored publish did store. */
function storedIdsOf(error: PartlyStoredError): Set<string> {
  return new Set((error.stored as ReadonlyArray<{ eventId: string }>).map((e) => e.eventId));
}

/**
 * One event's part of a grouped publish's result: an envelope of the group that was stored
 * counts as acked now (later than its PubAck: the conservative side of the fence), another
 * as its own failure.
 */
function ownTry(
  envelope: PromiseSettledResult<number>,
  event: { eventId: string },
  now: number,
): PromiseSettledResult<number> {
  if (envelope.status === "fulfilled" || !(envelope.reason instanceof PartlyStoredError)) {
    return envelope;
  }
  return storedIdsOf(envelope.reason).has(event.eventId)
    ? { status: "fulfilled", value: now }
    : { status: "rejected", reason: envelope.reason.failure };
}

/** A failed publish: definitely not stored (no stream took it), or of unknown outcome (null). */
function failedAs(error: unknown): "not_stored" | null {
  return error instanceof PublishNotStoredError ? "not_stored" : null;
}
