import type { InboundDelivery, InboundMessageReceived } from "@smsgw/contracts";
import type { Delivery, Logger } from "@smsgw/service-kit";
import type { GroupTransaction, InboundMessage, MessageStore } from "../db/messages-store.ts";
import type { NumberStore } from "../db/numbers-store.ts";
import {
  inboundIdOf,
  type JoinedMessage,
  joinParts,
  partGroupKey,
  type StoredPart,
  settleGroup,
  supersedes,
} from "../domain/concat.ts";
import { isLatestKeyword, optOutChangeOf } from "../domain/opt-outs.ts";
import { type InboundRoute, ownerAtArrival, routeInbound } from "../domain/routing.ts";
import { inboundMessages } from "../metrics.ts";
import type { OptOutStore } from "./opt-out-store.ts";

export interface ReceivedDeps {
  messages: MessageStore;
  numbers: Pick<NumberStore, "find">;
  /** The accounts' opt-out lists (STOP / START keywords). */
  optOuts: Pick<OptOutStore, "add" | "remove">;
  /**
   * Publishes with Nats-Msg-Id `<id>:deliver`; resolves once JetStream stored it, with the
   * stream sequence of that copy (the PubAck's; a repeat within the de-duplication window
   * answers the first copy's).
   */
  publish(delivery: InboundDelivery): Promise<number>;
  /** How long the parts of a concatenated MO wait for their siblings. */
  concatTimeoutMs: number;
  log: Logger;
  now(): Date;
}

/** Where a group's parts came from and went to: the same for every part of it. */
type Addressing = Pick<InboundMessageReceived, "carrierId" | "from" | "to">;

/** A stream copy of a stored message learned after it was stored (`noteStreamCopies`). */
export interface LateCopy {
  id: string;
  seq: number;
  /** The copy is the message's InboundDelivery (its PubAck came): the message is published. */
  delivery: boolean;
}

/**
 * The consumer of `<p>.inbound.received`: a lone MO is routed at once; a part is stored and,
 * when it completes its group, the parts are joined and routed. Routing stores the message
 * (the account's, or the operator's when nobody owns the number) and, for an account, then
 * publishes its webhook delivery; the event is acked after that. A re-run finds the message
 * stored (same id) and publishes again under the same Nats-Msg-Id: nothing twice, nothing lost.
 *
 * Each stream copy is noted where it is handled (ADR 0021, amendment 4): the event's with the
 * message or part stored, the deliveries' (and an erased message's redelivered event) in one
 * statement for the batch, before the acks.
 */
export function handleReceived(deps: ReceivedDeps) {
  const settle = settler(deps);
  return async (batch: Delivery<InboundMessageReceived>[]): Promise<undefined> => {
    const late: LateCopy[] = [];
    for (const { value: mo, seq } of batch) {
      if (!mo.part) {
        const joined: JoinedMessage = {
          id: inboundIdOf(mo.inboundId),
          text: mo.text,
          parts: 1,
          receivedAt: mo.receivedAt,
          streamSeqs: [seq],
        };
        const route = await routeAndRecord(deps, mo, joined, (message) =>
          deps.messages.record(message),
        );
        late.push(...(await deliver(deps, route, seq)));
        continue;
      }
      const part: StoredPart = {
        moId: mo.inboundId,
        seq: mo.part.seq,
        total: mo.part.total,
        text: mo.text,
        // As the store answers it: the group's earliest part is found by comparing these.
        receivedAt: new Date(mo.receivedAt).toISOString(),
        streamSeq: seq,
        dataCoding: mo.dataCoding,
        octets: mo.octets === undefined ? null : Buffer.from(mo.octets, "base64"),
      };
      late.push(...(await settle(partGroupKey({ ...mo, part: mo.part }), mo, part)));
    }
    await deps.messages.noteStreamCopies(late);
    return undefined;
  };
}

/**
 * Joins a group when it is complete or overdue (taking `part` in first, if any), in one
 * transaction under the group's lock; delivers what it routed to an account. Answers the
 * stream copies learned (`deliver`), for the caller to note.
 */
