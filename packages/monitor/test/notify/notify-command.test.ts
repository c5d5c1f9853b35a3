/**
 * `vigil notify test <channel>` through the built CLI, against a local receiver: exit 0 and the receiver's answer
 * when delivered, 1 with the reason when not, 2 for a channel that does not exist or a broken configuration — and
 * never the channel's secret URL in what it prints.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfig } from '../service/harness.js';
import { CLI, tempDir } from '../support.js';

const run = promisify(execFile);

async function vigil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 30_000, env: { ...process.env, VIGIL_CONFIG: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let dir: { dir: string; remove: () => Promise<void> };
let server: http.Server;
let url = '';
const bodies: Array<Record<string, unknown>> = [];
let status = 200;

beforeAll(async () => {
  dir = await tempDir('notify-command');
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'thanks' : 'no such hook');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/s3cret-path-token`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await dir.remove();
});

describe('vigil notify test', () => {
  it('sends a test message and prints what the receiver answered; exit 0', async () => {
    const file = await writeConfig(dir.dir, `alerts:\n  channels:\n    hook: { type: webhook, url: "${url}" }\n`);
    const result = await vigil('notify', 'test', 'hook', '--config', file);
    expect(result).toMatchObject({ code: 0, stdout: 'hook: delivered (HTTP 200)\nreceiver answered: thanks\n' });
    expect(bodies.at(-1)).toMatchObject({ kind: 'test', monitor: { name: 'Vigil test' } });
  });

  it('a receiver that refuses: exit 1 with the reason, and never the secret URL', async () => {
    status = 404;
    const file = await writeConfig(dir.dir, `alerts:\n  channels:\n    hook: { type: webhook, url: "${url}" }\n`);
    const result = await vigil('notify', 'test', 'hook', '--config', file);
    status = 200;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('vigil: hook: not delivered (permanent failure): the receiver answered HTTP 404: no such hook\n');
    expect(result.stderr + result.stdout).not.toContain('s3cret-path-token');
  });

  it('an unknown channel or a broken configuration: exit 2, saying what there is', async () => {
    const file = await writeConfig(dir.dir, `alerts:\n  channels:\n    hook: { type: webhook, url: "${url}" }\n`);
    expect(await vigil('notify', 'test', 'slack', '--config', file)).toMatchObject({
      code: 2,
      stderr: 'vigil: no channel named "slack" (channels: hook)\n',
    });
    const broken = await writeConfig(dir.dir, 'alerts:\n  channels:\n    hook: { type: webhook }\n', 'broken.yaml');
    const result = await vigil('notify', 'test', 'hook', '--config', broken);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('broken.yaml:3:11: alerts.channels.hook.url:');
  });
});
