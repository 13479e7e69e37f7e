import {
  freePort,
  type ServiceProcess,
  signedUp,
  startServiceProcess,
  textOf,
  waitFor,
} from "@smsgw/testkit";
import { type NpmPdu, type NpmSession, npmSmpp } from "@smsgw/testkit/npm-smpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PricingStack, startPricingStack } from "./testing/pricing-stack.ts";

// The SMPP page over HTTP, against the real pricing (the credentials' owner) and the real
// smpp-server, each its own process: what the page shows once binds a client we did not write.
let stack: PricingStack;
let smppServer: ServiceProcess;
let smppPort: number;
let base: string;

beforeAll(async () => {
  stack = await startPricingStack();
  smppPort = await freePort();
  smppServer = await startServiceProcess("smpp-server", {
    ...stack.infra.envOf("smpp-server"),
    SMPP_PORT: String(smppPort),
  });
  base = await stack.console({ PUBLIC_SMPP_ADDRESS: `127.0.0.1:${smppPort}` });
}, 120_000);

afterAll(async () => {
  await smppServer?.stop();
  await stack?.stop();
});

const PASSWORD = "correct horse battery";

/** A bind_transceiver's command_status with these credentials (0 is bound; then unbound). */
async function bindStatus(systemId: string, password: string): Promise<number> {
  const session = await new Promise<NpmSession>((resolve, reject) => {
    const s = npmSmpp.connect({ url: `smpp://127.0.0.1:${smppPort}` }, () => resolve(s));
    s.on("error", reject as (pdu: NpmPdu) => void);
  });
  const answer = await new Promise<NpmPdu>((resolve) =>
    session.bind_transceiver({ system_id: systemId, password }, resolve),
  );
  session.close();
  return answer.command_status;
}

async function auditOf(hash: string) {
  return stack.sql<Array<{ action: string; actor: string; details: Record<string, unknown> }>>`
    select a.action, a.actor, a.details from pricing.audit_log a
    join pricing.accounts using (account_id)
    where hash = ${hash} and a.action <> 'account.created' order by a.id`;
}

describe("the console's SMPP page", () => {
  it("when the credentials are rotated with the password, the system_id and password are shown once and bind; the next rotation keeps the system_id and stops the old password", async () => {
    const { visitor, hash } = await signedUp(base, "smpp@example.com", PASSWORD);
    const empty = await visitor.get("/smpp");
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('id="no-smpp"');

    const first = await visitor.post("/smpp/rotate", { password: PASSWORD });
    expect(first.status).toBe(200);
    const systemId = textOf(first.text, "smpp-system-id");
    const password = textOf(first.text, "smpp-password");
    expect(systemId).toMatch(/^c[a-z0-9]{11}$/);
    expect(password).toMatch(/^[A-Za-z2-9]{8}$/);
    expect(textOf(first.text, "smpp-url")).toBe(
      `smpp://${systemId}:${password}@127.0.0.1:${smppPort}`,
    );
    // smpp-server learns the credentials from the accounts bucket a moment later.
    await waitFor(async () => (await bindStatus(systemId, password)) === 0 || undefined, {
      what: "a bind with the credentials the page showed",
    });

    // Shown once: the page afterwards has the system_id, never the password.
    const later = await visitor.get("/smpp");
    expect(textOf(later.text, "smpp-system-id")).toBe(systemId);
    expect(later.text).not.toContain(password);

    const second = await visitor.post("/smpp/rotate", { password: PASSWORD });
    expect(textOf(second.text, "smpp-system-id")).toBe(systemId);
    const next = textOf(second.text, "smpp-password");
    expect(next).not.toBe(password);
    await waitFor(async () => (await bindStatus(systemId, password)) === 0x0e || undefined, {
      what: "the old password refused (ESME_RINVPASWD)",
    });
    expect(await bindStatus(systemId, next)).toBe(0);

    // One audit entry per rotation, by the console's user, with the system_id only.
    const audit = await auditOf(hash);
    expect(audit.map((e) => [e.action, e.actor.split(":")[0], e.details])).toEqual([
      ["smpp_credentials.rotated", "console", { systemId }],
      ["smpp_credentials.rotated", "console", { systemId }],
    ]);
    expect(JSON.stringify(audit)).not.toContain(next);
    const keys = await visitor.get("/keys");
    expect(keys.text).toContain('data-audit="smpp_credentials.rotated"');
  });

  it("when the password is missing or wrong, or the form has no CSRF token, nothing is rotated", async () => {
    const { visitor, hash } = await signedUp(base, "smpp-refused@example.com", PASSWORD);
    await visitor.get("/smpp");
    const none = await visitor.post("/smpp/rotate", {});
    expect(none.status).toBe(422);
    const wrong = await visitor.post("/smpp/rotate", { password: "not it" });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain("nothing was rotated");
    const forged = await visitor.post("/smpp/rotate", { password: PASSWORD }, { csrf: false });
    expect(forged.status).toBe(403);
    expect(wrong.text).not.toContain('id="smpp-password"');
    expect(await auditOf(hash)).toEqual([]);
    const [row] = await stack.sql<Array<{ smpp_system_id: string | null }>>`
      select smpp_system_id from pricing.accounts where hash = ${hash}`;
    expect(row?.smpp_system_id).toBeNull();
  });
});
