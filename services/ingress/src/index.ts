export { type IngressConfig, IngressEnv, loadIngressConfig } from "./config.ts";
export { type StartedIngress, startIngress } from "./service.ts";
