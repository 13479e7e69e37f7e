import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BaseEnv, ConfigError, loadConfig } from "../config.ts";
import { natsAuthOptions } from "./auth.ts";

const dir = mkdtempSync(join(tmpdir(), "nats-auth-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const settings = (env: Record<string, string>) => loadConfig(BaseEnv, env);

describe("natsAuthOptions", () => {
  it("when nothing is set, it connects without credentials or TLS, replies on _INBOX", () => {
    const options = natsAuthOptions(settings({}));
    expect(options).toEqual({ inboxPrefix: "_INBOX" });
  });

  it("when a user and a password file are set, it logs in as that user and replies under _INBOX.<user>", () => {
    const options = natsAuthOptions(
      settings({ NATS_USER: "ingress", NATS_PASSWORD_FILE: file("pw", "s3cret\n") }),
    );
    expect(options.user).toBe("ingress");
    expect(options.pass).toBe("s3cret");
    expect(options.inboxPrefix).toBe("_INBOX.ingress");
  });

  it("when a creds file is set, it authenticates with it; NATS_INBOX_PREFIX names the inbox", () => {
    const options = natsAuthOptions(
      settings({ NATS_CREDS_FILE: file("x.creds", "creds"), NATS_INBOX_PREFIX: "_INBOX.routing" }),
    );
    expect(typeof options.authenticator).toBe("function");
    expect(options.user).toBeUndefined();
    expect(options.inboxPrefix).toBe("_INBOX.routing");
  });

  it("when TLS files are set, it asks for TLS with them; a missing file names its variable", () => {
    const ca = file("ca.pem", "ca");
    expect(natsAuthOptions(settings({ NATS_TLS_CA_FILE: ca })).tls).toEqual({ caFile: ca });
    expect(() => natsAuthOptions(settings({ NATS_TLS_CA_FILE: join(dir, "missing.pem") }))).toThrow(
      /NATS_TLS_CA_FILE: cannot read/,
    );
  });

  it("when settings contradict each other, it fails naming them", () => {
    const creds = file("y.creds", "creds");
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ NATS_CREDS_FILE: creds, NATS_USER: "a", NATS_PASSWORD: "p" }, /set one of them/],
      [{ NATS_USER: "a" }, /NATS_USER needs NATS_PASSWORD/],
      [{ NATS_PASSWORD: "p" }, /without NATS_USER/],
      [{ NATS_USER: "a", NATS_PASSWORD: "p", NATS_PASSWORD_FILE: creds }, /set one of them/],
      [{ NATS_TLS_CERT_FILE: creds }, /go together/],
    ];
    for (const [env, message] of cases) {
      expect(() => natsAuthOptions(settings(env))).toThrow(ConfigError);
      expect(() => natsAuthOptions(settings(env))).toThrow(message);
    }
  });

  it("when the inbox prefix is not an _INBOX subject, the config is refused", () => {
    expect(() => settings({ NATS_INBOX_PREFIX: "sms.evt" })).toThrow(/NATS_INBOX_PREFIX/);
  });
});
