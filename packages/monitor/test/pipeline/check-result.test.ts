/**
 * Every monitor keeps its latest result for as long as it runs. Results made the same way must share V8's hidden
 * class: `{ ...outcome, monitorId, at, location }` gave each its own (a Map and a DescriptorArray, about 300 bytes
 * kept per monitor, and megamorphic reads) — see src/pipeline/check-result.ts. Only V8's natives syntax can tell, so
 * the built module is loaded in a child process started with --allow-natives-syntax.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { REPO } from '../support.js';

const dist = (file: string) => pathToFileURL(path.join(REPO, 'packages/monitor/dist', file)).href;

test('the results of different monitors share one hidden class', async () => {
  const script = `
    import { checkResult } from '${dist('pipeline/check-result.js')}';
    import { toOutcome } from '${dist('monitors/outcome.js')}';
    const results = [];
    for (let i = 0; i < 50; i++) {
      const probe = { status: 'healthy', facts: { statusCode: 200, timings: { connect: 0.25 + i, firstByte: 1.5 } } };
      results.push(checkResult(toOutcome(probe, 2.5 + i, [], Date.now()), 'monitor-' + i, Date.now(), 'local'));
    }
    const last = results[results.length - 1];
    const sharing = results.filter((result) => %HaveSameMap(result, last)).length;
    console.log(JSON.stringify({ sharing, fields: Object.keys(last) }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script]);
  const { sharing, fields } = JSON.parse(stdout) as { sharing: number; fields: string[] };
  expect(fields).toEqual(['status', 'latencyMs', 'statusCode', 'timings', 'monitorId', 'at', 'location']);
  expect(sharing).toBe(50);
});
