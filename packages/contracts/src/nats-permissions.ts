import { consoleRpcSubjects } from "./console-rpc.ts";
import { EVENT_STORE_DURABLE, subjects as subjectsFor } from "./subjects.ts";

/**
 * Who may do what on NATS: one user per service, each allowed to publish and subscribe only
 * the subjects it uses (ADR 0015, docs/security.md). The one source of truth: the nats-server
 * authorization block (deploy/nats/auth.conf, k8s/base/nats/auth.conf) is rendered from it
 * by `node scripts/nats-auth.ts --write`, a manifest test checks those files byte for byte,
 * and an end-to-end test runs every service against a nats-server with it.
 *
 * What the grants rest on:
 * - replies: each user subscribes to its own `_INBOX.<user>.>` only (the service kit sets
 *   that inbox prefix from NATS_USER), so nobody reads another's replies, pulls or KV watches;
 *   a responder answers through `allow_responses` (only to requests it received).
 * - JetStream: the API subjects of the event stream and of each durable the service pulls
 *   (`$JS.API.CONSUMER.*.<stream>.<durable>`, acks on `$JS.ACK.<stream>.<durable>.>`).
 * - KV: reading bucket B is its stream `KV_B`'s info, direct and message gets and the ordered
 *   consumer a watch creates; writing it is also publishing `$KV.B.>`. Only pricing writes
 *   the accounts bucket (token hashes, webhook secrets); only ingress, the dispatcher and the
 *   SMPP server read it.
 * - the inbound service's API requests (`<p>.rpc.inbound.api`) come from ingress and the console,
 *   each on behalf of an account it authenticated itself.
 * - pricing's console requests (`<p>.rpc.pricing.console.>`: sign-up, token and secret
 *   rotation, which answer with the new secret) may be sent by the console user only.
 */
export const NATS_USERS = [
  "ingress",
  "pricing",
  "routing",
  "carrier-connector",
  "event-store",
  "dlr-dispatcher",
  "console",
  // services/smpp-server (issue 19): ingress's acceptance over SMPP plus
  // its own receipts durable. Extend here when it gains a subject.
  "smpp-server",
  // services/inbound (issue 18): numbers and inbound messages; MO from the connector, its
  // deliveries to the dispatcher, and ingress's /v1/numbers and /v1/inbound requests.
  "inbound",
] as const;
export type NatsUser = (typeof NATS_USERS)[number];

export interface NatsGrant {
  /** Subjects the user may publish to (requests and JetStream API calls included). */
  publish: string[];
  /**
   * Subjects it may not publish to although `publish` matches them: where a grant must be a
   * wildcard (a durable name is one subject token), the other services' durables are taken
   * back out of it. nats-server's deny wins over allow.
   */
  denyPublish: string[];
  /** Subjects the user may subscribe to. */
  subscribe: string[];
  /** May answer the requests it receives (nats-server `allow_responses`). */
  respond: boolean;
}

/** The environment variable holding a user's password (nats-server reads it, and so does the service). */
export const natsPasswordVariable = (user: string) =>
  `SMSGW_NATS_PASSWORD_${user.toUpperCase().replace(/-/g, "_")}`;

/** The operator's user (the `nats` CLI in the runbook): every subject. Not a service's. */
export const NATS_OPERATOR_USER = "operator";

/** Pricing's durables of versions before ADR 0024's settlement, which it deletes. */
const RETIRED_PRICING_DURABLES = ["pricing-accepted", "pricing-acceptance-log"];

