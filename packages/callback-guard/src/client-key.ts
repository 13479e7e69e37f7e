import { parseIPv4, parseIPv6 } from "./address.ts";

/**
 * The key a client address is rate-limited under. An IPv6 client is keyed by its /64: one
 * subscriber or host gets a whole /64 (RFC 6177), and picking a new address in it is free, so
 * keying whole addresses would give one client 2^64 buckets (issue 23). An IPv4 address
 * reported as IPv6 (`::ffff:a.b.c.d`, a dual-stack socket) is keyed as the IPv4 address.
 * Anything else (IPv4, or what does not parse) is its own key.
 */
export function clientKeyOf(ip: string): string {
  // The common cases without parsing: IPv4, and IPv4 on a dual-stack socket.
  if (!ip.includes(":")) return ip;
  if (ip.startsWith("::ffff:") && parseIPv4(ip.slice(7)) !== null) return ip.slice(7);
  const v6 = parseIPv6(ip);
  if (v6 === null) return ip;
  if (v6 >> 32n === 0xffffn) {
    const v4 = Number(v6 & 0xffff_ffffn);
    return [24, 16, 8, 0].map((shift) => (v4 >>> shift) & 0xff).join(".");
  }
  const groups = [48n, 32n, 16n, 0n].map((shift) =>
    (((v6 >> 64n) >> shift) & 0xffffn).toString(16),
  );
  return `${groups.join(":")}::/64`;
}
