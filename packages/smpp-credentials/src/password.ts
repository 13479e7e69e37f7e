import { randomBytes, randomInt, scrypt, timingSafeEqual } from "node:crypto";

/** SMPP 3.4 limits (api.md section 6): system_id at most 15 characters, password at most 8. */
export const SMPP_SYSTEM_ID_MAX = 15;
export const SMPP_PASSWORD_LENGTH = 8;

const SYSTEM_ID = /^[a-z0-9][a-z0-9._-]{0,14}$/;
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const SYSTEM_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Lower-case letters, digits, '.', '_', '-', at most 15: what every ESME can type and send. */
export function isSmppSystemId(value: string): boolean {
  return SYSTEM_ID.test(value);
}

/**
 * A system_id for an account whose name cannot be one (a console sign-up's `console-<hex>` is
 * 20 characters): "c" and 11 random characters of 36, about 57 bits, so two never meet.
 */
export function newSmppSystemId(): string {
  let systemId = "c";
  for (let i = 0; i < 11; i++) systemId += SYSTEM_ID_ALPHABET[randomInt(SYSTEM_ID_ALPHABET.length)];
  return systemId;
}

/** 8 random characters of 57 (no 0/O, 1/l/I): about 46.7 bits, the most SMPP 3.4 carries. */
export function newSmppPassword(): string {
  let password = "";
  for (let i = 0; i < SMPP_PASSWORD_LENGTH; i++) password += ALPHABET[randomInt(ALPHABET.length)];
  return password;
}

// ADR 0012: an 8-character password is too short for a fast hash (ADR 0006's SHA-256 is for
// 256-bit tokens), so scrypt; it runs once per bind, never per message.
const N = 16_384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const PREFIX = "scrypt";

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { N: n, r, p, maxmem: 256 * n * r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `scrypt$N$r$p$<salt base64>$<key base64>`: the parameters travel with the hash. */
export async function hashSmppPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return [PREFIX, N, R, P, salt.toString("base64"), key.toString("base64")].join("$");
}

/** Whether `password` matches `stored` (constant-time compare); false for a malformed hash. */
export async function verifySmppPassword(password: string, stored: string): Promise<boolean> {
  const [prefix, n, r, p, salt, key] = stored.split("$");
  if (prefix !== PREFIX || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, "base64");
  const given = await derive(
    password,
    Buffer.from(salt, "base64"),
    Number(n),
    Number(r),
    Number(p),
  );
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * A hash to verify against when the system_id is unknown, so that case costs what a wrong
 * password costs (no oracle for which half was wrong).
 */
export const UNKNOWN_SYSTEM_ID_HASH = `${PREFIX}$${N}$${R}$${P}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;
