import type { LogFilter } from "@smsgw/message-read-model";
import type { ExportQuery } from "./api-schemas.ts";

/** The read model's filter from a parsed search or export query: only the filters given. */
export function logFilterOf(query: ExportQuery): LogFilter {
  const filter: LogFilter = {};
  if (query.status) filter.status = query.status;
  if (query.to) filter.to = query.to;
  if (query.from) filter.from = query.from;
  if (query.since) filter.since = query.since;
  if (query.until) filter.until = query.until;
  return filter;
}
