import type { Logger } from "pino";
import type { z } from "zod";
import { errorMessage } from "../errors.ts";
import type { Nats } from "./connect.ts";

export interface ResponderOptions<T, R> {
  nc: Nats["nc"];
  subject: string;
  /** The queue group: one replica of the service answers each request. */
  queue: string;
  /** The request as the caller sends it; anything else is answered with `refuse`. */
  schema: z.ZodType<T>;
  log: Logger;
  /** Names the requests in log lines ("redact", …). */
  what: string;
  answer(request: T): Promise<R>;
  /** The answer to a request that is not JSON, does not parse, or whose answering threw. */
  refuse(reason: string): R;
}

/**
 * Answers NATS requests on `subject` (request/reply, never stored): each request parsed with
 * `schema`, answered with `answer`, or refused with a reason when it cannot be; a reply that
 * cannot be sent is logged, not thrown (the caller times out and retries).
 */
export function startResponder<T, R>(options: ResponderOptions<T, R>): { stop(): Promise<void> } {
  const { log, what } = options;
  const subscription = options.nc.subscribe(options.subject, {
    queue: options.queue,
    callback(error, msg) {
      if (error) {
        log.warn({ err: errorMessage(error) }, `${what} subscription error`);
        return;
      }
      const reply = (response: R) => {
        try {
          msg.respond(JSON.stringify(response));
        } catch (e) {
          log.warn({ err: errorMessage(e) }, `${what} reply not sent`);
        }
      };
      let parsed: ReturnType<z.ZodType<T>["safeParse"]>;
      try {
        parsed = options.schema.safeParse(msg.json());
      } catch {
        return reply(options.refuse("the request is not JSON"));
      }
      if (!parsed.success) return reply(options.refuse(`invalid ${what} request`));
      options.answer(parsed.data).then(reply, (e: unknown) => {
        log.error({ err: errorMessage(e) }, `${what} failed`);
        reply(options.refuse(`the ${what} request failed; try again`));
      });
    },
  });
  return {
    async stop() {
      await subscription.drain().catch(() => undefined);
    },
  };
}
