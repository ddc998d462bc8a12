import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../', import.meta.url));

/** A script run with bad arguments: its exit code and what it printed. */
async function run(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', './test/support/register-typescript.mjs', script, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test' },
    });
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

/** Bad arguments are the caller's to fix: one line saying what is wrong, the usage, exit code 2, no stack. */
describe('scripts given bad arguments', () => {
  it.each([
    ['scripts/token.ts', ['--sub', 'a', '--name', 'A', '--roles', 'editor', '--expires-in', 'abc'], /^--expires-in: expected seconds or a duration .*, got "abc"\nusage: npm run -s token -- /],
    ['scripts/token.ts', ['--sub', 'a', '--name', 'A', '--roles', 'editor', '--expires-in', '31d'], /^--expires-in: at most 30 days \(the service refuses longer-lived tokens\), got "31d"\nusage: npm run -s token -- /],
    ['scripts/kafka.ts', ['--bogus'], /^Unknown option '--bogus'.*\nusage: npm run kafka -- /],
    ['scripts/rebuild-projection.ts', ['nope'], /^"nope" is not a projection\nusage: npm run projections:rebuild -- NAME\n {2}NAME: .*public-feed/],
  ])('%s %j', async (script, args, message) => {
    const result = await run(script, args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('npm run token takes bare digits as seconds', async () => {
    const result = await run('scripts/token.ts', ['--sub', 'a', '--name', 'A', '--roles', 'editor', '--expires-in', '3600']);
    const claims = JSON.parse(Buffer.from(result.stdout.split('.')[1], 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(3600);
  });
});
