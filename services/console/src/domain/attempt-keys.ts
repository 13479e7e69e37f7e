import { clientKeyOf } from "@smsgw/callback-guard";

/**
 * A secret typed in, as the throttle sees it: the password at log-in, the two-factor code
 * after it, or both again before a sensitive action.
 */
export type TypedSecret =
  | { kind: "password"; email: string; ip: string }
  | { kind: "code"; userId: string; ip: string }
  | { kind: "password and code"; email: string; userId: string; ip: string };

export interface AttemptKeys {
  /** Counted before the secret is checked. */
  counted: string[];
  /** Forgotten when it is right (every failure before it); the rest only give this one back. */
  clearedWhenRight: string[];
}

/** The throttle key of a client address: an IPv6 client by its /64, as ingress does. */
export const clientKey = (ip: string) => `ip:${clientKeyOf(ip)}`;

/**
 * What an attempt counts against, and what a right one clears. Wrong codes are counted per
 * user (`codes:`) and only a right code clears them: a right password clears the email's
 * count, not the codes', so someone who has the password cannot wipe the count of the codes
 * they guessed by logging in again between guesses.
 */
export function attemptKeys(secret: TypedSecret): AttemptKeys {
  const client = clientKey(secret.ip);
  switch (secret.kind) {
    case "password": {
      const email = `email:${secret.email}`;
      return { counted: [email, client], clearedWhenRight: [email] };
    }
    case "code": {
      const codes = `codes:${secret.userId}`;
      return { counted: [codes, client], clearedWhenRight: [codes] };
    }
    case "password and code": {
      const email = `email:${secret.email}`;
      const codes = `codes:${secret.userId}`;
      return { counted: [email, codes, client], clearedWhenRight: [email, codes] };
    }
    default: {
      const never: never = secret;
      throw new Error(`unknown secret ${String(never)}`);
    }
  }
}
