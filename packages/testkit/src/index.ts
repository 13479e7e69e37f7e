export * from "./browser-less.ts";
export * from "./database-scan.ts";
export * from "./infra.ts";
export * from "./nats-proxy.ts";
export * from "./nats-server.ts";
export * from "./service-process.ts";
export * from "./smsc-simulator.ts";
export * from "./wait.ts";
