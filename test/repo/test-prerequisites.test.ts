/**
 * `npm test` starts with scripts/test-prerequisites.mjs: on a machine without the programs the tests run, it stops
 * before any test, naming each missing program, its Debian package and the one command that installs them. (Run
 * as root with apt, it installs them itself: that path is what CI takes on a fresh machine.)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/test-prerequisites.mjs', import.meta.url));

function run(env: Record<string, string>) {
  const child = spawnSync(process.execPath, [SCRIPT], { env: { ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: child.status, stderr: child.stderr, stdout: child.stdout };
}

describe('the test prerequisites', () => {
  it('pass quietly on this machine, where everything is installed', () => {
    const result = run({ PATH: process.env.PATH ?? '' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('stop before any test with what is missing and the command that installs it', () => {
    // Nothing on the PATH: every program the tests need is missing, and installing is not allowed.
    const result = run({ PATH: '/nonexistent', VIGIL_TEST_NO_INSTALL: '1' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    for (const [program, pkg] of [
      ['redis-server', 'redis-server'],
      ['prometheus', 'prometheus'],
      ['promtool', 'prometheus'],
      ['prometheus-alertmanager', 'prometheus-alertmanager'],
      ['amtool', 'prometheus-alertmanager'],
      ['curl', 'curl'],
      ['openssl', 'openssl'],
      ['sqlite3', 'sqlite3'],
      ['jq', 'jq'],
    ]) {
      expect(result.stderr).toContain(`  ${program} (Debian package ${pkg}): `);
    }
    expect(result.stderr).toContain(
      'apt-get update && apt-get install -y --no-install-recommends redis-server prometheus prometheus-alertmanager curl openssl sqlite3 jq',
    );
  });
});
