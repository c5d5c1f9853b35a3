/**
 * The agent endpoints, for `vigil agent --location NAME` checking from another place:
 *
 *   GET  /api/v1/agent/monitors?location=NAME   what it checks: the monitors whose `locations` include NAME, not
 *                                               paused, as the server loaded them — SECRETS INCLUDED, since the agent
 *                                               runs them (an agent token is as sensitive as the configuration file);
 *                                               with an ETag, so that polling costs a 304 while nothing changed
 *   POST /api/v1/results                        what it checked: recorded through that location's check pipeline
 *                                               (states, incidents, events, alerts), answered once stored
 *
 * Agent tokens may call these and nothing else; admin tokens may call them too.
 */
import { createHash } from 'node:crypto';
import { sanitizeMessage } from '@vigil/core';
import { LOCATION_PATTERN } from '../config/fields.js';
import { badRequest, type FieldIssue, HttpError, quote, unprocessable } from '../http/errors.js';
import { json, type Reply, serializeJson } from '../http/json.js';
import type { CheckResult, PhaseTimings } from '../model.js';
import { API_PREFIX, type ApiContext, type ApiRouter, route, singleParam } from './context.js';
import { resultJson } from './results.js';
import {
  type AgentMonitorListJson,
  type AgentResultJson,
  AgentResultsSchema,
  type ResultsAcceptedJson,
} from './schemas.js';
import type { AgentControl } from './types.js';

export const AGENT_MONITORS_PATH = `${API_PREFIX}/agent/monitors`;
export const RESULTS_PATH = `${API_PREFIX}/results`;

/** How far ahead of the server's clock a result may be (clocks differ a little); beyond, it is refused. */
export const CLOCK_AHEAD_MAX_MS = 5 * 60_000;
/** Field problems listed at most in one answer. */
const ISSUES_MAX = 100;

/** Without agents: no monitor is assigned to any location (the API harness; a server always passes its own). */
export const NO_AGENTS: AgentControl = {
  ownLocation: 'local',
  monitorsAt: () => [],
  record: () => Promise.reject(new Error('no agent results are taken here')),
};

/** One result as an agent sends it: the fields of `Result` (GET …/results), and the monitor's id. */
export function agentResultJson(result: CheckResult): AgentResultJson {
  const { location: _location, kind: _kind, excused: _excused, ...fields } = resultJson(result);
  return { monitor: result.monitorId, ...fields };
}

const TIMING_KEYS: ReadonlyArray<[keyof NonNullable<AgentResultJson['timings']>, keyof PhaseTimings]> = [
  ['dns_ms', 'dns'],
  ['connect_ms', 'connect'],
  ['tls_ms', 'tls'],
  ['first_byte_ms', 'firstByte'],
  ['transfer_ms', 'transfer'],
];

/** A result an agent sent, as the pipeline takes it (texts sanitized again: they may be stored and shown). */
function checkResultOf(sent: AgentResultJson, at: number, location: string): CheckResult {
  const timings: PhaseTimings = {};
  for (const [from, to] of TIMING_KEYS) {
    const value = sent.timings?.[from];
    if (value !== undefined) timings[to] = value;
  }
  return {
    monitorId: sent.monitor,
    at,
    status: sent.status,
    latencyMs: sent.latency_ms,
    ...(sent.status_code !== undefined && sent.status_code !== null ? { statusCode: sent.status_code } : {}),
    ...(Object.keys(timings).length > 0 ? { timings } : {}),
    ...(sent.error !== undefined && sent.error !== null ? { error: sanitizeMessage(sent.error) } : {}),
    ...(sent.components !== undefined && sent.components !== null ? { components: sent.components } : {}),
    ...(sent.conditions !== undefined && sent.conditions !== null
      ? { conditions: sent.conditions.map((c) => ({ condition: c.condition, success: c.success, output: sanitizeMessage(c.output) })) }
      : {}),
    ...(sent.certificate_expires_at !== undefined && sent.certificate_expires_at !== null ? { certificateExpiresAt: Date.parse(sent.certificate_expires_at) } : {}),
    location,
  };
}

function ownLocationRefused(location: string): HttpError {
  return unprocessable(
    `location ${quote(location)} is this server's own (\`location:\` of its configuration): it checks from there itself; give the agent another --location`,
    [{ path: 'location', message: "is the server's own location" }],
  );
}

