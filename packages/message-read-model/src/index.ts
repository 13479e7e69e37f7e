export { acceptedAmong } from "./accepted-messages.ts";
export {
  type AccountLogReader,
  createAccountLogReader,
  type DayCount,
  type LogFilter,
  type LogPage,
  MAX_LOG_PAGE,
  type MessageDetail,
} from "./account-log.ts";
export {
  type CancelOutcome,
  type CancelScheduledDeps,
  cancelScheduled,
  NOT_CANCELABLE,
  type NotCancelable,
} from "./cancel-scheduled.ts";
export { InvalidCursorError } from "./errors.ts";
export { laterAttemptsAmong } from "./later-attempts.ts";
export {
  csvField,
  MESSAGE_CSV_COLUMNS,
  MESSAGE_CSV_HEADER,
  messageCsvChunks,
  messageCsvFileName,
  messageCsvRecord,
} from "./message-csv.ts";
export { EXPORT_PAGE, messageCsvExport } from "./message-csv-export.ts";
export { messagePages } from "./message-pages.ts";
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
  validUntilOfRow,
} from "./message-view.ts";
