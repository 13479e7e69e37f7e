export { type IngressConfig, IngressEnv, loadIngressConfig } from "./config.ts";
export { type FormattedPhone, formatPhone } from "./domain/phone-format.ts";
export { type StartedIngress, startIngress } from "./service.ts";
