import { lookup } from "node:dns/promises";
import { isIpAddress, refusalOf } from "../domain/destination.ts";

export type Resolve = (host: string) => Promise<string[]>;

export type Verdict = { kind: "allowed" } | { kind: "refused"; reason: string };

/** All addresses of a name, as the operating system's resolver gives them (what fetch uses). */
export const resolveAll: Resolve = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

const VERDICT_TTL_MS = 30_000;
const MAX_CACHED = 10_000;
const LOOKUP_TIMEOUT_MS = 5_000;

/**
 * The I/O half of the SSRF guard: resolves a callback host (every address must be
 * public) and remembers the verdict briefly, so a busy endpoint costs one lookup per
 * 30 s rather than one per report. A failed lookup throws: the caller retries later.
 *
 * fetch resolves the name again when it connects; a name that changes its answer in
 * between (DNS rebinding) is not caught here. Pinning the address needs a connect hook.
 */
export function createDestinationGuard(options: {
  allowPrivate: boolean;
  resolve?: Resolve;
  now?: () => number;
}) {
  const resolve = options.resolve ?? resolveAll;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { verdict: Verdict; expiresAt: number }>();

  async function judge(host: string): Promise<Verdict> {
    const addresses = isIpAddress(host) ? [host] : await withTimeout(resolve(host), host);
    const reason = refusalOf(host, addresses);
    return reason === null ? { kind: "allowed" } : { kind: "refused", reason };
  }

  return async function check(host: string): Promise<Verdict> {
    if (options.allowPrivate) return { kind: "allowed" };
    const cached = cache.get(host);
    if (cached && cached.expiresAt > now()) return cached.verdict;
    const verdict = await judge(host);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(host, { verdict, expiresAt: now() + VERDICT_TTL_MS });
    return verdict;
  };
}

async function withTimeout<T>(work: Promise<T>, host: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`resolving ${host} took over ${LOOKUP_TIMEOUT_MS} ms`)),
      LOOKUP_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
