import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BaseEnv, ConfigError, Flag, loadConfig, parseBytes } from "./config.ts";

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

  it("when the stream's bound is a quantity, it is read in bytes; a wrong one names the variable", () => {
    expect(loadConfig(BaseEnv, {}).STREAM_MAX_BYTES).toBe(4 * 2 ** 30);
    expect(loadConfig(BaseEnv, { STREAM_MAX_BYTES: "7Gi" }).STREAM_MAX_BYTES).toBe(7 * 2 ** 30);
    expect(loadConfig(BaseEnv, { STREAM_MAX_BYTES: "1048576" }).STREAM_MAX_BYTES).toBe(2 ** 20);
    expect(parseBytes("1.5Gi")).toBe(1.5 * 2 ** 30);
    expect(parseBytes("7GB")).toBeUndefined();
    expect(() => loadConfig(BaseEnv, { STREAM_MAX_BYTES: "7GB" })).toThrow(/STREAM_MAX_BYTES/);
    expect(() => loadConfig(BaseEnv, { STREAM_MAX_BYTES: "1Ki" })).toThrow(/at least 1Mi/);
  });

  it("when MIGRATE is set, it is one of true, false and only", () => {
    expect(loadConfig(BaseEnv, {}).MIGRATE).toBe("true");
    expect(loadConfig(BaseEnv, { MIGRATE: "only" }).MIGRATE).toBe("only");
    expect(() => loadConfig(BaseEnv, { MIGRATE: "yes" })).toThrow(/MIGRATE/);
  });
});