export function natsPermissions(prefix = "sms"): Record<NatsUser, NatsGrant> {
  const s = subjectsFor(prefix);
  const consoleRpc = consoleRpcSubjects(prefix);
  const S = s.stream;
  const api = "$JS.API";

  /**
   * Every service makes sure the event stream exists at start (service kit openMessaging);
   * only the event store, which owns the log, may change its configuration (`streamUpdate`).
   */
  const stream = [`${api}.INFO`, `${api}.STREAM.INFO.${S}`, `${api}.STREAM.CREATE.${S}`];
  const streamUpdate = `${api}.STREAM.UPDATE.${S}`;
  /** Every durable a service is granted by name: the connector's wildcards leave them out. */
  const named = new Set<string>();
  /** A durable's API subjects: create (with its filter in the subject), info, pull, acks. */
  const durableApi = (name: string) => [
    `${api}.CONSUMER.INFO.${S}.${name}`,
    `${api}.CONSUMER.CREATE.${S}.${name}.>`,
    `${api}.CONSUMER.MSG.NEXT.${S}.${name}`,
    `$JS.ACK.${S}.${name}.>`,
  ];
  /** A durable pull consumer the service creates, updates, watches and pulls, and its acks. */
  const durable = (name: string) => {
    named.add(name);
    return [
      ...durableApi(name),
      `${api}.CONSUMER.CREATE.${S}.${name}`,
      `${api}.CONSUMER.DURABLE.CREATE.${S}.${name}`,
    ];
  };
  /** Opening (creating when missing), reading and watching a KV bucket. */
  const readBucket = (bucket: string) => [
    `${api}.STREAM.INFO.KV_${bucket}`,
    `${api}.STREAM.CREATE.KV_${bucket}`,
    `${api}.STREAM.MSG.GET.KV_${bucket}`,
    `${api}.DIRECT.GET.KV_${bucket}`,
    `${api}.DIRECT.GET.KV_${bucket}.>`,
    `${api}.CONSUMER.CREATE.KV_${bucket}`,
    `${api}.CONSUMER.CREATE.KV_${bucket}.>`,
    `${api}.CONSUMER.DELETE.KV_${bucket}.>`,
    `${api}.CONSUMER.INFO.KV_${bucket}.>`,
    `$JS.FC.KV_${bucket}.>`,
  ];
  /** Reading it, and putting, updating and deleting its keys; growing its replicas. */
  const writeBucket = (bucket: string) => [
    ...readBucket(bucket),
    `${api}.STREAM.UPDATE.KV_${bucket}`,
    `$KV.${bucket}.>`,
  ];
  const inbox = (user: NatsUser) => `_INBOX.${user}.>`;
  const grant = (
    user: NatsUser,
    publish: string[],
    subscribe: string[] = [],
    respond = false,
  ): NatsGrant => ({
    publish: [...new Set(publish)],
    denyPublish: [],
    subscribe: [inbox(user), ...subscribe],
    respond,
  });

  /** What ingress and the SMPP server share: accepting a message (ADR 0009). */
  const acceptance = [
    ...stream,
    s.event("MessageAccepted"),
    s.authorize,
    s.authorizeBatch,
    ...readBucket(s.accountsBucket),
    ...readBucket(s.routingBucket),
    ...readBucket(s.optOutsBucket),
    ...readBucket(s.numbersBucket),
    ...readBucket(s.senderIdsBucket),
  ];

  // Admission control's backlog probe, at every door: the durables on the delivery path and
  // the oldest message each has not delivered yet (@smsgw/message-acceptance
  // admission/backlog-probe.ts).
  const backlogProbe = [`${api}.CONSUMER.LIST.${S}`, `${api}.STREAM.MSG.GET.${S}`];
  // The stream eraser (ADR 0021), in the event store (sent messages) and the inbound service
  // (MO): a queued copy's subject, every consumer's ack floor, and the delete (with erase)
  // once they are all past it.
  const streamEraser = [
    `${api}.STREAM.MSG.GET.${S}`,
    `${api}.STREAM.MSG.DELETE.${S}`,
    `${api}.CONSUMER.LIST.${S}`,
  ];

  for (const name of RETIRED_PRICING_DURABLES) named.add(name);
  const grants: Record<NatsUser, NatsGrant> = {
    ingress: grant("ingress", [
      ...acceptance,
      s.balance,
      s.price,
      s.inboundApi,
      // POST /v1/messages/{id}/redact: the event store erases (ADR 0021).
      s.redactMessage,
      // POST /v1/messages/{id}/cancel: routing cancels a scheduled message (ADR 0030).
      s.cancelScheduled,
      // POST and DELETE /v1/keys: ingress makes the secret and sends only its digest.
      s.createApiKey,
      s.revokeApiKey,
      // /v1/subaccounts: pricing creates, lists and funds an account's sub-accounts.
      s.subaccounts,
      ...backlogProbe,
    ]),
    pricing: grant(
      "pricing",
      [
        ...stream,
        // The durables of versions before, deleted at start and at every sweep
        // (handlers/refunds.ts).
        ...RETIRED_PRICING_DURABLES.map((name) => `${api}.CONSUMER.DELETE.${S}.${name}`),
        // The sweep settles charges once the event store's record is complete past their
        // publishBy (ADR 0024): the event store's durable's state and its ack floor's time.
        `${api}.CONSUMER.INFO.${S}.${EVENT_STORE_DURABLE}`,
        `${api}.STREAM.MSG.GET.${S}`,
        ...durable("pricing-failed"),
        s.event("MessageRefunded"),
        // A charge that takes a balance below its threshold (via the outbox, ADR 0020).
        s.balanceLow,
        ...writeBucket(s.accountsBucket),
        ...writeBucket(s.webhookSecretsBucket),
      ],
      // authorize, authorize_batch, balance, price and the console's requests.
      [`${prefix}.rpc.pricing.>`],
      true,
    ),
    routing: grant(
      "routing",
      [
        ...stream,
        ...durable("routing-accepted"),
        ...durable("routing-submit-failed"),
        // Copies an older routing held apart on its own subject (`<p>.routing.held`): read
        // after an upgrade into the schedule's table, no longer published (ADR 0027). Never
        // the doors' accepted subject (an accepted event is a charged message).
        ...durable("routing-held"),
        `${prefix}.submit.*`,
        s.event("MessageFailed"),
        ...writeBucket(`${prefix}_routes`),
        ...writeBucket(s.routingBucket),
        ...readBucket(s.carrierHealthBucket),
      ],
      // Cancel requests from ingress, the SMPP server and the console (ADR 0030).
      [s.cancelScheduled],
      true,
    ),
    "carrier-connector": grant("carrier-connector", [
      ...stream,
      // One durable per carrier (`connector-submit-<carrier>`, and the routed durables of
      // before ADR 0009 it drains): a durable name is one subject token, so any name on the
      // event stream but the other services' (denied below); created only with a submit
      // subject (or an old routed one) as its filter, which the create subject carries.
      `${api}.CONSUMER.LIST.${S}`,
      `${api}.CONSUMER.INFO.${S}.*`,
      `${api}.CONSUMER.CREATE.${S}.*.${prefix}.submit.*`,
      `${api}.CONSUMER.CREATE.${S}.*.${prefix}.evt.routed.>`,
      `${api}.CONSUMER.MSG.NEXT.${S}.*`,
      `$JS.ACK.${S}.*.>`,
      s.eventBatch,
      s.event("MessageSubmitted"),
      s.event("ReceiptReceived"),
      s.event("SubmitFailed"),
      s.event("ValidityExpired"),
      s.inboundReceived,
      ...writeBucket(s.carrierHealthBucket),
      ...writeBucket(`${prefix}_connector_leases`),
    ]),
    "event-store": grant(
      "event-store",
      [
        ...stream,
        streamUpdate,
        ...durable(EVENT_STORE_DURABLE),
        s.statusChanged,
        s.messagesErased,
        ...streamEraser,
        // The CLI's erase-number tells the inbound service (ADR 0021, amendment 2).
        s.numberErased,
        // The accounts' retention, which the inbound service applies to its MO too.
        ...writeBucket(s.retentionBucket),
      ],
      // Erasure requests from ingress (ADR 0021).
      [s.redactMessage],
      true,
    ),
    "dlr-dispatcher": grant(
      "dlr-dispatcher",
      [
        ...stream,
        ...durable("dlr-dispatcher"),
        ...durable("dlr-dispatcher-inbound"),
        // Balance webhooks: pricing's AccountBalanceLow (ADR 0020).
        ...durable("dlr-dispatcher-balance"),
        ...durable("dlr-dispatcher-erasures"),
        s.eventBatch,
        s.event("WebhookAttempted"),
        ...readBucket(s.accountsBucket),
        // The signing secrets: no other service's user may read them (ADR 0015).
        ...readBucket(s.webhookSecretsBucket),
      ],
      [s.testWebhook],
      true,
    ),
    // The console's numbers, inbound and opt-out pages ask the inbound service as ingress does.
    console: grant("console", [
      ...stream,
      ...Object.values(consoleRpc),
      s.testWebhook,
      s.inboundApi,
      // The message page's cancel of a scheduled message (ADR 0030).
      s.cancelScheduled,
    ]),
    "smpp-server": grant("smpp-server", [
      ...acceptance,
      ...backlogProbe,
      ...durable("smpp-server-receipts"),
      // Inbound messages of accounts with SMPP credentials, to go to their binds.
      ...durable("smpp-server-inbound"),
      ...durable("smpp-server-erasures"),
      // cancel_sm of a scheduled message (ADR 0030).
      s.cancelScheduled,
    ]),
    inbound: grant(
      "inbound",
      [
        ...stream,
        ...durable("inbound-received"),
        s.inboundDeliver,
        ...writeBucket(s.optOutsBucket),
        // Erase-number removes the delete markers a START left (their keys hold the number).
        `${api}.STREAM.PURGE.KV_${s.optOutsBucket}`,
        ...writeBucket(s.numbersBucket),
        ...writeBucket(s.senderIdsBucket),
        // Erasure of MO: the event store's retention, and the operator's erase-number.
        ...readBucket(s.retentionBucket),
        ...durable("inbound-number-erasures"),
        // The erased MO's in_ ids, for the dispatcher's and SMPP server's waiting copies.
        s.messagesErased,
        // Their copies in the stream (ADR 0021, amendment 4).
        ...streamEraser,
      ],
      [s.inboundApi],
      true,
    ),
  };
  // The connector's durable wildcards, less every durable another service is granted by name:
  // it may not read, pull, ack or re-create (with another filter) the event store's, routing's…
  grants["carrier-connector"].denyPublish = [...named].sort().flatMap(durableApi);
  return grants;
}

