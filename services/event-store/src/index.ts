export {
  type AccountLogReader,
  createAccountLogReader,
  type DayCount,
  type LogFilter,
  type LogPage,
  MAX_LOG_PAGE,
  type MessageDetail,
} from "./account-log.ts";
export { type EventStoreConfig, EventStoreEnv, loadEventStoreConfig } from "./config.ts";
export {
  createMessageReader,
  type EventPage,
  InvalidCursorError,
  MAX_PAGE_SIZE,
  type MessageReader,
  type MessageView,
  type TrailEvent,
} from "./reader.ts";
export { type StartedEventStore, startEventStore } from "./service.ts";
