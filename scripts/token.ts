import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import { isReservedActorId, RESERVED_ACTOR_PREFIXES, STAFF_ROLES, STAFF_TOKEN_MAX_LIFETIME_SECONDS, type StaffRole } from '#libs/contracts';
import { INSECURE_DEV_SECRET } from '../src/config/app-config.js';

/** Prints a staff token signed for the JWT_SECRET in the environment (the dev secret when unset). */
const usage = 'usage: npm run -s token -- --sub alice --name "Alice Chen" --roles reporter,editor [--expires-in 12h]';

function options() {
  try {
    return parseArgs({
      options: {
        sub: { type: 'string' },
        name: { type: 'string' },
        roles: { type: 'string' },
        'expires-in': { type: 'string', default: '12h' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}

const values = options();
if (values.help) {
  process.stdout.write(`${usage}\n  roles: ${STAFF_ROLES.join(', ')}\n`);
  process.exit(0);
}

const roles = (values.roles ?? '').split(',').map((role) => role.trim()).filter(Boolean);
const unknown = roles.filter((role) => !STAFF_ROLES.includes(role as StaffRole));
if (values.sub && isReservedActorId(values.sub)) {
  process.stderr.write(`--sub may not start with ${RESERVED_ACTOR_PREFIXES.join(' or ')}: the service names its own actors so\n`);
  process.exit(2);
}
if (!values.sub || !values.name || roles.length === 0 || unknown.length > 0) {
  process.stderr.write(`${unknown.length ? `unknown roles: ${unknown.join(', ')} (known: ${STAFF_ROLES.join(', ')})\n` : ''}${usage}\n`);
  process.exit(2);
}

// Bare digits are seconds (jsonwebtoken would read the string "3600" as milliseconds).
const expiresIn = /^\d+$/.test(values['expires-in']) ? Number(values['expires-in']) : (values['expires-in'] as jwt.SignOptions['expiresIn']);
const secret = process.env.JWT_SECRET || INSECURE_DEV_SECRET;
let token: string;
try {
  token = jwt.sign({ sub: values.sub, name: values.name, roles }, secret, { algorithm: 'HS256', expiresIn });
} catch (error) {
  // jsonwebtoken refuses a duration it cannot read; anything else is a bug, with its stack.
  if (!(error as Error).message.includes('"expiresIn"')) throw error;
  process.stderr.write(`--expires-in: expected seconds or a duration such as 30m, 12h or 7d, got "${values['expires-in']}"\n${usage}\n`);
  process.exit(2);
}
// The service refuses a token that lives longer: printing one would only defer the surprise.
const { iat, exp } = jwt.decode(token) as { iat: number; exp: number };
if (exp - iat > STAFF_TOKEN_MAX_LIFETIME_SECONDS) {
  process.stderr.write(`--expires-in: at most ${STAFF_TOKEN_MAX_LIFETIME_SECONDS / 86_400} days (the service refuses longer-lived tokens), got "${values['expires-in']}"\n${usage}\n`);
  process.exit(2);
}
process.stdout.write(`${token}\n`);
