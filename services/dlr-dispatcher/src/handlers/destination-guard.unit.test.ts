import { describe, expect, it } from "vitest";
import { createDestinationGuard } from "./destination-guard.ts";

function resolverOf(answers: Record<string, string[]>) {
  const asked: string[] = [];
  const resolve = async (host: string) => {
    asked.push(host);
    const addresses = answers[host];
    if (!addresses) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
    return addresses;
  };
  return { asked, resolve };
}

describe("destination guard", () => {
  it("when a name resolves to a private address among public ones, it is refused", async () => {
    const { resolve } = resolverOf({ "mixed.example": ["93.184.216.34", "192.168.0.10"] });
    const check = createDestinationGuard({ allowPrivate: false, resolve });
    expect(await check("mixed.example")).toEqual({
      kind: "refused",
      reason: "mixed.example resolves to a private address (192.168.0.10)",
    });
  });

  it("when the host is an IP literal, nothing is resolved", async () => {
    const { asked, resolve } = resolverOf({});
    const check = createDestinationGuard({ allowPrivate: false, resolve });
    expect(await check("169.254.169.254")).toMatchObject({ kind: "refused" });
    expect(await check("8.8.8.8")).toEqual({ kind: "allowed" });
    expect(asked).toEqual([]);
  });

  it("when a host is checked again soon, the verdict is remembered; later it is looked up again", async () => {
    let clock = 0;
    const { asked, resolve } = resolverOf({ "hooks.example": ["93.184.216.34"] });
    const check = createDestinationGuard({ allowPrivate: false, resolve, now: () => clock });
    await check("hooks.example");
    await check("hooks.example");
    expect(asked).toHaveLength(1);
    clock += 60_000;
    await check("hooks.example");
    expect(asked).toHaveLength(2);
  });

  it("when a lookup fails, the check throws so the report is retried, and nothing is remembered", async () => {
    const { asked, resolve } = resolverOf({});
    const check = createDestinationGuard({ allowPrivate: false, resolve });
    await expect(check("gone.example")).rejects.toThrow(/ENOTFOUND/);
    await expect(check("gone.example")).rejects.toThrow(/ENOTFOUND/);
    expect(asked).toHaveLength(2);
  });

  it("when private destinations are allowed, everything passes without a lookup", async () => {
    const { asked, resolve } = resolverOf({});
    const check = createDestinationGuard({ allowPrivate: true, resolve });
    expect(await check("localhost")).toEqual({ kind: "allowed" });
    expect(asked).toEqual([]);
  });
});
