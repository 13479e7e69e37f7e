import ipaddr from "ipaddr.js";

/**
 * API keys' IP allowlists (api-key.ts): CIDRs as keys store them, and whether a client
 * address is inside one. Pure: ipaddr.js parses, nothing is looked up.
 */

/** True when `ip` is inside one of the CIDRs; an IPv4-mapped IPv6 address counts as IPv4. */
export function isAllowedIp(ip: string, cidrs: readonly string[]): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const address = ipaddr.process(ip);
  return cidrs.some((cidr) => {
    const range = parseCidr(cidr);
    if (!range || range[0].kind() !== address.kind()) return false;
    return address.match(range);
  });
}

/**
 * A CIDR (`203.0.113.0/24`, `2001:db8::/32`) or a single address (taken as /32 or /128),
 * or null when it is neither. An IPv4-mapped IPv6 range is not accepted: write it as IPv4.
 */
export function parseCidr(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  const [address = ""] = text.split("/", 1);
  // ipaddr.js also reads "10.1", octal and hex as IPv4: only the dotted four-part form is a CIDR here.
  if (!address.includes(":") && !ipaddr.IPv4.isValidFourPartDecimal(address)) return null;
  try {
    if (text.includes("/")) {
      const range = ipaddr.parseCIDR(text);
      if (range[0].kind() === "ipv6" && (range[0] as ipaddr.IPv6).isIPv4MappedAddress()) {
        return null;
      }
      return range;
    }
    if (!ipaddr.isValid(text)) return null;
    const address = ipaddr.parse(text);
    return [address, address.kind() === "ipv4" ? 32 : 128];
  } catch {
    return null;
  }
}

/** The CIDR in its canonical form (network address, lower-case IPv6), as keys store it. */
export function normalizeCidr(text: string): string | null {
  const range = parseCidr(text);
  if (!range) return null;
  const [address, bits] = range;
  const network =
    address.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  return `${network.toString()}/${bits}`;
}
