import type { EventPublisher } from "@smsgw/service-kit";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { leftoverEntries, removeFromOutbox } from "../db/outbox.ts";
import type { EventStoreDb } from "../db/schema.ts";

const PAGE = 500;

/**
 * Before ADR 0009 status changes went out through an outbox table. An upgrade may find
 * rows an older version committed and never published: they go out once, at start-up,
 * before the consumer starts. Nothing writes the table any more.
 */
export async function drainLegacyOutbox(deps: {
  db: Kysely<EventStoreDb>;
  publisher: Pick<EventPublisher, "publishStatusChanges">;
  log: Logger;
}): Promise<number> {
  let total = 0;
  for (;;) {
    const entries = await leftoverEntries(deps.db, 0, PAGE);
    if (entries.length === 0) break;
    await deps.publisher.publishStatusChanges(entries.map((entry) => entry.change));
    await removeFromOutbox(
      deps.db,
      entries.map((entry) => entry.id),
    );
    total += entries.length;
  }
  if (total > 0) deps.log.info({ count: total }, "legacy outbox published at start-up");
  return total;
}
