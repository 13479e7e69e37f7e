import {
  InboundApiRequest,
  type InboundApiResponse,
  inboundView,
  type OwnedNumberRecord,
  ownedNumberKey,
  type SenderIdRecord,
  senderIdKey,
} from "@smsgw/contracts";
import { type Database, errorMessage, type Logger, type Nats } from "@smsgw/service-kit";
import { listAudit, UNSAID } from "../db/audit.ts";
import type { MessageStore } from "../db/messages-store.ts";
import type { NumberStore } from "../db/numbers-store.ts";
import type { SenderIdStore } from "../db/sender-ids-store.ts";
import {
  decodeCursor,
  decodeOptOutCursor,
  encodeCursor,
  encodeOptOutCursor,
} from "../domain/cursor.ts";

import { noNumberMessage, numberResource } from "../domain/numbers.ts";
import { optOutPage } from "../domain/opt-outs.ts";
import { readSenderIdRequest, senderIdResource } from "../domain/sender-ids.ts";
import { inboundApiRequests } from "../metrics.ts";
import type { KvMirror } from "./kv-mirror.ts";
import type { OptOutStore } from "./opt-out-store.ts";

export interface ApiDeps {
  numbers: NumberStore;
  messages: MessageStore;
  optOuts: OptOutStore;
  /** Who holds which number, for the doors' sender rules: written after each take and release. */
  heldNumbers: Pick<KvMirror<OwnedNumberRecord>, "put" | "remove">;
  senderIds: SenderIdStore;
  /** The approved sender IDs the doors check: a withdrawn one is deleted at once. */
  approvedSenderIds: Pick<KvMirror<SenderIdRecord>, "remove">;
  /** The schema's connection: the audit log is read straight (db/audit.ts). */
  sql: Database<unknown>["sql"];
  now(): Date;
}

const answer = (httpStatus: number, body: unknown): InboundApiResponse => ({ httpStatus, body });
const fail = (httpStatus: number, status: string, message: string) =>
  answer(httpStatus, { status, message });
const NUMBER_NOT_FOUND = fail(404, "not_found", "no such number on this account");

/**
 * The answers to `/v1/numbers` and `/v1/inbound` (api.md section 5) for an account ingress
 * authenticated. Another account's number or message is not found (404), never forbidden.
 */
