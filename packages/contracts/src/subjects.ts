import type { MessageEventType } from "./events.ts";

/**
 * Subject and stream names. Everything hangs off one prefix so a test run or a second
 * stack on the same NATS isolates itself by choosing its own prefix.
 *
 *   <p>.evt.<kind>[.<carrier>]  message events (the audit trail), stream <P>_EVENTS
 *   <p>.evt.batch               several events in one publish (EventBatch), same stream
 *   <p>.submit.<carrier>        work for a carrier's connector, not logged (ADR 0009)
 *   <p>.routing.held            copies of scheduled messages an older routing held apart;
 *                               no longer published, drained by routing (ADR 0027)
 *   <p>.status.changed          derived status changes (for webhooks), same stream
 *   <p>.status.balance_low      an account's balance fell below its threshold (for webhooks)
 *   <p>.inbound.received        inbound (MO) messages from carriers, same stream
 *   <p>.rpc.<service>.<verb>    request/reply, never stored
 */
export interface Subjects {
  readonly prefix: string;
  readonly stream: string;
  readonly streamSubjects: string[];
  readonly allEvents: string;
  /** Routed events of every carrier (each carrier's are `event("MessageRouted", id)`). */
  readonly routedAll: string;
  /** Batches of events only the event store reads (`EventBatch`): `<p>.evt.batch`. */
  readonly eventBatch: string;
  /** Submit work items of every carrier: `<p>.submit.>` (not logged). */
  readonly submitAll: string;
  /** A carrier's submit work items: `<p>.submit.<carrier>`. */
  submit(carrierId: string): string;
  /**
   * Routing's held copies of before ADR 0027 (a scheduled message it found in an envelope,
   * held here alone). No longer published: routing drains what is left into its schedule's
   * table. Not an acceptance (nothing logs, charges or counts it as backlog), so outside
   * `<p>.evt.>`.
   */
  readonly routingHeld: string;
  readonly statusChanged: string;
  /** pricing: an account's balance crossed below its threshold (`AccountBalanceLow`). */
  readonly balanceLow: string;
  /** The event store erased messages' text and number (`MessagesErased`, ADR 0021). */
  readonly messagesErased: string;
  /** The operator erased one number across accounts (`NumberErased`, a digest of it). */
  readonly numberErased: string;
  readonly authorize: string;
  /** pricing: several authorize requests in one (`AuthorizeBatchRequest`), request/reply. */
  readonly authorizeBatch: string;
  /** pricing: an account's balance (request/reply). */
  readonly balance: string;
  /** pricing: the price of one part to a destination for an account (request/reply). */
  readonly price: string;
  /** pricing: add an API key to an account (`CreateApiKeyRequest`), request/reply. */
  readonly createApiKey: string;
  /** pricing: remove an account's API key (`RevokeApiKeyRequest`), request/reply. */
  readonly revokeApiKey: string;
  /** pricing: an account's sub-accounts (`SubaccountRequest`), request/reply. */
  readonly subaccounts: string;
  /** dlr-dispatcher: one signed test report to an account's default callback URL (webhook-test.ts). */
  readonly testWebhook: string;
  /** Inbound (MO) messages a carrier delivered to us: `<p>.inbound.received`. */
  readonly inboundReceived: string;
  /** Inbound messages of an account for its webhook (`InboundDelivery`): `<p>.inbound.deliver`. */
  readonly inboundDeliver: string;
  /** inbound: the /v1/numbers and /v1/inbound requests ingress forwards (request/reply). */
  readonly inboundApi: string;
  /** event store: erase one message's text and number (`RedactRequest`), request/reply. */
  readonly redactMessage: string;
  /** routing: cancel one scheduled message before its sendAt (`CancelRequest`), request/reply. */
  readonly cancelScheduled: string;
  readonly accountsBucket: string;
  /** The accounts' webhook signing secrets (WebhookSecretsRecord): pricing writes, the dispatcher reads. */
  readonly webhookSecretsBucket: string;
  /** The inbound service keeps each account's opted-out numbers here (`OptOutRecord`). */
  readonly optOutsBucket: string;
  /** The inbound service keeps who holds each number here (`OwnedNumberRecord`). */
  readonly numbersBucket: string;
  /** The inbound service keeps each account's approved sender IDs here (`SenderIdRecord`). */
  readonly senderIdsBucket: string;
  /** The event store publishes the accounts' retention here (`RetentionPolicy`, one key). */
  readonly retentionBucket: string;
  /** routing publishes the routable prefixes and sender rules here (key "rules"). */
  readonly routingBucket: string;
  /** the connector publishes each carrier's health here (key `<carrierId>.<replica>`). */
  readonly carrierHealthBucket: string;
  event(type: MessageEventType, carrierId?: string): string;
}

