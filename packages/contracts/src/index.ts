export { AccountRecord } from "./account.ts";
export * from "./events.ts";
export * from "./ids.ts";
export * from "./money.ts";
export * from "./rpc.ts";
export * from "./status.ts";
export * from "./status-change.ts";
export * from "./subjects.ts";
export * from "./trace.ts";
