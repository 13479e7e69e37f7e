export * from "./infra.ts";
export * from "./wait.ts";
