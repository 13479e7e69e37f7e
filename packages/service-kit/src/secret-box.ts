import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Secrets a service must read back in clear (a carrier's SMPP password, to bind) kept at rest
 * sealed with AES-256-GCM under a key from the environment, so a dump or backup of the
 * database does not hand them out. A sealed value names its key (the first 8 hex digits of the
 * key's SHA-256), so a key is rotated by giving the old one as the previous key until every
 * value has been sealed again under the new one.
 */
export interface SecretBox {
  seal(plain: string): string;
  /** The plain text of a sealed value; throws when no key of this box sealed it, or it was altered. */
  open(sealed: string): string;
  /** Sealed, and under this box's current key (nothing to do on a rotation). */
  isCurrent(value: string): boolean;
}

const PREFIX = "sealed:v1:";

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** A key as given in the environment: 32 bytes, base64 (`openssl rand -base64 32`). */
export function secretBoxKey(base64: string): Buffer {
  const key = Buffer.from(base64, "base64");
  if (key.length !== 32) throw new Error("a secret-box key is 32 bytes, given as base64");
  return key;
}

const keyIdOf = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 8);

export function createSecretBox(current: Buffer, previous?: Buffer): SecretBox {
  const keys = new Map<string, Buffer>([[keyIdOf(current), current]]);
  if (previous) keys.set(keyIdOf(previous), previous);
  const currentId = keyIdOf(current);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", current, iv);
      const sealed = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), sealed].map((b) => b.toString("base64url"));
      return `${PREFIX}${currentId}:${parts.join(":")}`;
    },
    open(value) {
      if (!isSealed(value)) throw new Error("not a sealed value");
      const [keyId, iv, tag, sealed] = value.slice(PREFIX.length).split(":");
      const key = keys.get(keyId ?? "");
      if (!key || iv === undefined || tag === undefined || sealed === undefined) {
        throw new Error(`sealed under key ${keyId ?? "?"}, which this service does not hold`);
      }
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([
        decipher.update(Buffer.from(sealed, "base64url")),
        decipher.final(),
      ]).toString("utf8");
    },
    isCurrent(value) {
      return value.startsWith(`${PREFIX}${currentId}:`);
    },
  };
}
