import type { AccountLogReader, LogFilter } from "./account-log.ts";
import type { MessageView } from "./message-view.ts";

/**
 * Every message of an account that matches the filter, newest first, one page (one short
 * query) at a time on the log's cursor: a consumer that stops pulling holds no connection
 * and no more than one page in memory, however many messages the account has. Not a
 * snapshot: a message accepted meanwhile is newer than the cursor and is not read; none
 * read is read twice.
 */
export async function* messagePages(
  reader: Pick<AccountLogReader, "listMessages">,
  accountId: string,
  filter: LogFilter,
  pageSize: number,
): AsyncGenerator<MessageView[]> {
  let after: string | undefined;
  for (;;) {
    const page = await reader.listMessages(accountId, filter, {
      ...(after ? { after } : {}),
      limit: pageSize,
    });
    if (page.messages.length > 0) yield page.messages;
    if (!page.nextCursor) return;
    after = page.nextCursor;
  }
}
