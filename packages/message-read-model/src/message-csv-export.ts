import { Readable } from "node:stream";
import type { AccountLogReader, LogFilter } from "./account-log.ts";
import { messageCsvChunks } from "./message-csv.ts";
import { messagePages } from "./message-pages.ts";

/** Rows the export reads per query: one page in memory, one short query at a time. */
export const EXPORT_PAGE = 1_000;

/**
 * An account's matching messages as a CSV stream (api.md section 5), for
 * `pipeline(stream, res)`. It reads a page only when the reader of the stream has taken the
 * last one (at most one chunk buffered ahead), and stops reading when the stream is
 * destroyed (the client went away), so a slow or vanished client costs one page of memory,
 * not the account's history. The first page is read before it resolves: a failing database
 * is an error the caller can still answer with a status, before any header is sent.
 */
export async function messageCsvExport(
  reader: Pick<AccountLogReader, "listMessages">,
  accountId: string,
  filter: LogFilter,
  pageSize = EXPORT_PAGE,
): Promise<Readable> {
  const pages = messagePages(reader, accountId, filter, pageSize);
  const first = await pages.next();
  async function* allPages() {
    if (!first.done) yield first.value;
    yield* pages;
  }
  return Readable.from(messageCsvChunks(allPages()), { highWaterMark: 1 });
}
