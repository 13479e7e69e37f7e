import { runMain } from "@smsgw/service-kit";
import { loadEventStoreConfig } from "./config.ts";
import { startEventStore } from "./service.ts";

await runMain({
  name: "event-store",
  loadConfig: loadEventStoreConfig,
  logLevel: (config) => config.LOG_LEVEL,
  start: startEventStore,
});
