import { runMain } from "@smsgw/service-kit";
import { loadPricingConfig } from "./config.ts";
import { startPricing } from "./service.ts";

await runMain({
  name: "pricing",
  loadConfig: loadPricingConfig,
  logLevel: (config) => config.LOG_LEVEL,
  start: startPricing,
});
