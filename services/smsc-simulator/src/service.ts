import {
  type HealthServer,
  type Logger,
  type RunningService,
  startHealthServer,
} from "@smsgw/service-kit";
import type { z } from "zod";
import {
  type SimBehaviour,
  SimBehaviour as SimBehaviourSchema,
  type SmscSimulatorConfig,
} from "./config.ts";
import type { MoCommand } from "./domain/receipt.ts";
import { createRecent } from "./domain/recent.ts";
import type { Submission } from "./domain/submission.ts";
import {
  type BindCounts,
  type SimulatedCarrier,
  startSimulatedCarrier,
} from "./handlers/carrier.ts";
import { simulatorRoutes } from "./handlers/http.ts";

export interface StartedSmscSimulator extends RunningService {
  /** The bound SMPP port of each carrier (config port 0 = any free port). */
  readonly ports: Record<string, number>;
  readonly healthPort: number;
  /** The last received submits (one per part), oldest first. */
  submissions(): Submission[];
  /** Binds accepted and refused so far, per carrier. */
  binds(): Record<string, BindCounts>;
  /** Sessions bound now, per carrier (how many binds the ESMEs hold between them). */
  openBinds(): Record<string, number>;
  /** Replaces a carrier's behaviour (missing fields take their defaults); throws on bad input. */
  configure(carrierId: string, behaviour: z.input<typeof SimBehaviourSchema>): void;
  behaviour(carrierId: string): SimBehaviour;
  /** Closes every session of the carrier now; returns how many. */
  dropBinds(carrierId: string): number;
  /** Starts the carrier's message ids again from its first (as after an SMSC restart); returns the next id. */
  restartIds(carrierId: string): string;
  /** Sends an MO message to a bound receiver of the carrier; resolves with its deliver_sm_resp status. */
  sendMo(carrierId: string, mo: MoCommand): Promise<number>;
}

/** Starts one SMPP server per configured carrier and the health server. */
export async function startSmscSimulator(
  config: SmscSimulatorConfig,
  log: Logger,
): Promise<StartedSmscSimulator> {
  const recent = createRecent<Submission>(config.SIM_KEEP_SUBMISSIONS);
  const carriers: SimulatedCarrier[] = [];
  const byId = new Map<string, SimulatedCarrier>();
  let http: HealthServer | undefined;
  let stopping = false;

  const stop = async () => {
    stopping = true;
    await http?.close();
    await Promise.all(carriers.map((carrier) => carrier.close()));
  };

  try {
    for (const carrier of config.SIM_CARRIERS) {
      const started = await startSimulatedCarrier(carrier, {
        host: config.SIM_HOST,
        log,
        record: (submission) => recent.push(submission),
        now: () => new Date(),
      });
      carriers.push(started);
      byId.set(started.id, started);
    }
    http = await startHealthServer(
      config.HEALTH_PORT,
      config.HTTP_HOST,
      { live: () => true, ready: () => !stopping },
      simulatorRoutes(() => recent.list(), byId),
    );
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  const ports = Object.fromEntries(carriers.map((carrier) => [carrier.id, carrier.port]));
  log.info({ ports, healthPort: http.port }, "smsc simulator ready");
  return {
    ports,
    healthPort: http.port,
    ready: () => !stopping,
    stop,
    submissions: () => recent.list(),
    binds: () => Object.fromEntries(carriers.map((carrier) => [carrier.id, { ...carrier.binds }])),
    openBinds: () =>
      Object.fromEntries(carriers.map((carrier) => [carrier.id, carrier.openBinds()])),
    configure: (carrierId, behaviour) =>
      carrierOf(carrierId).configure(SimBehaviourSchema.parse(behaviour)),
    behaviour: (carrierId) => carrierOf(carrierId).behaviour(),
    dropBinds: (carrierId) => carrierOf(carrierId).dropBinds(),
    restartIds: (carrierId) => carrierOf(carrierId).restartIds(),
    sendMo: (carrierId, mo) => carrierOf(carrierId).sendMo(mo),
  };

  function carrierOf(carrierId: string): SimulatedCarrier {
    const carrier = byId.get(carrierId);
    if (!carrier) throw new Error(`no simulated carrier "${carrierId}"`);
    return carrier;
  }
}
