export type { AccountSettings } from "./account-settings.ts";
export {
  AccountError,
  AccountErrorCode,
  type AccountOperations,
  type AccountSummary,
  type CreateAccountInput,
  type Credentials,
  type MovementSummary,
} from "./accounts.ts";
export {
  DEFAULT_PRICE_LIST_CSV,
  loadPricingConfig,
  type PricingConfig,
  PricingEnv,
} from "./config.ts";
export { PriceCsvError, parsePriceCsv } from "./domain/price-csv.ts";
export { createPriceList, type Price, type PriceList } from "./domain/price-list.ts";
export type { LedgerEntry } from "./ledger-entries.ts";
export type { Override, PriceOperations } from "./prices-admin.ts";
export { type StartedPricing, startPricing } from "./service.ts";
