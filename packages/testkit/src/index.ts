export * from "./infra.ts";
export * from "./service-process.ts";
export * from "./wait.ts";
