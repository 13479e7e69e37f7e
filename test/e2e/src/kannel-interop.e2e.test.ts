import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";

// Kannel (Debian's `kannel` package: bearerbox + smsbox), an SMPP client we did not write,
// configured as its users configure it (`smsc = smpp` pointing at our smpp-server), sends an
// SMS through the gateway and gets its delivery report back through our deliver_sm receipt.
// Skipped where Kannel is not installed (`apt-get install kannel`).

const BEARERBOX = "/usr/sbin/bearerbox";
const SMSBOX = "/usr/sbin/smsbox";
const hasKannel = existsSync(BEARERBOX) && existsSync(SMSBOX);

let gateway: Gateway;
let dir: string;
let dlrServer: Server;
const dlrs: URLSearchParams[] = [];
const children: ChildProcess[] = [];
let sendsmsPort: number;
let dlrPort: number;

function kannelConfig(
  ports: { admin: number; smsbox: number; sendsms: number; smpp: number },
  smpp: { systemId: string; password: string },
) {
  return `
group = core
admin-port = ${ports.admin}
admin-password = admin-secret
smsbox-port = ${ports.smsbox}
box-allow-ip = 127.0.0.1
log-file = "${dir}/bearerbox.log"
log-level = 0
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = smsgw
host = 127.0.0.1
port = ${ports.smpp}
transceiver-mode = true
smsc-username = ${smpp.systemId}
smsc-password = ${smpp.password}
system-type = ""
interface-version = 34
source-addr-ton = 5
source-addr-npi = 0
dest-addr-ton = 1
dest-addr-npi = 1
enquire-link-interval = 30
max-pending-submits = 10

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${ports.smsbox}
sendsms-port = ${ports.sendsms}
log-file = "${dir}/smsbox.log"
log-level = 0

group = sendsms-user
username = tester
password = tester-secret
max-messages = 3
concatenation = true
`;
}

function start(binary: string, config: string): ChildProcess {
  const child = spawn(binary, [config], { stdio: "ignore" });
  children.push(child);
  return child;
}

beforeAll(async () => {
  if (!hasKannel) return;
  gateway = await startGateway({}, { smppServer: true });
  await gateway.pricing.accounts.createAccount({ name: "kannel", credits: "10" });
  const smpp = await gateway.pricing.accounts.rotateSmppCredentials("kannel");
  dir = await mkdtemp(join(tmpdir(), "kannel-"));
  dlrPort = await freePort();
  dlrServer = createServer((req, res) => {
    dlrs.push(new URL(req.url ?? "/", "http://x").searchParams);
    res.end("ok");
  });
  await new Promise<void>((resolve) => dlrServer.listen(dlrPort, "127.0.0.1", resolve));
  sendsmsPort = await freePort();
  const ports = {
    admin: await freePort(),
    smsbox: await freePort(),
    sendsms: sendsmsPort,
    smpp: gateway.smppServer?.port ?? 0,
  };
  const config = join(dir, "kannel.conf");
  await writeFile(config, kannelConfig(ports, smpp));
  start(BEARERBOX, config);
  // Kannel's bind is retried by Kannel until smpp-server knows the new credentials.
  await waitFor(
    async () => {
      const status = await fetch(
        `http://127.0.0.1:${ports.admin}/status.txt?password=admin-secret`,
      ).then(
        (res) => res.text(),
        () => "",
      );
      return /smsgw\[[^\]]*\].*online/s.test(status);
    },
    { timeoutMs: 30_000, what: "Kannel's SMPP link to smpp-server online" },
  );
  start(SMSBOX, config);
  await waitFor(
    () =>
      fetch(`http://127.0.0.1:${sendsmsPort}/`).then(
        () => true,
        () => false,
      ),
    { what: "Kannel's smsbox listening" },
  );
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGTERM");
  await new Promise<void>((resolve) => (dlrServer ? dlrServer.close(() => resolve()) : resolve()));
  await gateway?.stop();
  if (dir && process.env.KEEP_KANNEL_LOGS === undefined) await rm(dir, { recursive: true });
});

describe.skipIf(!hasKannel)("Kannel as a customer over SMPP", () => {
  it("when Kannel sends an SMS through us, it is delivered by the carrier and Kannel gets its delivery report from our receipt", async () => {
    const dlrUrl = `http://127.0.0.1:${dlrPort}/dlr?type=%d&id=%F&answer=%A`;
    const query = new URLSearchParams({
      username: "tester",
      password: "tester-secret",
      from: "MyApp",
      to: "+37256789045",
      text: "Hello from Kannel",
      "dlr-mask": "3",
      "dlr-url": dlrUrl,
    });
    const res = await fetch(`http://127.0.0.1:${sendsmsPort}/cgi-bin/sendsms?${query}`);
    expect(await res.text()).toMatch(/Accepted for delivery/);

    const submitted = await waitFor(() =>
      gateway.simulator.submissions().find((s) => s.text === "Hello from Kannel"),
    );
    expect(submitted).toMatchObject({ destination: "37256789045", source: "MyApp" });

    // Kannel matched our deliver_sm to its submit by our msg_ id and calls its DLR URL.
    const dlr = await waitFor(() => dlrs.find((params) => params.get("type") === "1"), {
      timeoutMs: 30_000,
      what: "Kannel's delivered DLR",
    }).catch(async (error: unknown) => {
      const log = await readFile(join(dir, "bearerbox.log"), "utf8").catch(() => "");
      throw new Error(`${String(error)}\n${log.split("\n").slice(-40).join("\n")}`);
    });
    const messageId = dlr.get("id") ?? "";
    expect(messageId).toMatch(/^msg_/);
    expect(dlr.get("answer")).toContain("stat:DELIVRD");
    const read = await gateway.pricing.accounts.get("kannel");
    expect(read?.balance).toBe(100_000 - 420);
  });

  it("when Kannel sends a long SMS in two parts and asks for its report on the first only, it is one message and Kannel gets its delivery report", async () => {
    const text =
      `Long from Kannel: ${"the quick brown fox jumps over the lazy dog ".repeat(4)}`.trim();
    expect(text.length).toBeGreaterThan(160);
    const dlrUrl = `http://127.0.0.1:${dlrPort}/dlr?type=%d&id=%F&answer=%A&tag=long`;
    const before = (await gateway.pricing.accounts.get("kannel"))?.balance ?? 0;
    const query = new URLSearchParams({
      username: "tester",
      password: "tester-secret",
      from: "MyApp",
      to: "+37256789045",
      text,
      "dlr-mask": "3",
      "dlr-url": dlrUrl,
    });
    const res = await fetch(`http://127.0.0.1:${sendsmsPort}/cgi-bin/sendsms?${query}`);
    expect(await res.text()).toMatch(/Accepted for delivery/);

    // Kannel's sms_split asks for a report on the first part only (registered_delivery 0 on
    // the second): the message, joined here, still asks for one.
    const dlr = await waitFor(
      () => dlrs.find((params) => params.get("tag") === "long" && params.get("type") === "1"),
      { timeoutMs: 30_000, what: "Kannel's delivered DLR of the long message" },
    ).catch(async (error: unknown) => {
      const log = await readFile(join(dir, "bearerbox.log"), "utf8").catch(() => "");
      throw new Error(`${String(error)}\n${log.split("\n").slice(-40).join("\n")}`);
    });
    expect(dlr.get("id") ?? "").toMatch(/^msg_/);
    expect(dlr.get("answer")).toContain("stat:DELIVRD");
    // One message of two parts, charged once.
    const read = await gateway.pricing.accounts.get("kannel");
    expect(read?.balance).toBe(before - 2 * 420);
  });
});
