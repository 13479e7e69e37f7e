import { randomBytes } from "node:crypto";
import { loadCarrierConnectorConfig, startCarrierConnector } from "@smsgw/carrier-connector";
import { loadConsoleConfig, type StartedConsole, startConsole } from "@smsgw/console";
import { NATS_OPERATOR_USER, newMessageId } from "@smsgw/contracts";
import { loadDlrDispatcherConfig, startDlrDispatcher } from "@smsgw/dlr-dispatcher";
import { loadEventStoreConfig, startEventStore } from "@smsgw/event-store";
import { loadInboundConfig, type StartedInbound, startInbound } from "@smsgw/inbound";
import { loadIngressConfig, startIngress } from "@smsgw/ingress";
import { loadPricingConfig, startPricing } from "@smsgw/pricing";
import { loadRoutingConfig, startRouting } from "@smsgw/routing";
import { createLogger, type RunningService } from "@smsgw/service-kit";
import { loadSmppServerConfig, type StartedSmppServer, startSmppServer } from "@smsgw/smpp-server";
import { loadSmscSimulatorConfig, startSmscSimulator } from "@smsgw/smsc-simulator";
import { createTestInfra, startAuthorizedNats, type TestInfra, waitFor } from "@smsgw/testkit";
import type { DestinationStream } from "pino";

const level = process.env.TEST_LOG_LEVEL ?? "silent";

/**
 * The whole gateway in this process, on the real NATS and PostgreSQL, with its own
 * database and subject prefix: every service started by its own start function, talking
 * over real sockets (HTTP, NATS, SMPP) exactly as the separate processes do.
 */
export interface GatewayOptions {
  /** Extra outcomes per simulated carrier (e.g. a submit error for a prefix). */
  simOutcomes?: Record<string, Array<Record<string, unknown>>>;
  /** Adjusts the carriers the connector is given (e.g. a wrong password). */
  connectorCarriers?: (carriers: Array<Record<string, unknown>>) => Array<Record<string, unknown>>;
  /** Variables one service gets on top of the shared ones (e.g. its own NATS user). */
  envOf?: (service: string) => Record<string, string>;
  /** Also runs smpp-server (customers' SMPP binds) on a free port. */
  smppServer?: boolean;
  /** Also runs the inbound service (numbers and inbound messages). */
  inbound?: boolean;
  /** Also runs the customer console (its pages on a free port, sending through ingress). */
  console?: boolean;
  /** Where every service logs, and from which level (default: TEST_LOG_LEVEL on stdout). */
  logs?: { destination: DestinationStream; level: string };
  /**
   * A nats-server of the gateway's own with the permission file rendered for its prefix
   * (ADR 0015): each service under its own NATS user, the test's own clients (`infra.env`)
   * as the operator, and `stop` fails on any permission violation the server logged. On by
   * default (every gateway file passes under it); TEST_NATS_AUTH=0 runs the gateways on the
   * machine's NATS (or NATS_URL) without users, as before.
   */
  natsAuth?: boolean;
}