/** `?location=` of GET /agent/monitors: required, a location name, not the server's own. */
function locationParam(ctx: ApiContext): string {
  const location = singleParam(ctx.query, 'location');
  if (location === undefined || location === '') {
    throw badRequest(`query parameter location is required: ${AGENT_MONITORS_PATH}?location=NAME (the agent's --location)`);
  }
  if (!LOCATION_PATTERN.test(location)) {
    throw badRequest(`location ${quote(location, 70)} is not a location name: lowercase letters, digits, "-", "_" and "." (at most 63)`);
  }
  if (location === ctx.deps.agents.ownLocation) throw ownLocationRefused(location);
  return location;
}

/** Whether `If-None-Match` names this entity tag (weak or strong, in a list, or `*`). */
function notModified(ctx: ApiContext, etag: string): boolean {
  const header = ctx.req.headers['if-none-match'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((tag) => {
    const given = tag.trim().replace(/^W\//, '');
    return given === '*' || given === etag;
  });
}

function agentMonitors(ctx: ApiContext): Reply {
  const location = locationParam(ctx);
  const monitors = ctx.deps.agents
    .monitorsAt(location)
    .filter(({ paused }) => !paused)
    .map(({ config }) => ({ id: config.id, name: config.name, type: config.type, config: config as unknown as Record<string, unknown> }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const body: AgentMonitorListJson = { location, monitors };
  // The same monitors give the same tag: an agent polling with If-None-Match gets a 304 until something changes.
  const etag = `"${createHash('sha256').update(serializeJson(body)).digest('base64url')}"`;
  if (notModified(ctx, etag)) return { status: 304, headers: { ETag: etag } };
  return json(200, body, { ETag: etag });
}

function invalidBody(issues: readonly FieldIssue[]): HttpError {
  const listed = issues.slice(0, 5).map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`));
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return new HttpError(400, 'bad_request', `invalid results: ${listed.join('; ')}${more}`, {}, issues.slice(0, ISSUES_MAX));
}

async function postResults(ctx: ApiContext): Promise<Reply> {
  const parsed = AgentResultsSchema.safeParse(await ctx.json());
  if (!parsed.success) {
    throw invalidBody(
      parsed.error.issues.flatMap((issue): FieldIssue[] => {
        const path = issue.path.map(String).join('.');
        if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: path === '' ? key : `${path}.${key}`, message: 'unknown key' }));
        if (path === '' && issue.code === 'invalid_type') return [{ path: '', message: 'the body must be a JSON object' }];
        return [{ path, message: issue.message }];
      }),
    );
  }
  const { location, results } = parsed.data;
  const agents = ctx.deps.agents;
  if (location === agents.ownLocation) throw ownLocationRefused(location);
  const assigned = new Set(agents.monitorsAt(location).map(({ config }) => config.id));
  const latest = ctx.deps.now() + CLOCK_AHEAD_MAX_MS;
  const previous = new Map<string, number>();
  const issues: FieldIssue[] = [];
  const taken: CheckResult[] = [];
  results.forEach((sent, index) => {
    if (!assigned.has(sent.monitor)) {
      issues.push({
        path: `results.${index}.monitor`,
        message: `monitor ${quote(sent.monitor)} is not checked from location ${quote(location)}: no such monitor, or its \`locations\` leave ${quote(location)} out`,
      });
      return;
    }
    const at = Date.parse(sent.at);
    const before = previous.get(sent.monitor);
    if (at > latest) {
      issues.push({ path: `results.${index}.at`, message: `is ahead of the server's clock by more than ${CLOCK_AHEAD_MAX_MS / 60_000} minutes: check the clock of the agent's machine` });
    } else if (before !== undefined && at <= before) {
      issues.push({ path: `results.${index}.at`, message: `is not after the previous result of monitor ${quote(sent.monitor)} in this batch: send each monitor's results oldest first` });
    }
    previous.set(sent.monitor, at);
    taken.push(checkResultOf(sent, at, location));
  });
  if (issues.length > 0) {
    const listed = issues.slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`);
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    throw unprocessable(`${issues.length} of ${results.length} results refused, none stored: ${listed.join('; ')}${more}`, issues.slice(0, ISSUES_MAX));
  }
  const { accepted, skipped } = await agents.record(location, taken);
  const body: ResultsAcceptedJson = { accepted, skipped };
  return json(200, body);
}

export function registerAgentRoutes(router: ApiRouter): void {
  router.add('GET', AGENT_MONITORS_PATH, route('agent', agentMonitors)).add('POST', RESULTS_PATH, route('agent', postResults));
}
