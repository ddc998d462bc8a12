import { isIPv4 } from 'node:net';

/**
 * The rate-limit key of a client address: IPv4 as it is (also when IPv4-mapped), IPv6 by its /64,
 * the block one subscriber usually gets (per address would let one home rotate past the limit).
 */
export function clientAddressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  if (!ip.includes(':')) return ip;
  const address = ip.toLowerCase().split('%')[0];
  const mapped = address.startsWith('::ffff:') ? address.slice(7) : '';
  if (mapped && isIPv4(mapped)) return mapped;
  const [head, tail] = address.split('::');
  // An embedded IPv4 tail takes two groups; only the first four groups matter here anyway.
  const groups = (part: string | undefined) => (part ? part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${all.slice(0, 4).map((group) => (parseInt(group, 16) || 0).toString(16)).join(':')}::/64`;
}