export function settler(deps: ReceivedDeps) {
  return async (
    groupKey: string,
    addressing: Addressing,
    part?: StoredPart,
  ): Promise<LateCopy[]> => {
    const routes = await deps.messages.withGroup(groupKey, async (tx: GroupTransaction) => {
      // A part whose message was joined already (its event redelivered after a crash before
      // the ack): that message is delivered again, as stored, under the same ids.
      const joinedBefore = part ? await tx.joinedMessageOf(part.moId) : undefined;
      if (joinedBefore) return [await routeStored(deps, joinedBefore)];
      const settled: InboundRoute[] = [];
      let waiting: StoredPart[];
      if (part) {
        // A new message under a waiting group's key: the waiting parts are joined as they
        // are, as the overdue sweep would join them, and this part starts a group of its own.
        const before = await tx.waitingParts(groupKey);
        const superseded = supersedes(part, before);
        if (superseded) {
          const ids = before.map((p) => p.moId);
          settled.push(
            await routeAndRecord(deps, addressing, joinParts(before), (m) => tx.record(m, ids)),
          );
        }
        // The group is locked: what waits now is what waited, and the part if it was added.
        const still = superseded ? [] : before;
        waiting = (await tx.addPart(groupKey, part)) ? [...still, part] : still;
      } else {
        waiting = await tx.waitingParts(groupKey);
      }
      const joined = settleGroup(waiting, deps.now(), deps.concatTimeoutMs);
      if (joined) {
        const ids = waiting.map((p) => p.moId);
        settled.push(
          await routeAndRecord(deps, addressing, joined, (message) => tx.record(message, ids)),
        );
      }
      return settled;
    });
    const late: LateCopy[] = [];
    for (const [index, route] of routes.entries()) {
      // The part's own stream copy goes with the message it is in (the last one settled).
      const copy = index === routes.length - 1 ? (part?.streamSeq ?? null) : null;
      late.push(...(await deliver(deps, route, copy)));
    }
    return late;
  };
}

/**
 * Delivers again an account's message stored a while ago whose delivery no PubAck confirmed
 * (the sweep's `unpublished`): its publish failed, or the process died, after the commit, and
 * no redelivered event brings it back (joined by the sweep, or superseded by a new message
 * under its reference). The same route, keyword and Nats-Msg-Id as the first run: a repeat is
 * harmless. Answers the copies to note, as `settler` does.
 */
export function republisher(deps: ReceivedDeps) {
  return async (stored: InboundMessage): Promise<LateCopy[]> =>
    deliver(deps, await routeStored(deps, stored), null);
}

/**
 * Stores the message for the number's holder now (or the operator), then routes it as it was
 * stored: a re-run after the number changed hands delivers it to the account it arrived for.
 */
async function routeAndRecord(
  deps: ReceivedDeps,
  addressing: Addressing,
  joined: Omit<JoinedMessage, "text"> & { text: string | null },
  record: (message: InboundMessage) => Promise<InboundMessage>,
): Promise<InboundRoute> {
  const owner = await deps.numbers.find(addressing.to);
  const stored = await record({
    ...joined,
    accountId: owner?.accountId ?? null,
    carrierId: addressing.carrierId,
    from: addressing.from,
    to: addressing.to,
  });
  return routeInbound(stored, ownerAtArrival(stored.accountId, owner));
}

/**
 * A message stored before this run, routed for the account it was stored for (its own
 * `accountId`), whoever holds its number now: the number's inboundUrl only while that account
 * still holds it. Nobody's message (null) stays the operator's.
 */
async function routeStored(deps: ReceivedDeps, stored: InboundMessage): Promise<InboundRoute> {
  const ownerNow = stored.accountId === null ? undefined : await deps.numbers.find(stored.to);
  return routeInbound(stored, ownerAtArrival(stored.accountId, ownerNow));
}

/**
 * An account's message: a STOP or START keyword first changes the sender's place on the
 * account's opt-out list (idempotent, so a re-run changes nothing more), then the message
 * goes to the webhook like any other. Answers the copies to note: the delivery's, or, for a
 * message erased before its event came again, that event's (`eventSeq`).
 */
async function deliver(
  deps: ReceivedDeps,
  route: InboundRoute,
  eventSeq: number | null,
): Promise<LateCopy[]> {
  if (route.kind === "erased") {
    return eventSeq === null ? [] : [{ id: route.id, seq: eventSeq, delivery: false }];
  }
  inboundMessages.inc({ owner: route.kind });
  if (route.kind !== "owned") {
    deps.log.info("inbound message to a number nobody owns; kept for the operator");
    return [];
  }
  const { accountId, from, text, id, receivedAt } = route.delivery;
  const change = optOutChangeOf(text);
  // Sends are checked against E.164 destinations: only such a sender can be opted out.
  if (change && from.startsWith("+")) {
    await deps.messages.withSenderKeywords(accountId, from, receivedAt, async (later) => {
      // A STOP that came after this START (or the other way) decides: this one, handled late
      // (redelivered, republished, or on another replica at the same moment), changes nothing.
      if (!isLatestKeyword({ id, receivedAt }, later)) {
        deps.log.info({ accountId, id }, "a keyword older than the sender's latest; not applied");
        return;
      }
      if (change === "stop")
        await deps.optOuts.add(accountId, from, text.trim().toUpperCase(), deps.now());
      else await deps.optOuts.remove(accountId, from);
    });
  }
  const seq = await deps.publish(route.delivery);
  return [{ id: route.delivery.id, seq, delivery: true }];
}
