import { randomUUID } from "node:crypto";
import type { Logger } from "@smsgw/service-kit";
import type postgres from "postgres";

export interface BindRegistryDeps {
  sql: postgres.Sql;
  /** This process; its rows are refreshed together and dropped when it stops. */
  replicaId: string;
  /** A row whose heartbeat is older than this (server time) belongs to a dead replica. */
  staleMs: number;
  heartbeatMs: number;
  log: Logger;
}

/**
 * The binds of every replica in one table (smpp_server.binds), so that an account's bind
 * limit holds for the gateway, not per replica. A claim counts the account's live binds and
 * adds one under a per-account advisory lock, so two replicas binding at once cannot both
 * take the last place. Freshness is judged by the database's clock, never the replicas'.
 */
export function startBindRegistry(deps: BindRegistryDeps) {
  const { sql, replicaId, log } = deps;
  const staleSecs = deps.staleMs / 1000;

  const heartbeat = setInterval(() => {
    sql`update smpp_server.binds set heartbeat_at = now() where replica_id = ${replicaId}`.catch(
      (error: unknown) => log.warn({ err: error }, "bind heartbeat failed"),
    );
  }, deps.heartbeatMs);
  heartbeat.unref();

  return {
    /** A new bind of the account if it holds fewer than `maxBinds` live ones; else null. */
    async claim(accountId: string, mode: string, maxBinds: number): Promise<string | null> {
      return sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtext(${`smpp-binds:${accountId}`}))`;
        const [row] = await tx<Array<{ live: number }>>`
          select count(*)::int as live from smpp_server.binds
          where account_id = ${accountId}
            and heartbeat_at > now() - make_interval(secs => ${staleSecs})`;
        if ((row?.live ?? 0) >= maxBinds) return null;
        const bindId = randomUUID();
        await tx`
          insert into smpp_server.binds (bind_id, account_id, replica_id, mode)
          values (${bindId}, ${accountId}, ${replicaId}, ${mode})`;
        return bindId;
      });
    },
    async release(bindId: string): Promise<void> {
      await sql`delete from smpp_server.binds where bind_id = ${bindId}`;
    },
    /** Stops the heartbeat and drops this replica's rows (its sessions are closed by then). */
    async stop(): Promise<void> {
      clearInterval(heartbeat);
      await sql`delete from smpp_server.binds where replica_id = ${replicaId}`.catch(
        (error: unknown) => log.warn({ err: error }, "could not drop this replica's binds"),
      );
    },
  };
}

export type BindRegistry = ReturnType<typeof startBindRegistry>;