/**
 * The nats-server `authorization` block for these grants: one user per service plus the
 * operator, each password taken from the server's environment (`$SMSGW_NATS_PASSWORD_<USER>`),
 * never written in the file. Included by the server's configuration (`include auth.conf`).
 */
export function natsAuthorizationConfig(prefix = "sms"): string {
  const grants = natsPermissions(prefix);
  const list = (items: string[]) => items.map((item) => `          ${JSON.stringify(item)}`);
  const users = NATS_USERS.map((user) => {
    const grant = grants[user];
    return [
      "    {",
      `      user: ${JSON.stringify(user)}`,
      `      password: $${natsPasswordVariable(user)}`,
      "      permissions: {",
      "        publish: {",
      "          allow: [",
      ...list(grant.publish).map((line) => `  ${line}`),
      "          ]",
      ...(grant.denyPublish.length > 0
        ? [
            "          deny: [",
            ...list(grant.denyPublish).map((line) => `  ${line}`),
            "          ]",
          ]
        : []),
      "        }",
      "        subscribe: {",
      "          allow: [",
      ...list(grant.subscribe).map((line) => `  ${line}`),
      "          ]",
      "        }",
      ...(grant.respond ? ["        allow_responses: true"] : []),
      "      }",
      "    }",
    ].join("\n");
  });
  const operator = [
    "    {",
    `      user: ${JSON.stringify(NATS_OPERATOR_USER)}`,
    `      password: $${natsPasswordVariable(NATS_OPERATOR_USER)}`,
    "    }",
  ].join("\n");
  return `# GENERATED from packages/contracts/src/nats-permissions.ts by
# \`node scripts/nats-auth.ts --write\`: do not edit; change the grants there and write this
# again (test/manifests checks it byte for byte). Subject prefix "${prefix}".
# Passwords come from the server's environment, one variable per user (docs/security.md).
authorization {
  users: [
${[...users, operator].join("\n")}
  ]
}
`;
}
