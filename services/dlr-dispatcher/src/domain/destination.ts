/**
 * The pure half of the SSRF guard: which callback URLs may be called at all, and which
 * IP addresses are off limits (loopback, private, link-local and cloud metadata,
 * unspecified, CGNAT, multicast, reserved). The handler resolves names and asks here.
 */

export type CallbackUrl =
  | { ok: true; url: URL; endpoint: string; host: string }
  | { ok: false; endpoint: string; reason: string };

/** Scheme, host and path only: query strings and user info may carry the receiver's secrets. */
export function endpointOf(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function parseCallbackUrl(text: string): CallbackUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, endpoint: "(invalid url)", reason: "the callback URL is not a valid URL" };
  }
  const endpoint = endpointOf(url);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, endpoint, reason: `scheme ${url.protocol} is not allowed (http or https)` };
  }
  if (url.hostname === "") return { ok: false, endpoint, reason: "the callback URL has no host" };
  return { ok: true, url, endpoint, host: stripBrackets(url.hostname) };
}

export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link_local"
  | "metadata"
  | "unspecified"
  | "cgnat"
  | "multicast"
  | "reserved";

/** The class of an IPv4 or IPv6 address in text form; null when it is not an IP address. */
export function classifyAddress(text: string): AddressClass | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return classifyIPv4(v4);
  const v6 = parseIPv6(text);
  return v6 === null ? null : classifyIPv6(v6);
}

/** True when `text` is an IP address (v4 or v6), so no name needs resolving. */
export function isIpAddress(text: string): boolean {
  return parseIPv4(text) !== null || parseIPv6(text) !== null;
}

/** Why the addresses a host resolved to are refused, or null when every one is public. */
export function refusalOf(host: string, addresses: readonly string[]): string | null {
  if (addresses.length === 0) return `${host} resolved to no address`;
  for (const address of addresses) {
    const kind = classifyAddress(address);
    if (kind === null) return `${host} resolved to an unparseable address ${address}`;
    if (kind !== "public") {
      const label = kind.replace("_", "-");
      return address === host
        ? `${host} is a ${label} address`
        : `${host} resolves to a ${label} address (${address})`;
    }
  }
  return null;
}

// --- IPv4 -------------------------------------------------------------------------

const V4_RANGES: ReadonlyArray<readonly [string, number, AddressClass]> = [
  ["169.254.169.254", 32, "metadata"],
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "cgnat"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link_local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

const V4_TABLE = V4_RANGES.map(([base, bits, kind]) => ({
  base: parseIPv4(base) ?? 0,
  mask: bits === 0 ? 0 : (0xffff_ffff << (32 - bits)) >>> 0,
  kind,
}));

function classifyIPv4(address: number): AddressClass {
  for (const { base, mask, kind } of V4_TABLE) {
    if ((address & mask) >>> 0 === base) return kind;
  }
  return "public";
}

/** Dotted decimal only (the URL parser and the resolver both give this form). */
function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

// --- IPv6 -------------------------------------------------------------------------

const V6_RANGES: ReadonlyArray<readonly [bigint, number, AddressClass]> = [
  [0n, 128, "unspecified"],
  [1n, 128, "loopback"],
  [0xfc00n << 112n, 7, "private"],
  [0xfe80n << 112n, 10, "link_local"],
  [0xfec0n << 112n, 10, "private"],
  [0xff00n << 112n, 8, "multicast"],
  [0n, 96, "reserved"],
  [0x0100n << 112n, 64, "reserved"],
  [0x2001_0db8n << 96n, 32, "reserved"],
];

const V6_MASK = (1n << 128n) - 1n;
const prefixMask = (bits: number) => (V6_MASK << BigInt(128 - bits)) & V6_MASK;

function classifyIPv6(address: bigint): AddressClass {
  // IPv4 carried inside IPv6 is judged as the IPv4 address it reaches.
  const low32 = Number(address & 0xffff_ffffn);
  if (address >> 32n === 0xffffn) return classifyIPv4(low32); // ::ffff:a.b.c.d mapped
  if (address >> 32n === 0x64_ff9b_0000_0000_0000_0000n) return classifyIPv4(low32); // NAT64
  if (address >> 112n === 0x2002n) return classifyIPv4(Number((address >> 80n) & 0xffff_ffffn)); // 6to4
  for (const [base, bits, kind] of V6_RANGES) {
    if ((address & prefixMask(bits)) === base) return kind;
  }
  return "public";
}

function parseIPv6(input: string): bigint | null {
  let text = stripBrackets(input);
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  if (!text.includes(":")) return null;
  // A trailing dotted IPv4 becomes the last two groups.
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIPv4(tail);
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (part: string) => (part === "" ? [] : part.split(":"));
  const head = groupsOf(halves[0] ?? "");
  const rest = halves.length === 2 ? groupsOf(halves[1] ?? "") : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...rest];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return value;
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}
