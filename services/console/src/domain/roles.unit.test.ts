import { describe, expect, it } from "vitest";
import { capabilityOf, may, ROLES } from "./roles.ts";

describe("roles", () => {
  it("when a viewer asks for a page it may read it, and any change is refused", () => {
    expect(may("viewer", capabilityOf("GET", "/keys") as "read")).toBe(true);
    for (const [method, url] of [
      ["POST", "/keys"],
      ["POST", "/keys/key_0123/revoke"],
      ["POST", "/credentials/rotate-token"],
      ["POST", "/account/low-balance"],
      ["POST", "/account/live"],
      ["POST", "/messages/msg_01KB0000000000000000000000/cancel"],
      ["GET", "/team"],
    ] as const) {
      const need = capabilityOf(method, url);
      expect(need, url).not.toBe("public");
      expect(need === undefined || need === "public" || may("viewer", need), url).toBe(false);
    }
  });

  it("when a developer or a billing user acts, each may do its own part only", () => {
    expect(may("developer", "develop")).toBe(true);
    // Canceling a scheduled message is the counterpart of sending.
    expect(capabilityOf("POST", "/messages/msg_01/cancel")).toBe("develop");
    expect(may("developer", "billing")).toBe(false);
    expect(may("billing", "billing")).toBe(true);
    expect(may("billing", "develop")).toBe(false);
    expect(may("developer", "team")).toBe(false);
    expect(may("billing", "team")).toBe(false);
  });

  it("when anyone manages their own password, two-factor or sessions, every role may", () => {
    for (const role of ROLES) {
      expect(may(role, capabilityOf("POST", "/security/password") as "self")).toBe(true);
      expect(may(role, capabilityOf("POST", "/security/sessions/ses_1/revoke") as "self")).toBe(
        true,
      );
    }
  });

  it("when only the owner manages the team, no other role may", () => {
    expect(ROLES.filter((role) => may(role, "team"))).toEqual(["owner"]);
  });

  it("when a route is not listed, it needs something no rule gives (closed, not open)", () => {
    expect(capabilityOf("POST", "/dashboard")).toBeUndefined();
    expect(capabilityOf("GET", "/keys/extra/path")).toBeUndefined();
    expect(capabilityOf("DELETE", "/keys")).toBeUndefined();
    expect(capabilityOf("GET", "/login")).toBe("public");
    expect(capabilityOf("HEAD", "/dashboard")).toBe("read");
  });
});
