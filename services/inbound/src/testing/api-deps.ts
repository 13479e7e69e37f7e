import type { Database } from "@smsgw/service-kit";
import { createMessageStore } from "../db/messages-store.ts";
import type { NumberStore } from "../db/numbers-store.ts";
import { createSenderIdStore } from "../db/sender-ids-store.ts";
import type { ApiDeps } from "../handlers/api.ts";

/**
 * The API's dependencies on a test database: the doors' buckets are no-ops and opt-outs are
 * absent (a KV list the tests of numbers and sender IDs do not touch).
 */
export function apiDepsOf(
  database: Database<unknown>,
  numbers: NumberStore,
  now: () => Date = () => new Date(),
): ApiDeps {
  const kvNoop = { put: async () => {}, remove: async () => {} };
  return {
    sql: database.sql,
    numbers,
    messages: createMessageStore(database),
    senderIds: createSenderIdStore(database),
    optOuts: {} as ApiDeps["optOuts"],
    heldNumbers: kvNoop,
    approvedSenderIds: kvNoop,
    now,
  };
}
