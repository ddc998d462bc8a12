import ipaddr from 'ipaddr.js';

/**
 * The rate-limit key of a client address: IPv4 as it is (also when IPv4-mapped), IPv6 by its /64,
 * the block one subscriber usually gets (per address would let one home rotate past the limit).
 */
export function clientAddressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  // A zone (fe80::1%eth0) names the local interface, not the client.
  const address = ip.split('%')[0];
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${v6.parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}
