export { loadSmppServerConfig, type SmppServerConfig, SmppServerEnv } from "./config.ts";
export { type StartedSmppServer, startSmppServer } from "./service.ts";
