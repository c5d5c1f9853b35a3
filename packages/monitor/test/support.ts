/** Shared by the stack tests: the example shop's command line, real tools, temporary folders. */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const MONITORING = path.join(REPO, 'monitoring');
export const CLI = path.join(REPO, 'packages/monitor/dist/cli.js');

/** The flags that produce the committed monitoring/ folder (the example shop: API :8000, worker :8001, monitor :3939). */
export const SHOP_FLAGS = [
  '--name',
  'shop',
  '--app',
  'http://host.docker.internal:8000/api/metrics',
  '--worker',
  'http://host.docker.internal:8001/metrics',
  '--monitor',
  'http://host.docker.internal:3939/metrics',
  '--business-example',
] as const;

export const REGENERATE = `npm run build && node packages/monitor/dist/cli.js stack --out monitoring --force ${SHOP_FLAGS.join(' ')}`;

/** The same options as the CLI would parse them from SHOP_FLAGS. */
export const SHOP_RAW = {
  name: 'shop',
  app: 'http://host.docker.internal:8000/api/metrics',
  worker: 'http://host.docker.internal:8001/metrics',
  monitor: 'http://host.docker.internal:3939/metrics',
  businessExample: true,
};

const DEBIAN_PACKAGES: Record<string, string> = {
  promtool: 'prometheus',
  amtool: 'prometheus-alertmanager',
};

/** Fails (never skips) with the Debian package to install when a tool is missing. */
export function requireTool(tool: keyof typeof DEBIAN_PACKAGES & string, env = process.env): void {
  const probe = spawnSync(tool, ['--version'], { stdio: 'ignore', env });
  if (probe.error) {
    throw new Error(`${tool} is not installed (${probe.error.message}): apt-get install ${DEBIAN_PACKAGES[tool]}`);
  }
}

const run = promisify(execFile);

/** Runs a tool in `cwd`; rejects with its whole output when it fails, so promtool's diff shows in the test. */
export async function tool(cwd: string, command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, timeout: 60_000 });
    return stdout + stderr;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${failed.stdout ?? ''}${failed.stderr ?? failed.message}`);
  }
}

export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `vigil-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
