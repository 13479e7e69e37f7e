// @smsgw/smpp-credentials: customers' SMPP passwords (api.md section 6), made and hashed by
// pricing (the owner of accounts), verified by smpp-server. ADR 0012.
export {
  hashSmppPassword,
  isSmppSystemId,
  newSmppPassword,
  newSmppSystemId,
  SMPP_PASSWORD_LENGTH,
  SMPP_SYSTEM_ID_MAX,
  UNKNOWN_SYSTEM_ID_HASH,
  verifySmppPassword,
} from "./password.ts";
