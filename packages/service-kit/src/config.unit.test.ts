import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BaseEnv, ConfigError, Flag, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("when nothing is set, it uses the local machine's defaults", () => {
    const config = loadConfig(BaseEnv, {});
    expect(config.NATS_URL).toBe("nats://127.0.0.1:4222");
    expect(config.NATS_PREFIX).toBe("sms");
  });

  it("when a variable is wrong, it fails with one line naming it", () => {
    const schema = BaseEnv.extend({ PORT: z.coerce.number().int().min(1) });
    expect(() => loadConfig(schema, { PORT: "zero", NATS_PREFIX: "Bad.Prefix" })).toThrowError(
      ConfigError,
    );
    try {
      loadConfig(schema, { PORT: "zero", NATS_PREFIX: "Bad.Prefix" });
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT:/);
      expect((error as Error).message).toMatch(/NATS_PREFIX:/);
    }
  });

  it("when a flag says false, it is false", () => {
    const schema = z.object({ ON: Flag });
    expect(loadConfig(schema, { ON: "false" }).ON).toBe(false);
    expect(loadConfig(schema, { ON: "true" }).ON).toBe(true);
  });
});
