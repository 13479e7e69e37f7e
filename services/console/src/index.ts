export { type ConsoleConfig, ConsoleEnv, loadConsoleConfig } from "./config.ts";
export { type StartedConsole, startConsole } from "./service.ts";
