import type { LookupAddress } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { endpointOf, literalAddressVerdict, refusalOf } from "@smsgw/callback-guard";
import { type AttemptResult, parseRetryAfter } from "../domain/attempt.ts";

/** Every address of a name, as the operating system's resolver answers. */
export type Resolve = (host: string) => Promise<LookupAddress[]>;

export const resolveAll: Resolve = (host) => dnsLookup(host, { all: true, verbatim: true });

/** An attempt's result; `refused` when the SSRF guard stopped it before anything was sent. */
export type PostResult = AttemptResult & { refused?: string };

const MAX_ANSWER_BYTES = 64 * 1024;

class RefusedDestination extends Error {
  readonly code = "ESSRF";
}

/**
 * POSTs reports with the SSRF guard pinned to the connection: the host is resolved once,
 * in the socket's own `lookup` hook, every address is checked, and the socket connects to
 * exactly those checked addresses — there is no second resolution a rebinding name could
 * answer differently. Literal IP hosts never reach the hook, so they are judged first.
 * Redirects are never followed. Keep-alive agents reuse sockets, which were checked when
 * they connected.
 */
export function createPoster(options: {
  timeoutMs: number;
  allowPrivate: boolean;
  resolve?: Resolve;
}) {
  const resolve = options.resolve ?? resolveAll;
  const agents = {
    "http:": new HttpAgent({ keepAlive: true, scheduling: "lifo" }),
    "https:": new HttpsAgent({ keepAlive: true, scheduling: "lifo" }),
  };

  const lookup: RequestOptions["lookup"] = (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (found) => {
        const family =
          lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const addresses = family === 0 ? found : found.filter((a) => a.family === family);
        const reason = options.allowPrivate
          ? null
          : refusalOf(
              hostname,
              addresses.map((a) => a.address),
            );
        const first = addresses[0];
        if (reason !== null) return callback(new RefusedDestination(reason), "", 0);
        if (!first)
          return callback(
            Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }),
            "",
            0,
          );
        if (lookupOptions.all)
          return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
        return callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, "", 0),
    );
  };

  function post(url: URL, headers: Record<string, string>, body: string): Promise<PostResult> {
    const literal = literalAddressVerdict(url, { allowPrivate: options.allowPrivate });
    if (!literal.allowed)
      return Promise.resolve({
        httpStatus: null,
        error: null,
        latencyMs: 0,
        refused: literal.reason,
      });
    const started = performance.now();
    const latency = () => Math.round((performance.now() - started) * 10) / 10;
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const agent = url.protocol === "https:" ? agents["https:"] : agents["http:"];

    return new Promise<PostResult>((settle) => {
      let done = false;
      const finish = (result: PostResult) => {
        if (done) return;
        done = true;
        settle(result);
      };
      const request = send(url, {
        method: "POST",
        agent,
        lookup,
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      });
      // One deadline for the whole attempt (lookup, connect, TLS, answer); it also
      // bounds how long a trickling answer body may hold the socket.
      const timer = setTimeout(() => {
        finish({
          httpStatus: null,
          error: `timeout after ${options.timeoutMs} ms`,
          latencyMs: latency(),
        });
        request.destroy();
      }, options.timeoutMs);
      request.on("response", (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const retryAfter = response.headers["retry-after"];
        finish({
          httpStatus: status,
          error: redirectError(status, response.headers.location, url),
          latencyMs: latency(),
          ...(status === 429 || status === 503
            ? { retryAfterMs: parseRetryAfter(retryAfter, new Date()) }
            : {}),
        });
        drain(response, () => {
          clearTimeout(timer);
          request.destroy();
        });
        response.on("end", () => clearTimeout(timer));
      });
      request.on("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (error instanceof RefusedDestination) {
          finish({ httpStatus: null, error: null, latencyMs: latency(), refused: error.message });
        } else {
          finish({ httpStatus: null, error: describeError(error), latencyMs: latency() });
        }
      });
      request.end(body);
    });
  }

  return {
    post,
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}

export type Poster = ReturnType<typeof createPoster>;

/** Reads and drops the answer's body (so the socket can be reused), up to a limit. */
function drain(response: IncomingMessage, tooLong: () => void) {
  let size = 0;
  response.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) tooLong();
  });
  response.on("error", () => undefined);
}

/** Redirects are never followed; the attempt records where it pointed, and whether that is a forbidden address. */
export function redirectError(
  status: number,
  location: string | undefined,
  base: URL,
): string | null {
  if (status < 300 || status >= 400) return null;
  let target: URL | null = null;
  try {
    target = location ? new URL(location, base) : null;
  } catch {
    target = null;
  }
  if (!target) return `redirect (${status}) not followed`;
  const verdict = literalAddressVerdict(target, { allowPrivate: false });
  const where =
    target.protocol === "http:" || target.protocol === "https:"
      ? endpointOf(target)
      : target.protocol;
  return verdict.allowed
    ? `redirect (${status}) to ${where} not followed`
    : `redirect (${status}) to ${where} not followed: refused, ${verdict.reason}`;
}

/** A short, stable reason: "ECONNREFUSED", "socket hang up", … never a stack. */
function describeError(error: NodeJS.ErrnoException): string {
  const code = typeof error.code === "string" ? error.code : undefined;
  if (code && error.message.includes(code)) return error.message;
  return code ? `${code}: ${error.message}` : error.message;
}
