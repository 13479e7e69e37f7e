export {
  type AddressClass,
  classifyAddress,
  isIpAddress,
  parseIPv4,
  parseIPv6,
  refusalOf,
  stripBrackets,
} from "./address.ts";
export { clientKeyOf } from "./client-key.ts";
export { type CallbackUrlJudgement, judgeCallbackUrl } from "./judge.ts";
export {
  endpointOf,
  hostOf,
  isAllowedPort,
  type LiteralVerdict,
  literalAddressVerdict,
  MAX_CALLBACK_URL_LENGTH,
  originOf,
  type ParsedCallbackUrl,
  parseCallbackUrl,
} from "./url.ts";
