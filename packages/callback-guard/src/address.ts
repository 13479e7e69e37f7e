/**
 * IP address classes for the SSRF guard: which addresses a callback may never reach
 * (loopback, private, link-local, cloud metadata, unspecified, CGNAT, multicast,
 * reserved). Pure: text in, class out, so ingress (literal IPs at accept time) and the
 * dispatcher (resolved addresses at dispatch time) judge alike.
 */

export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "metadata"
  | "unspecified"
  | "cgnat"
  | "multicast"
  | "reserved";

/** The class of an IPv4 or IPv6 address in text form (brackets and zone allowed); null when it is not an IP address. */
export function classifyAddress(text: string): AddressClass | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return classifyIPv4(v4);
  const v6 = parseIPv6(text);
  return v6 === null ? null : classifyIPv6(v6);
}

/** True when `text` is an IP address (v4 or v6), so no name needs resolving. */
export function isIpAddress(text: string): boolean {
  return classifyAddress(text) !== null;
}

/**
 * Why the addresses a host resolved to are refused, or null when every one is public. The
 * reason reaches the customer (the message's trail, the test webhook's answer): a name is
 * told only that it resolves to a non-public address, never which one or of what kind, or a
 * callback URL naming an internal host would read the operator's network map from our DNS.
 * An address the customer wrote is told its kind: nothing there is ours to hide.
 */
export function refusalOf(host: string, addresses: readonly string[]): string | null {
  if (addresses.length === 0) return `${host} resolved to no address`;
  for (const address of addresses) {
    const kind = classifyAddress(address);
    if (kind === null) return `${host} resolved to an address that is not an IP address`;
    if (kind !== "public") {
      return address === host
        ? `${host} is a ${kind} address`
        : `${host} resolves to a non-public address`;
    }
  }
  return null;
}

// --- IPv4 -------------------------------------------------------------------------

// First match wins: the metadata /32 sits before the link-local /16 that contains it.
const V4_RANGES: ReadonlyArray<readonly [string, number, AddressClass]> = [
  ["169.254.169.254", 32, "metadata"], // AWS, GCP, Azure, OpenStack, DigitalOcean
  ["100.100.100.200", 32, "metadata"], // Alibaba Cloud
  ["168.63.129.16", 32, "metadata"], // Azure WireServer (platform DNS, health, agent config)
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "cgnat"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "reserved"], // documentation
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"], // benchmarking
  ["198.51.100.0", 24, "reserved"], // documentation
  ["203.0.113.0", 24, "reserved"], // documentation
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"], // includes broadcast 255.255.255.255
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

/**
 * Dotted decimal only. The WHATWG URL parser already rewrites shorthand hosts
 * (`2130706433`, `0x7f.1`) to this form, and resolvers answer in it; anything else is
 * not an address here (and a name lookup of it fails).
 */
export function parseIPv4(text: string): number | null {
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
  [(0xfd00_0ec2n << 96n) | 0x254n, 128, "metadata"], // AWS IMDS over IPv6 (fd00:ec2::254)
  [0xfc00n << 112n, 7, "private"],
  [0xfe80n << 112n, 10, "link-local"],
  [0xfec0n << 112n, 10, "private"], // deprecated site-local
  [0xff00n << 112n, 8, "multicast"],
  [0n, 96, "reserved"], // IPv4-compatible (deprecated)
  [0x0100n << 112n, 64, "reserved"], // discard-only
  [0x2001_0db8n << 96n, 32, "reserved"], // documentation
];

const V6_MASK = (1n << 128n) - 1n;
const prefixMask = (bits: number) => (V6_MASK << BigInt(128 - bits)) & V6_MASK;

function classifyIPv6(address: bigint): AddressClass {
  // IPv4 carried inside IPv6 is judged as the IPv4 address it reaches.
  const low32 = Number(address & 0xffff_ffffn);
  if (address >> 32n === 0xffffn) return classifyIPv4(low32); // ::ffff:a.b.c.d mapped
  if (address >> 32n === 0xffff_0000n) return classifyIPv4(low32); // ::ffff:0:a.b.c.d translated (SIIT)
  if (address >> 32n === 0x64_ff9b_0000_0000_0000_0000n) return classifyIPv4(low32); // NAT64 64:ff9b::/96
  if (address >> 80n === 0x64_ff9b_0001n) return classifyIPv4(low32); // local NAT64 64:ff9b:1::/48
  if (address >> 112n === 0x2002n) return classifyIPv4(Number((address >> 80n) & 0xffff_ffffn)); // 6to4
  for (const [base, bits, kind] of V6_RANGES) {
    if ((address & prefixMask(bits)) === base) return kind;
  }
  return "public";
}

/** An IPv6 address (brackets, zone and a dotted IPv4 tail allowed) as a 128-bit number, or null. */
export function parseIPv6(input: string): bigint | null {
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

/** `[::1]` (a URL's hostname) -> `::1`. */
export function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}
