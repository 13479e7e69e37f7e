import { readFileSync } from "node:fs";
import { type ConnectionOptions, credsAuthenticator } from "@nats-io/transport-node";
import { type BaseEnv, ConfigError } from "../config.ts";

/** The NATS part of a service's environment (BaseEnv's NATS_* variables). */
export type NatsSettings = Pick<
  BaseEnv,
  | "NATS_URL"
  | "NATS_CREDS_FILE"
  | "NATS_USER"
  | "NATS_PASSWORD"
  | "NATS_PASSWORD_FILE"
  | "NATS_TLS_CA_FILE"
  | "NATS_TLS_CERT_FILE"
  | "NATS_TLS_KEY_FILE"
  | "NATS_INBOX_PREFIX"
>;

/**
 * Credentials, TLS and the inbox prefix for `connect()`, from the settings; files are read
 * here, at start, so a missing secret fails the start with its variable's name. Throws
 * ConfigError for settings that contradict each other.
 */
export function natsAuthOptions(settings: NatsSettings): Partial<ConnectionOptions> {
  const options: Partial<ConnectionOptions> = {};
  const { NATS_CREDS_FILE: creds, NATS_USER: user } = settings;
  if (creds && user) throw new ConfigError("NATS_CREDS_FILE and NATS_USER: set one of them");
  if (settings.NATS_PASSWORD && settings.NATS_PASSWORD_FILE) {
    throw new ConfigError("NATS_PASSWORD and NATS_PASSWORD_FILE: set one of them");
  }
  if (creds) {
    options.authenticator = credsAuthenticator(readSecret(creds, "NATS_CREDS_FILE"));
  } else if (user) {
    const pass = settings.NATS_PASSWORD_FILE
      ? new TextDecoder().decode(readSecret(settings.NATS_PASSWORD_FILE, "NATS_PASSWORD_FILE"))
      : settings.NATS_PASSWORD;
    if (!pass) throw new ConfigError("NATS_USER needs NATS_PASSWORD or NATS_PASSWORD_FILE");
    options.user = user;
    options.pass = pass.trim();
  } else if (settings.NATS_PASSWORD || settings.NATS_PASSWORD_FILE) {
    throw new ConfigError("a NATS password without NATS_USER");
  }

  const { NATS_TLS_CA_FILE: caFile, NATS_TLS_CERT_FILE: certFile } = settings;
  const keyFile = settings.NATS_TLS_KEY_FILE;
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new ConfigError("NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together");
  }
  if (caFile || certFile) {
    options.tls = {
      ...(caFile ? { caFile: checkedFile(caFile, "NATS_TLS_CA_FILE") } : {}),
      ...(certFile ? { certFile: checkedFile(certFile, "NATS_TLS_CERT_FILE") } : {}),
      ...(keyFile ? { keyFile: checkedFile(keyFile, "NATS_TLS_KEY_FILE") } : {}),
    };
  }
  options.inboxPrefix = settings.NATS_INBOX_PREFIX ?? (user ? `_INBOX.${user}` : "_INBOX");
  return options;
}

function readSecret(path: string, variable: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read ${path} (${(error as Error).message})`);
  }
}

function checkedFile(path: string, variable: string): string {
  readSecret(path, variable);
  return path;
}