const EVENT_TOKEN: Record<MessageEventType, string> = {
  MessageAccepted: "accepted",
  MessageCharged: "charged",
  MessageRouted: "routed",
  MessageFailed: "failed",
  MessageSubmitted: "submitted",
  SubmitFailed: "submit_failed",
  ReceiptReceived: "receipt",
  WebhookAttempted: "webhook",
  MessageRefunded: "refunded",
  ValidityExpired: "expired",
};

const PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * The event store's durable on every `<p>.evt.>` event: its ack floor is how far the record
 * of messages is complete, which pricing's sweep waits for before it settles charges (ADR 0024).
 */
export const EVENT_STORE_DURABLE = "event-store";

export function subjects(prefix = "sms"): Subjects {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(`invalid subject prefix "${prefix}": lower-case letters, digits, _`);
  }
  return {
    prefix,
    stream: `${prefix.toUpperCase()}_EVENTS`,
    streamSubjects: [
      `${prefix}.evt.>`,
      `${prefix}.status.>`,
      `${prefix}.inbound.>`,
      `${prefix}.submit.>`,
      `${prefix}.routing.>`,
    ],
    allEvents: `${prefix}.evt.>`,
    routedAll: `${prefix}.evt.routed.>`,
    eventBatch: `${prefix}.evt.batch`,
    submitAll: `${prefix}.submit.>`,
    submit(carrierId) {
      if (!CARRIER_ID_PATTERN.test(carrierId)) throw new Error(`invalid carrier id "${carrierId}"`);
      return `${prefix}.submit.${carrierId}`;
    },
    routingHeld: `${prefix}.routing.held`,
    statusChanged: `${prefix}.status.changed`,
    balanceLow: `${prefix}.status.balance_low`,
    messagesErased: `${prefix}.status.erased`,
    numberErased: `${prefix}.status.number_erased`,
    authorize: `${prefix}.rpc.pricing.authorize`,
    authorizeBatch: `${prefix}.rpc.pricing.authorize_batch`,
    balance: `${prefix}.rpc.pricing.balance`,
    price: `${prefix}.rpc.pricing.price`,
    createApiKey: `${prefix}.rpc.pricing.keys.create`,
    revokeApiKey: `${prefix}.rpc.pricing.keys.revoke`,
    /** `/v1/subaccounts` (issue 22): create, list, transfer (contracts subaccounts.ts). */
    subaccounts: `${prefix}.rpc.pricing.subaccounts`,
    testWebhook: `${prefix}.rpc.dispatcher.test_webhook`,
    inboundReceived: `${prefix}.inbound.received`,
    inboundDeliver: `${prefix}.inbound.deliver`,
    inboundApi: `${prefix}.rpc.inbound.api`,
    redactMessage: `${prefix}.rpc.event_store.redact`,
    cancelScheduled: `${prefix}.rpc.routing.cancel`,
    accountsBucket: `${prefix}_accounts`,
    webhookSecretsBucket: `${prefix}_webhook_secrets`,
    optOutsBucket: `${prefix}_opt_outs`,
    numbersBucket: `${prefix}_numbers`,
    senderIdsBucket: `${prefix}_sender_ids`,
    retentionBucket: `${prefix}_retention`,
    routingBucket: `${prefix}_routing`,
    carrierHealthBucket: `${prefix}_carrier_health`,
    event(type, carrierId) {
      const base = `${prefix}.evt.${EVENT_TOKEN[type]}`;
      if (type !== "MessageRouted") return base;
      if (!carrierId) throw new Error("a routed event's subject names its carrier");
      return `${base}.${carrierId}`;
    },
  };
}

/** Carrier ids become subject tokens: keep them to this shape. */
export const CARRIER_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
