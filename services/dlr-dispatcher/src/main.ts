import { runMain } from "@smsgw/service-kit";
import { loadDlrDispatcherConfig } from "./config.ts";
import { startDlrDispatcher } from "./service.ts";

await runMain({
  name: "dlr-dispatcher",
  loadConfig: loadDlrDispatcherConfig,
  logLevel: (config) => config.LOG_LEVEL,
  start: startDlrDispatcher,
});
