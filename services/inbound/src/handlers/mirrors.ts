import type { KV } from "@nats-io/kv";
import { OwnedNumberRecord, ownedNumberKey, SenderIdRecord, senderIdKey } from "@smsgw/contracts";
import type { Logger } from "@smsgw/service-kit";
import { createKvMirror } from "./kv-mirror.ts";

/** `<p>_numbers`: who holds each number (a numeric sender the account holds is valid). */
export const heldNumbersMirror = (kv: KV, log: Logger) =>
  createKvMirror<OwnedNumberRecord>({
    kv,
    schema: OwnedNumberRecord,
    keyOf: (hold) => ownedNumberKey(hold.number),
    same: (a, b) => a.accountId === b.accountId && a.number === b.number,
    log,
    what: "numbers",
  });

/** `<p>_sender_ids`: each account's approved sender IDs (the registry the doors check). */
export const senderIdsMirror = (kv: KV, log: Logger) =>
  createKvMirror<SenderIdRecord>({
    kv,
    schema: SenderIdRecord,
    keyOf: (record) => senderIdKey(record.accountId, record.sender),
    same: (a, b) => a.approvedAt === b.approvedAt,
    log,
    what: "sender IDs",
  });
