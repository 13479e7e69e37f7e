import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./password.ts";

describe("password hashes", () => {
  it("when the right password is given it verifies; a wrong one or a tampered hash does not", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse batterY", stored)).toBe(false);
    expect(await verifyPassword("correct horse battery", stored.replace("scrypt", "md5"))).toBe(
      false,
    );
    expect(await hashPassword("correct horse battery")).not.toBe(stored);
  });
});
