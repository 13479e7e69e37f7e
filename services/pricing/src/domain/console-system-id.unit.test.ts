import { describe, expect, it } from "vitest";
import { consoleSystemId } from "./console-system-id.ts";

describe("the system_id of a console rotation", () => {
  it("when the account has a system_id, it keeps it (only the password changes)", () => {
    expect(consoleSystemId({ smppSystemId: "acme", name: "console-0123456789ab" }, "cdrawn")).toBe(
      undefined,
    );
  });

  it("when the account has none and its name is a system_id, the name is taken", () => {
    expect(consoleSystemId({ smppSystemId: null, name: "acme" }, "cdrawn")).toBe(undefined);
  });

  it("when the account has none and its name is too long for one (a console sign-up), the drawn one is asked for", () => {
    expect(consoleSystemId({ smppSystemId: null, name: "console-0123456789ab" }, "cdrawn")).toBe(
      "cdrawn",
    );
  });
});
