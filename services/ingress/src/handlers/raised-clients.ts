import { setNewest } from "@smsgw/service-kit";

/**
 * The client addresses (`clientKeyOf` keys) whose sends lately named, in their body, an account
 * with a raised IP limit. The front door sees no body: past the default IP limit it lets such
 * an address's requests without credentials in the URL or headers through to the app, which
 * applies the limit of the account the body names (`body-ip-limit.ts`). Any other address past
 * the default limit is still refused at the door, before its body is read. Bounded: the oldest
 * address goes first; an address is forgotten `forgetAfterMs` after its account last named it.
 */
export interface RaisedClients {
  remember(clientKey: string, now: number): void;
  knows(clientKey: string, now: number): boolean;
}

export function createRaisedClients(
  options: { capacity?: number; forgetAfterMs?: number } = {},
): RaisedClients {
  const capacity = options.capacity ?? 10_000;
  const forgetAfterMs = options.forgetAfterMs ?? 10 * 60_000;
  /** Last seen, in insertion order: a re-remembered address moves to the end. */
  const seenAt = new Map<string, number>();
  return {
    remember(clientKey, now) {
      setNewest(seenAt, clientKey, now, capacity);
    },
    knows(clientKey, now) {
      const at = seenAt.get(clientKey);
      if (at === undefined) return false;
      if (now - at <= forgetAfterMs) return true;
      seenAt.delete(clientKey);
      return false;
    },
  };
}
