import jwt from 'jsonwebtoken';
import { STAFF_ROLES, type StaffRole } from '#libs/contracts';
import { staffToken, TEST_JWT_SECRET } from '../test-app.js';

/** Who calls: the six staff identities the matrix tells apart (role AND authorship). */
export const IDENTITIES = {
  /** Drafts every fixture article: its author. */
  author: { sub: 'alice', name: 'Alice Chen', roles: ['reporter'] as StaffRole[] },
  /** Assigned to every fixture article as reporter: an author too. */
  coAuthor: { sub: 'carol', name: 'Carol Diaz', roles: ['reporter'] as StaffRole[] },
  /** A reporter with nothing to do with the fixture articles. */
  otherReporter: { sub: 'bob', name: 'Bob Osei', roles: ['reporter'] as StaffRole[] },
  editor: { sub: 'erin', name: 'Erin Walsh', roles: ['editor'] as StaffRole[] },
  factChecker: { sub: 'farid', name: 'Farid Haddad', roles: ['fact_checker'] as StaffRole[] },
  admin: { sub: 'ada', name: 'Ada Admin', roles: ['admin'] as StaffRole[] },
};
export type Identity = keyof typeof IDENTITIES;

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * The author's claims with EVERY role: a bad token that got through would be allowed anything,
 * so a 401 in the matrix can only come from authentication, never from a missing role.
 */
const ALMIGHTY = { sub: IDENTITIES.author.sub, name: IDENTITIES.author.name, roles: [...STAFF_ROLES] };
const now = () => Math.floor(Date.now() / 1000);

/** The control for the bad tokens below: the same claims, properly signed. */
export const almightyAuthorization = (): string => `Bearer ${jwt.sign(ALMIGHTY, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`;

/** Tokens the service must refuse with 401, whatever route they are sent to. */
export const AUTH_FAILURES = {
  /** No Authorization header at all. */
  anonymous: (): string | undefined => undefined,
  /** Three base64url segments, but not a JWT (the header is not JSON). */
  malformed: (): string | undefined => 'Bearer bm90LWEtand0.bm90LWpzb24.c2lnbmF0dXJl',
  /** Well formed, signed with another secret. */
  forged: (): string | undefined => `Bearer ${jwt.sign(ALMIGHTY, 'not-the-secret-0123456789-0123456789', { algorithm: 'HS256', expiresIn: '1h' })}`,
  /** Signed with the right secret, expired a minute ago. */
  expired: (): string | undefined => `Bearer ${jwt.sign({ ...ALMIGHTY, iat: now() - 3600, exp: now() - 60 }, TEST_JWT_SECRET, { algorithm: 'HS256' })}`,
  /** `alg: none`, no signature (the classic bypass). */
  algNone: (): string | undefined => `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...ALMIGHTY, iat: now() })}.`,
} as const;
export type AuthFailure = keyof typeof AUTH_FAILURES;

/** More ways a token is wrong, checked on a few routes (the matrix covers the five above everywhere). */
export const MORE_BAD_AUTHORIZATIONS: Record<string, () => string> = {
  'alg none with a signature segment': () =>
    `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...ALMIGHTY, iat: now() })}.${'A'.repeat(43)}`,
  'HS512 with the right secret (only HS256 is accepted)': () =>
    `Bearer ${jwt.sign(ALMIGHTY, TEST_JWT_SECRET, { algorithm: 'HS512', expiresIn: '1h' })}`,
  'an HS256 signature over a tampered payload': () => {
    const [header, , signature] = staffToken('bob', 'Bob Osei', ['reporter']).split('.');
    return `Bearer ${header}.${b64url({ ...ALMIGHTY, iat: now() })}.${signature}`;
  },
  'not valid before an hour from now': () =>
    `Bearer ${jwt.sign({ ...ALMIGHTY, nbf: now() + 3600 }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '2h' })}`,
  'no roles claim': () => `Bearer ${jwt.sign({ sub: 'alice', name: 'Alice Chen' }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`,
  'an unknown role': () => `Bearer ${jwt.sign({ sub: 'alice', name: 'Alice Chen', roles: ['superuser'] }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`,
  'roles as a string': () => `Bearer ${jwt.sign({ sub: 'alice', name: 'Alice Chen', roles: 'editor' }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`,
  'an empty roles list': () => `Bearer ${jwt.sign({ sub: 'alice', name: 'Alice Chen', roles: [] }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`,
  'an empty sub': () => `Bearer ${jwt.sign({ sub: '', name: 'Alice Chen', roles: ['editor'] }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`,
  'no name': () => `Bearer ${jwt.sign({ sub: 'alice', roles: ['editor'] }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`,
  'a numeric sub': () => `Bearer ${jwt.sign({ sub: 42, name: 'Alice Chen', roles: ['editor'] } as object, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`,
  'no exp (a token that would never expire)': () => `Bearer ${jwt.sign(ALMIGHTY, TEST_JWT_SECRET, { algorithm: 'HS256' })}`,
  'a sub over 200 characters': () => `Bearer ${jwt.sign({ ...ALMIGHTY, sub: 'a'.repeat(201) }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`,
  'a name over 200 characters': () => `Bearer ${jwt.sign({ ...ALMIGHTY, name: 'A'.repeat(201) }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`,
  'an empty bearer': () => 'Bearer ',
  'a Basic scheme': () => `Basic ${Buffer.from('erin:password').toString('base64')}`,
  'the token without a scheme': () => staffToken('erin', 'Erin Walsh', ['editor']),
  'two tokens': () => `Bearer ${staffToken('erin', 'Erin Walsh', ['editor'])} ${staffToken('erin', 'Erin Walsh', ['editor'])}`,
  'a JWT with a fourth segment': () => `Bearer ${staffToken('erin', 'Erin Walsh', ['editor'])}.AAAA`,
  'garbage': () => 'Bearer <script>alert(1)</script>',
};

/** Everyone a matrix case can be: an authentication failure or a staff identity. */
export type Actor = AuthFailure | Identity;
export const ACTORS: Actor[] = [...(Object.keys(AUTH_FAILURES) as AuthFailure[]), ...(Object.keys(IDENTITIES) as Identity[])];

export const isIdentity = (actor: Actor): actor is Identity => actor in IDENTITIES;

export const tokenOfIdentity = (identity: Identity): string => {
  const { sub, name, roles } = IDENTITIES[identity];
  return staffToken(sub, name, roles);
};

/** The Authorization header an actor sends (none for `anonymous`). */
export function authorizationOf(actor: Actor): Record<string, string> {
  const value = isIdentity(actor) ? `Bearer ${tokenOfIdentity(actor)}` : AUTH_FAILURES[actor]();
  return value === undefined ? {} : { authorization: value };
}
