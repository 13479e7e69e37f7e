import { describe, expect, it } from "vitest";
import {
  hashSmppPassword,
  isSmppSystemId,
  newSmppPassword,
  newSmppSystemId,
  UNKNOWN_SYSTEM_ID_HASH,
  verifySmppPassword,
} from "./password.ts";

describe("SMPP passwords", () => {
  it("when a password is made, it has the 8 characters SMPP 3.4 allows, and two differ", () => {
    const one = newSmppPassword();
    expect(one).toMatch(/^[A-Za-z2-9]{8}$/);
    expect(newSmppPassword()).not.toBe(one);
  });

  it("when the password is the one hashed, it verifies; another does not", async () => {
    const stored = await hashSmppPassword("s3cretPw");
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored).not.toContain("s3cretPw");
    expect(await verifySmppPassword("s3cretPw", stored)).toBe(true);
    expect(await verifySmppPassword("s3cretPx", stored)).toBe(false);
    expect(await verifySmppPassword("", stored)).toBe(false);
  });

  it("when the same password is hashed twice, the salts make the hashes differ", async () => {
    expect(await hashSmppPassword("samePass")).not.toBe(await hashSmppPassword("samePass"));
  });

  it("when the stored hash is malformed or the unknown-id stand-in, nothing verifies", async () => {
    expect(await verifySmppPassword("anything", "sha256$abc")).toBe(false);
    expect(await verifySmppPassword("anything", UNKNOWN_SYSTEM_ID_HASH)).toBe(false);
  });
});

describe("system ids", () => {
  it("when it is 1-15 of a-z, 0-9, '.', '_', '-', it is a system id; else not", () => {
    expect(isSmppSystemId("acme")).toBe(true);
    expect(isSmppSystemId("a".repeat(15))).toBe(true);
    expect(isSmppSystemId("a".repeat(16))).toBe(false);
    expect(isSmppSystemId("Acme")).toBe(false);
    expect(isSmppSystemId("")).toBe(false);
  });

  it("when one is drawn for an account, it is a system id of 12 characters, and two differ", () => {
    const drawn = newSmppSystemId();
    expect(isSmppSystemId(drawn)).toBe(true);
    expect(drawn).toMatch(/^c[a-z0-9]{11}$/);
    expect(newSmppSystemId()).not.toBe(drawn);
  });
});
