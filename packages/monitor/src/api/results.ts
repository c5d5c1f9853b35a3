/**
 * Results: the latest checks of a monitor, newest first (`/api/v1/monitors/:id/results?limit=60`), and the
 * same under the seeds' name, `/api/v1/signals?monitor=ID`.
 */
import { sanitizeMessage } from '@vigil/core';
import { badRequest } from '../http/errors.js';
import { json, type Reply } from '../http/json.js';
import type { CheckResult, PhaseTimings } from '../model.js';
import {
  API_PREFIX,
  type ApiContext,
  type ApiRouter,
  findMonitor,
  intParam,
  isoTime,
  seesEverything,
  singleParam,
  route,
} from './context.js';
import { hideTargets } from './redact.js';
import type { ResultJson } from './schemas.js';
import { roundMs } from '../units.js';

type TimingsJson = NonNullable<ResultJson['timings']>;

export const RESULTS_DEFAULT_LIMIT = 60;
export const RESULTS_MAX_LIMIT = 1000;

const TIMING_NAMES: Record<keyof PhaseTimings, keyof TimingsJson> = {
  dns: 'dns_ms',
  connect: 'connect_ms',
  tls: 'tls_ms',
  firstByte: 'first_byte_ms',
  transfer: 'transfer_ms',
};

function timingsJson(timings: PhaseTimings | undefined): TimingsJson | null {
  if (!timings) return null;
  const out: TimingsJson = {};
  for (const [key, name] of Object.entries(TIMING_NAMES) as Array<[keyof PhaseTimings, keyof TimingsJson]>) {
    const value = timings[key];
    if (value !== undefined) out[name] = roundMs(value);
  }
  return out;
}

/**
 * One result as JSON. Texts are sanitized again on the way out (they are stored sanitized already); with
 * `hidden` (the target's texts, for a caller to whom the target is hidden), what names the target goes too.
 */
export function resultJson(result: CheckResult, hidden?: readonly string[]): ResultJson {
  const shown = (text: string) => (hidden ? hideTargets(sanitizeMessage(text), hidden) : sanitizeMessage(text));
  return {
    at: new Date(result.at).toISOString(),
    status: result.status,
    latency_ms: roundMs(result.latencyMs),
    status_code: result.statusCode ?? null,
    timings: timingsJson(result.timings),
    error: result.error === undefined ? null : shown(result.error),
    components: result.components ?? null,
    conditions:
      result.conditions?.map((c) => ({
        condition: c.condition,
        success: c.success,
        output: shown(c.output),
      })) ?? null,
    certificate_expires_at: isoTime(result.certificateExpiresAt),
    location: result.location,
    kind: result.kind ?? null,
    excused: result.excused ?? null,
  };
}

async function results(ctx: ApiContext, id: string): Promise<Reply> {
  const monitor = findMonitor(ctx, id);
  const limit = intParam(ctx.query, 'limit', { default: RESULTS_DEFAULT_LIMIT, min: 1, max: RESULTS_MAX_LIMIT });
  const rows = await ctx.deps.store.latestResults(monitor.id, limit);
  const hidden = seesEverything(ctx.caller) ? undefined : monitor.targetTexts;
  return json(200, { monitor: monitor.id, results: rows.slice(0, limit).map((row) => resultJson(row, hidden)) });
}

export function registerResultRoutes(router: ApiRouter): void {
  router
    .add('GET', `${API_PREFIX}/monitors/:id/results`, route('public', (ctx) => results(ctx, ctx.params.id as string)))
    .add(
      'GET',
      `${API_PREFIX}/signals`,
      route('public', (ctx) => {
      const id = singleParam(ctx.query, 'monitor');
      if (id === undefined || id === '') {
        throw badRequest('query parameter monitor is required: /api/v1/signals?monitor=ID');
      }
      return results(ctx, id);
      }),
    );
}
