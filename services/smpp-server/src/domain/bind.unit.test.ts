import { CommandStatus } from "@smsgw/smpp";
import { describe, expect, it } from "vitest";
import { smppAccount } from "../testing/account.ts";
import { accountOfSystemId, decideBind, smppLimitsOf } from "./bind.ts";

const account = smppAccount;
const ok = { passwordMatches: true, held: 0, maxBinds: 2 };

describe("a bind's answer", () => {
  it("when the system_id is unknown, disabled or has no SMPP credentials, it is ESME_RINVSYSID", () => {
    expect(decideBind({ account: undefined, ...ok })).toBe(CommandStatus.ESME_RINVSYSID);
    expect(decideBind({ account: account({ status: "disabled" }), ...ok })).toBe(
      CommandStatus.ESME_RINVSYSID,
    );
    expect(decideBind({ account: account({ smpp: undefined }), ...ok })).toBe(
      CommandStatus.ESME_RINVSYSID,
    );
  });

  it("when the password is wrong, it is ESME_RINVPASWD, even with no bind left", () => {
    expect(decideBind({ account: account(), ...ok, passwordMatches: false, held: 2 })).toBe(
      CommandStatus.ESME_RINVPASWD,
    );
  });

  it("when the account holds its maximum of binds, one more is ESME_RBINDFAIL; below it, OK", () => {
    expect(decideBind({ account: account(), ...ok, held: 2 })).toBe(CommandStatus.ESME_RBINDFAIL);
    expect(decideBind({ account: account(), ...ok, held: 1 })).toBe(CommandStatus.ESME_ROK);
  });
});

describe("the account of a system_id and its SMPP limits", () => {
  it("when one record has the system_id, it is found; another id finds none", () => {
    const records = [account({ accountId: "a", smpp: undefined }), account({ accountId: "b" })];
    expect(accountOfSystemId(records, "acme")?.accountId).toBe("b");
    expect(accountOfSystemId(records, "other")).toBeUndefined();
  });

  it("when the account has its own limits, they win over the defaults", () => {
    const defaults = { maxBinds: 4, window: 10 };
    expect(smppLimitsOf(account(), defaults)).toEqual(defaults);
    expect(
      smppLimitsOf(account({ limits: { smppMaxBinds: 1, smppWindow: 50 } }), defaults),
    ).toEqual({ maxBinds: 1, window: 50 });
  });
});
