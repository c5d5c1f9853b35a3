/**
 * The `vigil` command line as a user meets it, through the built CLI: an unknown command or option says so on one
 * line, says where to look, and exits non-zero; the help of every command explains itself.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI } from './support.js';

const run = promisify(execFile);

async function vigil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('vigil', () => {
  it('an unknown command says so, says where to look, and exits 1 without the general help', async () => {
    const result = await vigil('serv');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("vigil: unknown command 'serv'");
    expect(result.stderr).toContain('(Did you mean serve?)');
    expect(result.stderr).toContain('run `vigil --help` for the commands');
    expect(result.stderr).not.toContain('Usage:');
  });

  it('an unknown subcommand and an unknown option do the same', async () => {
    const sub = await vigil('token', 'craete');
    expect(sub.code).toBe(1);
    expect(sub.stderr).toContain("vigil: unknown command 'craete'");
    const option = await vigil('serve', '--prot', '1');
    expect(option.code).toBe(1);
    expect(option.stderr).toContain("vigil: unknown option '--prot'");
    expect(option.stderr).toContain('(Did you mean --port?)');
  });

  it('the help says what each command does, without jargon from elsewhere', async () => {
    const help = await vigil('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('serve');
    expect(help.stdout).not.toContain('bench doctor');
    expect(help.stdout).toMatch(/doctor \[options\]\s+check the background jobs of each app/);
    const token = await vigil('token', 'create', '--help');
    expect(token.stdout).toMatch(/--scope <scope>\s+what it may do: read/);
    expect(token.stdout).toContain('choices: "read", "write", "admin"');
  });
});
