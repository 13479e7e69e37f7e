import { type ServiceProcess, startServiceProcess } from "./service-process.ts";

/** One received submit_sm (one part), as the simulator's `GET /submissions` answers it. */
export interface SimSubmission {
  carrierId: string;
  carrierMessageId: string;
  source: string;
  destination: string;
  dataCoding: number;
  esmClass: number;
  udh: { ref: number; total: number; seq: number } | null;
  text: string;
  receivedAt: string;
}

export interface SimBindCounts {
  accepted: number;
  refused: number;
}

/**
 * The SMSC simulator (a fake carrier) run as its own process, driven over its HTTP API
 * (services/smsc-simulator/README.md, "HTTP"): a test of the connector talks SMPP to it and
 * checks what it received, as an operator would, without importing the simulator's code.
 */
export interface SimulatorProcess extends ServiceProcess {
  /** Each carrier's SMPP port (the ones asked for as 0 got a free one). */
  readonly ports: Readonly<Record<string, number>>;
  submissions(): Promise<SimSubmission[]>;
  /** Binds accepted and refused per carrier since the start. */
  binds(): Promise<Record<string, SimBindCounts>>;
  /** Sessions bound now, per carrier. */
  openBinds(): Promise<Record<string, number>>;
  /** Replaces a carrier's behaviour (`PUT /carriers/{id}`, missing fields take defaults). */
  configure(carrierId: string, behaviour: Record<string, unknown>): Promise<void>;
  /** Closes every session of the carrier now; resolves with how many. */
  dropBinds(carrierId: string): Promise<number>;
  /**
   * Sends an MO to a bound receiver; resolves with the deliver_sm_resp command status. With
   * `concat` the text goes as parts (UDH 8/16-bit or SAR); `onlyParts` sends some of them.
   */
  sendMo(
    carrierId: string,
    mo: {
      from: string;
      to: string;
      text: string;
      concat?: "udh8" | "udh16" | "sar";
      ref?: number;
      onlyParts?: number[];
      /** With concat: octet offsets in the encoded text where parts end (mid-character too). */
      splitAt?: number[];
    },
  ): Promise<number>;
}

interface CarrierView {
  id: string;
  port: number;
  openBinds: number;
  binds: SimBindCounts;
}

/** Starts `services/smsc-simulator` with `env` (SIM_CARRIERS and the like). */
export async function startSimulatorProcess(
  env: Record<string, string>,
): Promise<SimulatorProcess> {
  const service = await startServiceProcess("smsc-simulator", {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...env,
  });
  const base = `http://127.0.0.1:${service.healthPort}`;
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    const answer = (await res.json()) as T;
    if (!res.ok)
      throw new Error(`simulator ${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  }
  const carriers = () => call<CarrierView[]>("GET", "/carriers");
  const perCarrier = async <T>(pick: (carrier: CarrierView) => T) =>
    Object.fromEntries((await carriers()).map((carrier) => [carrier.id, pick(carrier)]));
  const carrier = (id: string) => `/carriers/${encodeURIComponent(id)}`;

  const ports = await perCarrier((c) => c.port);
  return {
    ...service,
    ports,
    submissions: () => call<SimSubmission[]>("GET", "/submissions"),
    binds: () => perCarrier((c) => c.binds),
    openBinds: () => perCarrier((c) => c.openBinds),
    async configure(carrierId, behaviour) {
      await call("PUT", carrier(carrierId), behaviour);
    },
    async dropBinds(carrierId) {
      return (await call<{ dropped: number }>("POST", `${carrier(carrierId)}/drop-binds`)).dropped;
    },
    async sendMo(carrierId, mo) {
      return (await call<{ commandStatus: number }>("POST", `${carrier(carrierId)}/mo`, mo))
        .commandStatus;
    },
  };
}
