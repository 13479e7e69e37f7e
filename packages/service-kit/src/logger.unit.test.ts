import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";
import { isSensitiveKey, redactDeep } from "./redact.ts";

/** A logger whose lines are kept. */
function captured() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger("test", "info", sink), text: () => lines.join("") };
}

const SECRETS = {
  token: "tok-SECRET-1",
  webhookSecret: "whsec_SECRET-2",
  cookie: "__Host-session=SECRET-3",
  password: "SECRET-4",
};

describe("the logger's redaction", () => {
  it("when a credential sits deep in what is logged, under any of its names, it never reaches the line", () => {
    const { log, text } = captured();
    log.info(
      {
        account: { settings: { webhook: { webhookSecret: SECRETS.webhookSecret } } },
        req: { headers: { Cookie: SECRETS.cookie, "x-request-id": "r1" } },
        batch: [{ item: { credentials: { token: SECRETS.token } } }],
        smpp: { system_id: "esme", password: SECRETS.password },
      },
      "something happened",
    );
    const line = text();
    for (const secret of Object.values(SECRETS)) expect(line).not.toContain(secret);
    expect(line).toContain('"x-request-id":"r1"');
    expect(line).toContain('"system_id":"esme"');
    expect(line).toContain("[redacted]");
  });

  it("when a child logger is bound to a credential, it is redacted too", () => {
    const { log, text } = captured();
    log.child({ apiKey: SECRETS.token }).warn("bound");
    log
      .child({ carrier: "a" })
      .child({ creds: { password: SECRETS.password } })
      .warn("grandchild");
    expect(text()).not.toContain(SECRETS.token);
    expect(text()).not.toContain(SECRETS.password);
    expect(text()).toContain('"carrier":"a"');
  });

  it("when NATS's connection options or settings are logged, the password never reaches the line", () => {
    const { log, text } = captured();
    log.info(
      {
        options: { user: "pricing", pass: SECRETS.password },
        config: { NATS_PASSWORD: SECRETS.token },
      },
      "connecting",
    );
    expect(text()).not.toContain(SECRETS.password);
    expect(text()).not.toContain(SECRETS.token);
    expect(text()).toContain('"user":"pricing"');
  });

  it("leaves the logged object itself as it was", () => {
    const logged = { nested: { token: "kept" } };
    expect(redactDeep(logged)).toEqual({ nested: { token: "[redacted]" } });
    expect(logged.nested.token).toBe("kept");
  });

  it("knows a credential by its name in any case, with or without - and _", () => {
    for (const key of ["Authorization", "set-cookie", "webhook_secrets", "TOKEN", "api-key"]) {
      expect(isSensitiveKey(key)).toBe(true);
    }
    for (const key of ["tokens_used", "messageId", "hash"]) expect(isSensitiveKey(key)).toBe(false);
  });
});