export async function answerApi(
  deps: ApiDeps,
  request: InboundApiRequest,
): Promise<InboundApiResponse> {
  const by = request.by ?? UNSAID;
  switch (request.op) {
    case "numbers.list": {
      const numbers = await deps.numbers.ownedBy(request.accountId);
      return answer(200, { numbers: numbers.map(numberResource) });
    }
    case "numbers.take": {
      const wish = { country: request.country, number: request.number, test: request.test };
      const now = deps.now();
      const taken = await deps.numbers.take(
        request.accountId,
        wish,
        now,
        by,
        request.requestKey ?? null,
      );
      if (!taken) {
        // A test account asking for a real number is told it gets simulator numbers only.
        const resting =
          wish.number === undefined || wish.test
            ? null
            : await deps.numbers.restingUntil(wish.number, now);
        return fail(422, "no_number_available", noNumberMessage(wish, resting));
      }
      await deps.heldNumbers.put({ number: taken.number, accountId: request.accountId });
      return answer(201, numberResource(taken));
    }
    case "numbers.update": {
      const updated = await deps.numbers.setInboundUrl(
        request.accountId,
        request.number,
        request.inboundUrl,
        by,
      );
      return updated ? answer(200, numberResource(updated)) : NUMBER_NOT_FOUND;
    }
    case "numbers.release": {
      const released = await deps.numbers.release(
        request.accountId,
        request.number,
        deps.now(),
        by,
      );
      if (released) await deps.heldNumbers.remove(ownedNumberKey(request.number));
      return released ? answer(204, null) : NUMBER_NOT_FOUND;
    }
    case "inbound.list": {
      const cursor = request.cursor === undefined ? null : decodeCursor(request.cursor);
      if (request.cursor !== undefined && !cursor) {
        return fail(400, "invalid_params", "cursor is not a cursor this API handed out");
      }
      const rows = await deps.messages.list(request.accountId, cursor, request.limit);
      const page = rows.slice(0, request.limit);
      const last = page.at(-1);
      const nextCursor =
        rows.length > request.limit && last
          ? encodeCursor({ receivedAt: last.receivedAt, id: last.id })
          : null;
      return answer(200, { inbound: page.map(inboundView), nextCursor });
    }
    case "optOuts.list": {
      const cursor = request.cursor === undefined ? null : decodeOptOutCursor(request.cursor);
      if (request.cursor !== undefined && !cursor) {
        return fail(400, "invalid_params", "cursor is not a cursor this API handed out");
      }
      const all = await deps.optOuts.list(request.accountId);
      const { page, more } = optOutPage(all, cursor, request.limit ?? 1_000);
      const last = page.at(-1);
      const nextCursor =
        more && last ? encodeOptOutCursor({ since: last.since, revision: last.revision }) : null;
      return answer(200, { optOuts: page.map(optOutView), nextCursor });
    }
    case "optOuts.add": {
      const record = await deps.optOuts.add(request.accountId, request.number, "API", deps.now());
      return answer(201, optOutView(record));
    }
    case "optOuts.remove": {
      const removed = await deps.optOuts.remove(request.accountId, request.number);
      return removed ? answer(204, null) : fail(404, "not_found", "the number is not on the list");
    }
    case "senders.list": {
      const senders = await deps.senderIds.ofAccount(request.accountId);
      return answer(200, { senders: senders.map(senderIdResource) });
    }
    case "senders.request": {
      const sender = readSenderIdRequest(request.sender);
      if (!sender.ok) return fail(400, "invalid_params", sender.message);
      const now = deps.now();
      const registration = await deps.senderIds.request(request.accountId, sender.value, now, by);
      const created = registration.requestedAt.getTime() === now.getTime();
      return answer(created ? 201 : 200, senderIdResource(registration));
    }
    case "senders.withdraw": {
      const withdrawn = await deps.senderIds.withdraw(request.accountId, request.sender, by);
      if (!withdrawn) return fail(404, "not_found", "no such sender ID on this account");
      await deps.approvedSenderIds.remove(senderIdKey(request.accountId, request.sender));
      return answer(204, null);
    }
    case "audit.list": {
      const entries = await listAudit(deps.sql, request.accountId, request.limit);
      return answer(200, { entries });
    }
    case "inbound.get": {
      const message = await deps.messages.get(request.accountId, request.id);
      return message
        ? answer(200, inboundView(message))
        : fail(404, "not_found", "no such inbound message");
    }
  }
}

/** An opt-out as the account sees it. */
function optOutView(record: { number: string; since: string; source: string }) {
  return { number: record.number, since: record.since, source: record.source };
}

/** Answers ingress's requests on `subjects.inboundApi` (queue group "inbound"). */
export function startApiResponder(
  deps: ApiDeps & { nc: Nats["nc"]; subject: string; log: Logger },
): { stop(): Promise<void> } {
  const subscription = deps.nc.subscribe(deps.subject, {
    queue: "inbound",
    callback(error, msg) {
      if (error)
        return deps.log.warn({ err: errorMessage(error) }, "inbound API subscription error");
      const reply = (response: InboundApiResponse, op: string) => {
        inboundApiRequests.inc({ op, status: String(response.httpStatus) });
        try {
          msg.respond(JSON.stringify(response));
        } catch (e) {
          deps.log.warn({ err: errorMessage(e) }, "inbound API reply not sent");
        }
      };
      let parsed: ReturnType<typeof InboundApiRequest.safeParse>;
      try {
        parsed = InboundApiRequest.safeParse(msg.json());
      } catch {
        return reply(fail(400, "invalid_params", "the request is not JSON"), "invalid");
      }
      if (!parsed.success) {
        return reply(fail(400, "invalid_params", "the request is malformed"), "invalid");
      }
      const request = parsed.data;
      answerApi(deps, request).then(
        (response) => reply(response, request.op),
        (e: unknown) => {
          deps.log.error({ err: errorMessage(e), op: request.op }, "inbound API request failed");
          reply(fail(500, "server_error", "the request failed; try again"), request.op);
        },
      );
    },
  });
  return {
    async stop() {
      await subscription.drain().catch(() => undefined);
    },
  };
}