export async function startGateway(
  extraEnv: Record<string, string> = {},
  options: GatewayOptions = {},
) {
  const infra: TestInfra = await createTestInfra({
    HTTP_PORT: "0",
    HEALTH_PORT: "0",
    WEBHOOK_ALLOW_PRIVATE: "true",
    ...extraEnv,
  });
  const nats =
    (options.natsAuth ?? process.env.TEST_NATS_AUTH !== "0")
      ? await startAuthorizedNats(infra.prefix)
      : undefined;
  // The test's own connections and the services it starts itself log in as the operator.
  if (nats) Object.assign(infra.env, nats.envOf(NATS_OPERATOR_USER));
  const shared = infra.env;
  const envOf = (service: string) => ({
    ...shared,
    ...nats?.envOf(service),
    ...options.envOf?.(service),
  });
  const started: Array<{ name: string; service: RunningService }> = [];
  const log = (name: string) =>
    options.logs
      ? createLogger(name, options.logs.level, options.logs.destination)
      : createLogger(name, level);

  // A start that fails half way leaves no service, nats-server or database behind.
  const launch = async () => {
    const simulator = await startSmscSimulator(
      loadSmscSimulatorConfig({
        ...shared,
        SIM_CARRIERS: JSON.stringify([
          {
            id: "sim-a",
            port: 0,
            systemId: "sim-a",
            password: "secret",
            receiptDelayMs: 20,
            idBase: "hex",
            outcomes: [
              { prefix: "+3725550", stat: "UNDELIV", err: "001" },
              ...(options.simOutcomes?.["sim-a"] ?? []),
            ],
          },
          {
            id: "sim-b",
            port: 0,
            systemId: "sim-b",
            password: "secret",
            receiptDelayMs: 20,
            idBase: "decimal",
            outcomes: options.simOutcomes?.["sim-b"] ?? [],
          },
        ]),
      }),
      log("smsc-simulator"),
    );
    started.push({ name: "smsc-simulator", service: simulator });

    const simulated = Object.entries(simulator.ports).map(([id, port]) => ({
      id,
      host: "127.0.0.1",
      port,
      systemId: id,
      password: "secret",
      idBase: id === "sim-a" ? "hex" : "decimal",
      // They are simulators: test accounts' messages (the default account kind) may use them.
      simulated: true,
    }));
    const carriers = options.connectorCarriers ? options.connectorCarriers(simulated) : simulated;

    const eventStore = await startEventStore(
      loadEventStoreConfig(envOf("event-store")),
      log("event-store"),
    );
    started.push({ name: "event-store", service: eventStore });
    const pricing = await startPricing(loadPricingConfig(envOf("pricing")), log("pricing"));
    started.push({ name: "pricing", service: pricing });
    const routing = await startRouting(loadRoutingConfig(envOf("routing")), log("routing"));
    started.push({ name: "routing", service: routing });
    const connector = await startCarrierConnector(
      loadCarrierConnectorConfig({
        ...envOf("carrier-connector"),
        CARRIERS: JSON.stringify(carriers),
        // Every e2e test binds with the carriers' passwords sealed at rest (issue 23).
        CARRIER_SECRETS_KEY: randomBytes(32).toString("base64"),
      }),
      log("carrier-connector"),
    );
    started.push({ name: "carrier-connector", service: connector });
    const dispatcher = await startDlrDispatcher(
      loadDlrDispatcherConfig(envOf("dlr-dispatcher")),
      log("dlr-dispatcher"),
    );
    started.push({ name: "dlr-dispatcher", service: dispatcher });
    const ingress = await startIngress(loadIngressConfig(envOf("ingress")), log("ingress"));
    started.push({ name: "ingress", service: ingress });
    let inbound: StartedInbound | undefined;
    if (options.inbound) {
      inbound = await startInbound(loadInboundConfig(envOf("inbound")), log("inbound"));
      started.push({ name: "inbound", service: inbound });
    }
    let smppServer: StartedSmppServer | undefined;
    if (options.smppServer) {
      smppServer = await startSmppServer(
        loadSmppServerConfig({ ...envOf("smpp-server"), SMPP_PORT: "0" }),
        log("smpp-server"),
      );
      started.push({ name: "smpp-server", service: smppServer });
    }
    // Routing learns which carriers are simulators from the connector's health records: a
    // test account's message accepted before they arrive would find no simulator.
    const ids = carriers.map((c) => String(c.id));
    await waitFor(() => ids.every((id) => routing.view().health.has(id)), {
      what: "routing sees every carrier's health",
    });

    const baseUrl = `http://127.0.0.1:${ingress.port}`;
    let consoleService: StartedConsole | undefined;
    if (options.console) {
      consoleService = await startConsole(
        loadConsoleConfig({ ...envOf("console"), INGRESS_URL: baseUrl }),
        log("console"),
      );
      started.push({ name: "console", service: consoleService });
    }
    return {
      infra,
      simulator,
      pricing: withAccountsKnownToIngress(pricing, baseUrl),
      routing,
      connector,
      baseUrl,
      smppServer,
      inbound,
      consoleUrl: consoleService ? `http://127.0.0.1:${consoleService.port}` : undefined,
      /** Stops one service, as a crash or a deploy would (for the error table's 500 row). */
      async stopService(name: string) {
        const index = started.findIndex((s) => s.name === name);
        const [entry] = started.splice(index, 1);
        await entry?.service.stop();
      },
      /** The permission violations the gateway's own nats-server logged so far (natsAuth). */
      natsViolations: () => nats?.violations() ?? [],
      async stop() {
        for (const { service } of started.reverse()) await service.stop();
        const violations = nats?.violations() ?? [];
        await nats?.stop();
        await infra.cleanup();
        if (violations.length > 0) {
          throw new Error(
            `NATS permission violations (a grant missing?):\n${violations.join("\n")}`,
          );
        }
      },
    };
  };
  try {
    return await launch();
  } catch (error) {
    for (const { service } of started.reverse()) await service.stop().catch(() => undefined);
    await nats?.stop();
    await infra.cleanup();
    throw error;
  }
}

export type Gateway = Awaited<ReturnType<typeof startGateway>>;

/**
 * A new account reaches ingress through the accounts KV, which on a busy machine can take
 * longer than a test's first request (401 auth_failed). The gateway's `createAccount` returns
 * once ingress knows the account: a status query with its credentials no longer answers 401.
 */
function withAccountsKnownToIngress<P extends { accounts: object }>(
  pricing: P,
  baseUrl: string,
): P {
  const accounts = new Proxy(pricing.accounts, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property !== "createAccount" || typeof value !== "function") {
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (...args: unknown[]) => {
        const account = (await value.apply(target, args)) as { hash: string; token: string };
        await untilIngressKnows(baseUrl, account);
        return account;
      };
    },
  });
  return new Proxy(pricing, {
    get: (target, property) =>
      property === "accounts" ? accounts : Reflect.get(target, property, target),
  });
}

export async function untilIngressKnows(
  baseUrl: string,
  account: { hash: string; token: string },
): Promise<void> {
  const basic = Buffer.from(`${account.hash}:${account.token}`).toString("base64");
  await waitFor(
    async () => {
      const probe = await fetch(`${baseUrl}/v1/messages/${newMessageId()}`, {
        headers: { authorization: `Basic ${basic}` },
      });
      await probe.arrayBuffer();
      return probe.status !== 401;
    },
    { what: "ingress to know the new account" },
  );
}
