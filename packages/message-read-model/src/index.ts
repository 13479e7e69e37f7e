export {
  type AccountLogReader,
  createAccountLogReader,
  type DayCount,
  type LogFilter,
  type LogPage,
  MAX_LOG_PAGE,
  type MessageDetail,
} from "./account-log.ts";
export { InvalidCursorError } from "./errors.ts";
export {
  createMessageReader,
  type EventPage,
  MAX_PAGE_SIZE,
  type MessageReader,
  type TrailEvent,
} from "./message-reader.ts";
export type { MessageRow, PartOutcome } from "./message-row.ts";
export {
  type MessageView,
  type PublicPartOutcome,
  publicPartOutcomes,
  statusTimesOfRow,
} from "./message-view.ts";
