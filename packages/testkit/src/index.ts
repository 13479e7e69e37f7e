export * from "./infra.ts";
export * from "./service-process.ts";
export * from "./smsc-simulator.ts";
export * from "./wait.ts";
