import { runMain } from "@smsgw/service-kit";
import { loadCarrierConnectorConfig } from "./config.ts";
import { startCarrierConnector } from "./service.ts";

await runMain({
  name: "carrier-connector",
  loadConfig: loadCarrierConnectorConfig,
  logLevel: (config) => config.LOG_LEVEL,
  start: startCarrierConnector,
});
