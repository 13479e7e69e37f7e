export { type EventStoreConfig, EventStoreEnv, loadEventStoreConfig } from "./config.ts";
export { type StartedEventStore, startEventStore } from "./service.ts";
