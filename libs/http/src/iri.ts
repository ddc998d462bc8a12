import { domainToASCII } from 'node:url';

const NON_ASCII = /[^\x00-\x7F]+/gu;
const HAS_NON_ASCII = /[^\x00-\x7F]/u;
const HIERARCHICAL = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/su;

/**
 * An IRI as the URI it stands for (RFC 3987 §3.1): the scheme in lower case, an international
 * host in punycode, other non-ASCII characters percent-encoded as UTF-8. Nothing else changes, so
 * what is not a URI after that (`%zz`, `<`, a space) stays wrong and is refused by validation.
 * Non-strings, and strings it cannot convert (a lone surrogate), come back as they are.
 */
export function iriToUri(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const parts = HIERARCHICAL.exec(value);
  if (!parts) return value;
  const [, scheme, authority, rest] = parts;
  try {
    return scheme.toLowerCase() + asciiAuthority(authority) + rest.replace(NON_ASCII, encodeURIComponent);
  } catch {
    return value;
  }
}

function asciiAuthority(authority: string): string {
  if (!HAS_NON_ASCII.test(authority)) return authority;
  const at = authority.lastIndexOf('@');
  const userinfo = authority.slice(0, at + 1).replace(NON_ASCII, encodeURIComponent);
  const hostAndPort = /^(.*?)(:\d*)?$/su.exec(authority.slice(at + 1))!;
  const host = domainToASCII(hostAndPort[1]);
  // domainToASCII answers '' for what is no domain name: leave it, for validation to refuse.
  return userinfo + (host || hostAndPort[1]) + (hostAndPort[2] ?? '');
}
