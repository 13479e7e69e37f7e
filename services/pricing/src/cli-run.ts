import { readFile } from "node:fs/promises";
import type { CliOutput } from "@smsgw/service-kit";
import { AccountError } from "./account-common.ts";
import type {
  AccountOperations,
  AccountSummary,
  Credentials,
  MovementSummary,
} from "./accounts.ts";
import { accountJson, credentialsJson, ledgerJson, money, movementJson } from "./admin/views.ts";
import type { Command } from "./cli-args.ts";
import { type PriceOperations, priceJson } from "./prices-admin.ts";

/** What a command prints: text for people, or the JSON under --json. */
export type Output = CliOutput;

const DEMO = { name: "demo", credits: "10", currency: "EUR", test: true } as const;

/** Runs one parsed CLI command over the same operations the admin API uses. */
export async function run(
  command: Exclude<Command, { kind: "help" }>,
  accounts: AccountOperations,
  prices: PriceOperations,
): Promise<Output> {
  const o = command.options;
  const need = (value: string | undefined) => value ?? "";
  const actor = o.actor
    ? `cli:${o.actor}`
    : `cli:${process.env.USER ?? process.env.LOGNAME ?? "unknown"}`;
  const account = need(o.name);
  const by = { actor, ip: null };
  const shown = (verb: string, summary: AccountSummary): Output => ({
    text: `${verb} ${describeAccount(summary)}`,
    json: accountJson(summary),
  });
  switch (command.kind) {
    case "accounts create": {
      const credentials = await accounts.createAccount({
        name: account,
        credits: need(o.credits),
        currency: o.currency ?? "EUR",
        test: !command.flags.live,
        actor,
        by: { actor, ip: null },
      });
      return created("Created", credentials, await mustGet(accounts, credentials.accountId));
    }
    case "accounts top-up":
      return movement(
        "Topped up",
        await accounts.topUp(account, need(o.credits), actor, o.note ?? "", by, o.reference),
      );
    case "accounts adjust":
      return movement(
        "Adjusted",
        await accounts.adjust(account, need(o.amount), actor, need(o.note), by, o.reference),
      );
    case "accounts rotate-token": {
      const credentials = await accounts.rotateToken(account, { actor, ip: null });
      const summary = await mustGet(accounts, credentials.accountId);
      return created("Rotated the token of", credentials, summary);
    }
    case "accounts rotate-webhook-secret": {
      const { summary, webhookSecret } = await accounts.rotateWebhookSecret(account, {
        actor,
        ip: null,
      });
      return {
        text: [
          `Rotated the webhook secret of ${describeAccount(summary)}`,
          `  webhook secret  ${webhookSecret}`,
          "The previous secret keeps being sent for the grace period, then is dropped.",
        ].join("\n"),
        json: { ...accountJson(summary), webhookSecret },
      };
    }
    case "accounts smpp-credentials": {
      const { summary, systemId, password } = await accounts.rotateSmppCredentials(
        account,
        o["system-id"],
        { actor, ip: null },
      );
      return {
        text: [
          `SMPP credentials of ${describeAccount(summary)}`,
          `  system_id  ${systemId}`,
          `  password   ${password}`,
          "The password is shown only now; the previous one no longer binds.",
        ].join("\n"),
        json: { ...accountJson(summary), smpp: { systemId, password } },
      };
    }
    case "accounts disable":
      return shown("Disabled", await accounts.disable(account, { actor, ip: null }));
    case "accounts enable":
      return shown("Enabled", await accounts.enable(account, { actor, ip: null }));
    case "accounts block":
      return shown(
        "Blocked countries for",
        await accounts.blockCountries(account, countries(o.countries), { actor, ip: null }),
      );
    case "accounts unblock":
      return shown(
        "Unblocked countries for",
        await accounts.unblockCountries(account, countries(o.countries), { actor, ip: null }),
      );
    case "accounts limits": {
      const limits = command.flags.clear
        ? null
        : {
            ...rate("accountRatePerSec", o["account-rate"]),
            ...rate("accountBurst", o["account-burst"]),
            ...rate("ipRatePerSec", o["ip-rate"]),
            ...rate("smppMaxBinds", o["smpp-binds"]),
            ...rate("smppWindow", o["smpp-window"]),
          };
      return shown(
        "Set the limits of",
        await accounts.setLimits(account, limits, { actor, ip: null }),
      );
    }
    case "accounts callback-url": {
      if (!command.flags.clear && !o.url) {
        throw new AccountError("invalid_input", "give --url <https://…> or --clear");
      }
      const url = command.flags.clear ? null : (o.url ?? null);
      return shown(
        "Set the default callback URL of",
        await accounts.setDefaultCallbackUrl(account, url, { actor, ip: null }),
      );
    }
    case "accounts ledger": {
      const summary = await mustGet(accounts, account);
      const entries = await accounts.ledger(account, {
        ...(o.limit === undefined ? {} : { limit: Number(o.limit) }),
        ...(o.before === undefined ? {} : { beforeId: o.before }),
      });
      const lines = entries.map((e) =>
        [
          e.id,
          e.createdAt.toISOString(),
          e.kind,
          money(e.amount, summary.currency),
          e.messageId ?? "-",
          e.actor,
          e.reference ?? "-",
          e.note,
        ].join("\t"),
      );
      return {
        text:
          entries.length === 0
            ? "No entries."
            : ["id\tat\tkind\tamount\tmessage\tactor\treference\tnote", ...lines].join("\n"),
        json: entries.map(ledgerJson),
      };
    }
    case "accounts audit": {
      const entries = await accounts.audit(
        account,
        o.limit === undefined ? undefined : Number(o.limit),
      );
      const lines = entries.map((e) =>
        [e.id, e.at, e.action, e.target ?? "-", e.actor, e.ip ?? "-"].join("\t"),
      );
      return {
        text:
          entries.length === 0
            ? "No entries."
            : ["id\tat\taction\ttarget\tactor\tip", ...lines].join("\n"),
        json: entries,
      };
    }
    case "accounts low-balance": {
      if (Boolean(command.flags.clear) === (o.threshold !== undefined)) {
        throw new AccountError("invalid_input", "give --threshold <amount> or --clear");
      }
      const summary = await accounts.setLowBalanceThreshold(account, o.threshold ?? null, {
        actor,
        ip: null,
      });
      return shown("Low-balance threshold set for", summary);
    }
    case "accounts live-requests": {
      const status = o.status ?? "pending";
      if (!["pending", "approved", "declined", "all"].includes(status)) {
        throw new AccountError("invalid_input", "--status is pending, approved, declined or all");
      }
      const requests = await accounts.liveRequests({
        status: status as "pending" | "approved" | "declined" | "all",
        ...(o.limit === undefined ? {} : { limit: Number(o.limit) }),
      });
      const lines = requests.map((r) =>
        [
          r.id,
          r.accountId,
          r.status,
          r.requestedAt,
          r.company,
          String(r.monthlyVolume),
          oneLine(r.useCase),
          r.reason ?? "-",
        ].join("\t"),
      );
      return {
        text:
          requests.length === 0
            ? "No requests."
            : ["id\taccount\tstatus\trequested\tcompany\tmonthly\tuse case\treason", ...lines].join(
                "\n",
              ),
        json: requests,
      };
    }
    case "accounts approve-live": {
      const request = await accounts.approveLive(account, { actor, ip: null });
      const summary = await mustGet(accounts, request.accountId);
      return {
        text: `Approved request ${request.id}: ${describeAccount(summary)}`,
        json: { request, account: accountJson(summary) },
      };
    }
    case "accounts decline-live": {
      const request = await accounts.declineLive(account, need(o.reason), { actor, ip: null });
      const summary = await mustGet(accounts, request.accountId);
      return {
        text: `Declined request ${request.id} (${request.reason}): ${describeAccount(summary)}`,
        json: { request, account: accountJson(summary) },
      };
    }
    case "accounts show":
      return shown("Account", await mustGet(accounts, account));
    case "accounts list": {
      const all = await accounts.list();
      const lines = all.map((a) =>
        [
          a.name,
          a.accountId,
          a.status,
          a.test ? "test" : "live",
          money(a.balance, a.currency),
        ].join("\t"),
      );
      return {
        text:
          all.length === 0
            ? "No accounts."
            : ["name\tid\tstatus\tmode\tbalance", ...lines].join("\n"),
        json: all.map(accountJson),
      };
    }
    case "accounts demo": {
      const result = await accounts.createOrRotate({ ...DEMO, actor, note: "demo account" });
      const summary = await mustGet(accounts, result.credentials.accountId);
      const output = created(
        result.created ? "Created" : "Rotated the token of",
        result.credentials,
        summary,
      );
      return { text: output.text, json: { created: result.created, ...(output.json as object) } };
    }
    case "prices load": {
      const file = command.file ?? "";
      let csv: string;
      try {
        csv = await readFile(file, "utf8");
      } catch {
        throw new Error(`cannot read ${file}`);
      }
      const result = await prices.load(csv, command.flags.replace ?? false);
      return {
        text: `Loaded ${result.stored} prices from ${file}${command.flags.replace ? ` (replaced ${result.removed})` : ""}. Running services pick them up within SWEEP_INTERVAL_MS.`,
        json: result,
      };
    }
    case "prices list": {
      const all = await prices.list();
      return {
        text:
          all
            .map((p) => `${p.prefix}\t${p.country}\t${money(p.pricePerPart, p.currency)}`)
            .join("\n") || "No prices.",
        json: all.map(priceJson),
      };
    }
    case "prices override": {
      const set = await prices.setOverride(
        need(o.account),
        need(o.prefix),
        need(o.price),
        actor,
        by,
      );
      return {
        text: `Override for ${set.accountId}: ${set.prefix} at ${money(set.pricePerPart, set.currency)} per part.`,
        json: priceJson(set),
      };
    }
    case "prices remove-override": {
      const removed = await prices.removeOverride(need(o.account), need(o.prefix), by);
      if (!removed) throw new Error(`no override of ${o.prefix} for ${o.account}`);
      return { text: `Removed the override of ${o.prefix}.`, json: { removed } };
    }
    case "prices overrides": {
      const all = await prices.overrides(need(o.account));
      return {
        text:
          all.map((p) => `${p.prefix}\t${money(p.pricePerPart, p.currency)}`).join("\n") ||
          "No overrides.",
        json: all.map(priceJson),
      };
    }
    default: {
      const unreachable: never = command.kind;
      throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
    }
  }
}

