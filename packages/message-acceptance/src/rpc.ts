import type { NatsConnection } from "@nats-io/transport-node";
import { traceHeaders } from "@smsgw/service-kit";
import type { z } from "zod";

export class RpcFailedError extends Error {
  override name = "RpcFailedError";
}

/** One NATS request/reply whose answer must match `schema`; throws RpcFailedError otherwise. */
export async function requestReply<T>(
  nc: NatsConnection,
  subject: string,
  request: unknown,
  schema: z.ZodType<T>,
  timeoutMs: number,
): Promise<T> {
  let reply: unknown;
  const headers = traceHeaders();
  try {
    const msg = await nc.request(
      subject,
      JSON.stringify(request),
      headers ? { timeout: timeoutMs, headers } : { timeout: timeoutMs },
    );
    reply = msg.json();
  } catch (error) {
    throw new RpcFailedError(`no answer on ${subject}`, { cause: error });
  }
  const parsed = schema.safeParse(reply);
  if (!parsed.success)
    throw new RpcFailedError(`the answer on ${subject} does not match its schema`);
  return parsed.data;
}
