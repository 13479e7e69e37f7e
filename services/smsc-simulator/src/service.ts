import {
  type HealthServer,
  type Logger,
  type RunningService,
  startHealthServer,
} from "@smsgw/service-kit";
import type { SmscSimulatorConfig } from "./config.ts";
import { createRecent } from "./domain/recent.ts";
import type { Submission } from "./domain/submission.ts";
import {
  type BindCounts,
  type SimulatedCarrier,
  startSimulatedCarrier,
} from "./handlers/carrier.ts";
import { submissionsRoute } from "./handlers/http.ts";

export interface StartedSmscSimulator extends RunningService {
  /** The bound SMPP port of each carrier (config port 0 = any free port). */
  readonly ports: Record<string, number>;
  readonly healthPort: number;
  /** The last received submits (one per part), oldest first. */
  submissions(): Submission[];
  /** Binds accepted and refused so far, per carrier. */
  binds(): Record<string, BindCounts>;
}

/** Starts one SMPP server per configured carrier and the health server. */
export async function startSmscSimulator(
  config: SmscSimulatorConfig,
  log: Logger,
): Promise<StartedSmscSimulator> {
  const recent = createRecent<Submission>(config.SIM_KEEP_SUBMISSIONS);
  const carriers: SimulatedCarrier[] = [];
  let http: HealthServer | undefined;
  let stopping = false;

  const stop = async () => {
    stopping = true;
    await http?.close();
    await Promise.all(carriers.map((carrier) => carrier.close()));
  };

  try {
    for (const carrier of config.SIM_CARRIERS) {
      carriers.push(
        await startSimulatedCarrier(carrier, {
          host: config.SIM_HOST,
          log,
          record: (submission) => recent.push(submission),
          now: () => new Date(),
        }),
      );
    }
    http = await startHealthServer(
      config.HEALTH_PORT,
      config.HTTP_HOST,
      { live: () => true, ready: () => !stopping },
      submissionsRoute(() => recent.list()),
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
  };
}
