import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox, isSealed, secretBoxKey } from "./secret-box.ts";

const key = () => randomBytes(32);

describe("the secret box", () => {
  it("when a secret is sealed, the result does not hold it and opens back to it", () => {
    const box = createSecretBox(key());
    const sealed = box.seal("pässw0rd");
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain("pässw0rd");
    expect(box.open(sealed)).toBe("pässw0rd");
    // A fresh IV each time: the same secret never seals to the same text.
    expect(box.seal("pässw0rd")).not.toBe(sealed);
  });

  it("when the key rotates, values sealed under the previous key still open and are not current", () => {
    const [old, next] = [key(), key()];
    const sealedOld = createSecretBox(old).seal("secret");
    const box = createSecretBox(next, old);
    expect(box.open(sealedOld)).toBe("secret");
    expect(box.isCurrent(sealedOld)).toBe(false);
    expect(box.isCurrent(box.seal("secret"))).toBe(true);
  });

  it("when the key is another, or the value was altered, opening fails", () => {
    const sealed = createSecretBox(key()).seal("secret");
    expect(() => createSecretBox(key()).open(sealed)).toThrow(/does not hold/);
    const box = createSecretBox(key());
    const mine = box.seal("secret");
    const altered = `${mine.slice(0, -2)}${mine.endsWith("AA") ? "BB" : "AA"}`;
    expect(() => box.open(altered)).toThrow();
    expect(() => box.open("secret")).toThrow(/not a sealed value/);
  });

  it("when a key is not 32 bytes of base64, it is refused", () => {
    expect(() => secretBoxKey(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
    expect(secretBoxKey(randomBytes(32).toString("base64"))).toHaveLength(32);
  });
});