/** A customer's text on one line of a table. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}

function countries(list: string | undefined): string[] {
  return (list ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
}

/** A limit option as a number; a bad one is reported by the limits' validation. */
function rate(key: string, value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  const number = Number(value);
  return { [key]: value.trim() === "" || Number.isNaN(number) ? value : number };
}

/** A top-up or adjustment; a replay says so and names the first movement's entry. */
function movement(verb: string, done: MovementSummary): Output {
  const first = done.replayed
    ? `Already done as entry ${done.entry.id} at ${done.entry.createdAt.toISOString()} (reference ${done.entry.reference}); nothing moved now: `
    : `${verb} `;
  return { text: `${first}${describeAccount(done)}`, json: movementJson(done) };
}

function created(verb: string, credentials: Credentials, summary: AccountSummary): Output {
  return {
    text: [
      `${verb} ${describeAccount(summary)}`,
      `  hash            ${credentials.hash}`,
      `  token           ${credentials.token}`,
      `  webhook secret  ${credentials.webhookSecret}`,
      "The token is shown only now: store it safely.",
    ].join("\n"),
    json: credentialsJson(credentials, summary),
  };
}

function describeAccount(summary: AccountSummary): string {
  const extras = [
    summary.blockedCountries.length > 0 ? `blocked ${summary.blockedCountries.join(",")}` : "",
    summary.limits ? `limits ${JSON.stringify(summary.limits)}` : "",
    summary.defaultCallbackUrl ? `default callback ${summary.defaultCallbackUrl}` : "",
    summary.lowBalanceThreshold === null
      ? ""
      : `low-balance threshold ${money(summary.lowBalanceThreshold, summary.currency)}`,
  ].filter((x) => x !== "");
  return `account ${summary.name} (${summary.accountId}): ${summary.test ? "test" : "live"}, ${summary.status}, balance ${money(summary.balance, summary.currency)}${extras.length > 0 ? `; ${extras.join("; ")}` : ""}.`;
}

async function mustGet(accounts: AccountOperations, id: string): Promise<AccountSummary> {
  const summary = await accounts.get(id);
  if (!summary) throw new AccountError("not_found", `no account named "${id}"`);
  return summary;
}
