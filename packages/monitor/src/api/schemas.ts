/**
 * The response bodies of the API, defined once: the JSON builders return these types (so TypeScript checks what
 * is sent), and the OpenAPI document's `components.schemas` are generated from these schemas (api/openapi.ts), so
 * the document cannot drift from the answers. Output shapes: objects are closed (`additionalProperties: false`).
 */
import { STATUSES } from '@vigil/core';
import { z } from 'zod';
import { locationName } from '../config/fields.js';
import { HEARTBEAT_STATES } from '../heartbeat/tracker.js';
import { MONITOR_STATES } from '../model.js';
import {
  AUDIT_ACTIONS,
  DELIVERY_STATUSES,
  MONITOR_IMPACTS,
  STATUS_IMPACTS,
  STATUS_INCIDENT_STATES,
  TOKEN_SCOPES,
} from '../store/store.js';
import { TOKEN_NAME_MAX, tokenNameProblem } from './tokens.js';
import { JOB_RESPONSE_SCHEMAS } from './job-schemas.js';
import { UPTIME_WINDOWS } from './uptime.js';

/** An instant as ISO 8601 in UTC (`2025-01-15T12:00:00.000Z`). */
const time = z.iso.datetime();
const count = z.int().min(0);
const monitorState = z.enum(MONITOR_STATES);
const checkStatus = z.enum(STATUSES);

/** A heartbeat's own state, as anyone may see it. */
export const PublicHeartbeatSchema = z
  .object({
    state: z
      .enum(HEARTBEAT_STATES)
      .meta({ description: '`new` (no ping yet), `up`, `late` (past the expected time, within the grace period), `down`, `paused`.' }),
    last_ping_at: time.nullable().meta({ description: 'The last success or failure ping.' }),
    next_expected_at: time.nullable().meta({ description: 'When the next ping is due (past when late or down).' }),
    late_at: time.nullable().meta({ description: 'The end of the grace period: down after it.' }),
    running: z.boolean().meta({ description: 'A run started (`/start`) and has not ended.' }),
  })
  .meta({ description: 'A heartbeat: when it was pinged and when it is expected.' });

/** A heartbeat as a token holder sees it: also its runs and its last message (the job's output). */
export const HeartbeatSchema = PublicHeartbeatSchema.extend({
  run_started_at: time.nullable(),
  last_duration_ms: z.number().nullable().meta({ description: 'From `/start` to the end ping of the last run that had a `/start`.' }),
  last_exit_status: z.int().nullable(),
  last_message: z.string().nullable().meta({ description: 'The body of the last ping that had one (secrets masked).' }),
  last_message_at: time.nullable(),
  slug: z.string().nullable().meta({ description: 'The slug of its slug URL, `/ping/<ping-key>/<slug>` (null when `heartbeats.ping_key` does not cover it).' }),
}).meta({ description: 'A heartbeat, as token holders see it.' });

/** One ping of a heartbeat's log. */
export const PingSchema = z
  .object({
    id: z.int(),
    at: time,
    kind: z
      .enum(['success', 'fail', 'start', 'log', 'ignored'])
      .meta({ description: 'What it did; `ignored`: a method or keyword filter (or `paused: true`) kept it from counting.' }),
    exit_status: z.int().nullable(),
    rid: z.string().nullable(),
    method: z.string(),
    note: z.string().nullable().meta({ description: 'Why it was ignored, or why it is a failure (a keyword).' }),
    user_agent: z.string().nullable(),
    remote_address: z.string().nullable().meta({ description: 'The client (from `X-Forwarded-For` only behind a proxy in `server.trusted_proxies`).' }),
    body: z.string().nullable().meta({ description: 'The body, up to `server.ping_body_limit` bytes, secrets masked.' }),
  })
  .meta({ description: 'A ping as it was received.' });

export const PingListSchema = z.object({ monitor: z.string(), pings: z.array(PingSchema) });

/** A monitor as anyone may see it: what a public status page shows. */
export const PublicMonitorSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    group: z.string().nullable(),
    tags: z.array(z.string()),
    description: z.string().nullable(),
    public: z.boolean(),
    paused: z.boolean(),
    state: monitorState,
    state_since: time.nullable().meta({ description: 'When the state last changed; null before the first change.' }),
    interval_ms: z.number().nullable().meta({ description: 'Time between checks; null for heartbeats.' }),
    last_check_at: time.nullable(),
    heartbeat: PublicHeartbeatSchema.nullable().meta({ description: 'Heartbeats only (null for other types).' }),
    locations: z
      .array(z.object({ location: z.string(), state: monitorState }))
      .nullable()
      .meta({
        description:
          'Monitors checked from several locations: the state at each (`state` is the one judged over all of them by the quorum); null for others.',
      }),
  })
  .meta({ description: 'A monitor, as anonymous callers see it (public monitors only).' });

/** A monitor as a token holder sees it in a list: also where it comes from and what it checks. */
export const MonitorSchema = PublicMonitorSchema.extend({
  source: z
    .enum(['config', 'api'])
    .meta({ description: '`config` monitors come from a configuration file and are read-only through the API.' }),
  target: z.string().meta({ description: 'What is checked, credentials redacted.' }),
  heartbeat: HeartbeatSchema.nullable().meta({ description: 'Heartbeats only (null for other types).' }),
}).meta({ description: 'A monitor, as token holders see it in a list.' });

/** A single monitor as a token holder sees it: also its redacted definition. */
export const MonitorWithDefinitionSchema = MonitorSchema.extend({
  definition: z
    .record(z.string(), z.unknown())
    .nullable()
    .meta({ description: 'The definition, with every secret replaced by "***" (sending "***" back keeps it).' }),
}).meta({ description: 'One monitor, as token holders see it: with its redacted definition.' });

/** Any answer about one monitor, depending on who asks and what. */
export const AnyMonitorSchema = z.union([MonitorWithDefinitionSchema, MonitorSchema, PublicMonitorSchema]);

export const MonitorListSchema = z.object({
  monitors: z.array(z.union([MonitorSchema, PublicMonitorSchema])),
});

export const ResultSchema = z
  .object({
    at: time.meta({ description: 'When the check started.' }),
    status: checkStatus.meta({ description: "The probe's verdict for this one check (before retries)." }),
    latency_ms: z.number(),
    status_code: z.int().nullable(),
    timings: z
      .object({
        dns_ms: z.number().optional(),
        connect_ms: z.number().optional(),
        tls_ms: z.number().optional(),
        first_byte_ms: z.number().optional(),
        transfer_ms: z.number().optional(),
      })
      .nullable()
      .meta({ description: 'Time per phase of an HTTP check; phases not reached are absent.' }),
    error: z.string().nullable(),
    components: z
      .record(z.string(), checkStatus)
      .nullable()
      .meta({ description: 'Component statuses reported by a health endpoint.' }),
    conditions: z.array(z.object({ condition: z.string(), success: z.boolean(), output: z.string() })).nullable(),
    certificate_expires_at: time.nullable(),
    location: z.string().meta({ description: 'Where the check ran from (`location:` of the configuration).' }),
    kind: z
      .enum(['ping', 'missed', 'overran'])
      .nullable()
      .meta({ description: 'Heartbeats: a ping from the job, a missed ping, or a run longer than max_runtime; null for checks.' }),
    excused: z
      .enum(['pending', 'maintenance', 'quorum'])
      .nullable()
      .meta({
        description:
          'A failed check that was not downtime: its monitor was pending (retries left) or in maintenance, or — checked from several locations — down at fewer than its quorum.',
      }),
  })
  .meta({ description: 'One check of a monitor.' });

export const ResultListSchema = z.object({ monitor: z.string(), results: z.array(ResultSchema) });

export const UptimeWindowSchema = z.object({
  uptime: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .meta({ description: 'Checks that were not downtime ÷ checks; null without checks.' }),
  checks: count,
  failures: count.meta({ description: 'Checks that were downtime (the monitor was left unhealthy).' }),
  excused: count.meta({
    description: 'Failed checks that were not downtime: their monitor was pending (retries left) or in maintenance.',
  }),
  latency_avg_ms: z.number().nullable(),
  latency_p95_ms: z.number().nullable(),
});

export type UptimeWindowName = keyof typeof UPTIME_WINDOWS;

/** One window per entry of `UPTIME_WINDOWS` (api/uptime.ts imports this module's types only: no import cycle). */
export const UptimeSchema = z
  .object(
    Object.fromEntries(Object.keys(UPTIME_WINDOWS).map((name) => [name, UptimeWindowSchema])) as Record<
      UptimeWindowName,
      typeof UptimeWindowSchema
    >,
  )
  .meta({ description: 'Uptime and latency over each window, ending now.' });

export const IncidentSchema = z
  .object({
    id: z.int(),
    monitor: z.string(),
    status: checkStatus.exclude(['healthy']),
    started_at: time,
    ended_at: time.nullable().meta({ description: 'null while it lasts.' }),
    cause: z.string().nullable().meta({ description: 'The error or failed condition that opened it.' }),
    acknowledged_at: time.nullable().meta({ description: 'When someone acknowledged it (reminders and escalation stopped).' }),
    acknowledged_by: z.string().nullable().meta({ description: 'Who acknowledged it (a token name); null for anonymous callers.' }),
  })
  .meta({ description: 'A period during which a monitor was not healthy.' });

export const IncidentListSchema = z.object({ incidents: z.array(IncidentSchema) });

export const StateChangeEventSchema = z
  .object({
    id: z.int().min(1).meta({ description: "The feed's cursor: increasing in commit order; resume after it." }),
    monitor: z.string(),
    location: z.string(),
    seq: z.int().min(1).meta({ description: 'Numbers the changes of one monitor at one location, without gaps.' }),
    from: monitorState,
    to: monitorState,
    at: time,
    reason: z.string().nullable(),
    result_at: time.nullable().meta({ description: 'The result that caused it; null for pause, resume, removal.' }),
    incident: z.int().nullable().meta({ description: 'The incident the change opened or closed.' }),
  })
  .meta({ description: "A change of a monitor's state at one location." });

export const EventPageSchema = z.object({
  events: z.array(StateChangeEventSchema).meta({ description: 'Oldest first.' }),
  next: count.meta({ description: 'The cursor to pass as `after` for the next page (the same when there were none).' }),
});

export const AuditEntrySchema = z
  .object({
    id: z.int().min(1).meta({ description: 'Increasing: pass the smallest of a page as `before` for older entries.' }),
    at: time,
    actor: z
      .object({
        token: z.string().nullable().meta({ description: 'The token id (`tok_…`); null for the command line.' }),
        name: z.string().meta({ description: "The token's name, or `cli`." }),
      })
      .meta({ description: 'Who made the change.' }),
    action: z.enum(AUDIT_ACTIONS),
    subject: z.string().meta({ description: 'The monitor id, or the token id for token actions.' }),
    before: z.unknown().meta({ description: 'What it was (a monitor definition, secrets as "***"); null when created or paused.' }),
    after: z.unknown().meta({ description: 'What it became (secrets as "***"); null when deleted or paused.' }),
  })
  .meta({ description: 'One change made through the API or the command line.' });

export const AuditPageSchema = z.object({
  entries: z.array(AuditEntrySchema).meta({ description: 'Newest first.' }),
  next: z
    .int()
    .min(1)
    .nullable()
    .meta({ description: 'Pass as `before` for the next (older) page; null when this page is the last.' }),
});

export const NotificationSchema = z
  .object({
    id: z.int().min(1).meta({ description: 'Increasing: pass the smallest of a page as `before` for older ones.' }),
    idempotency_key: z.string().meta({ description: 'Monitor, location, alert number and channel: the same for every attempt.' }),
    monitor: z.string(),
    location: z.string(),
    channel: z.string(),
    kind: z.enum(['trigger', 'reminder', 'escalation', 'resolve', 'certificate']),
    status: z.enum(DELIVERY_STATUSES).meta({
      description: '`dead`: failed for good (a permanent failure, or past its deadline); `suppressed`: held back while a monitor it depends on was down (`last_error` says which).',
    }),
    created_at: time,
    next_attempt_at: time.nullable().meta({ description: 'While pending: when it is tried next.' }),
    finished_at: time.nullable(),
    last_error: z.string().nullable(),
    message: z.record(z.string(), z.unknown()).meta({ description: 'The notification as its notifier renders it (kind, severity, monitor, cause, times, keys).' }),
    attempts: z.array(
      z.object({
        attempt: z.int().min(1),
        at: time,
        outcome: z.enum(['delivered', 'transient', 'permanent']),
        status: z.int().nullable().meta({ description: "The receiver's HTTP status, when there was one." }),
        error: z.string().nullable(),
        response: z.string().nullable().meta({ description: "The start of the receiver's answer." }),
        duration_ms: z.number(),
      }),
    ),
  })
  .meta({ description: 'One message to one channel, with its attempts.' });

export const NotificationPageSchema = z.object({
  notifications: z.array(NotificationSchema).meta({ description: 'Newest first.' }),
  next: z.int().min(1).nullable().meta({ description: 'Pass as `before` for the next (older) page; null on the last.' }),
});

const statusIncidentState = z.enum(STATUS_INCIDENT_STATES);
const statusImpact = z.enum(STATUS_IMPACTS);
const monitorImpact = z.enum(MONITOR_IMPACTS);

export const StatusIncidentUpdateSchema = z
  .object({
    id: z.int().min(1),
    at: time,
    status: statusIncidentState.meta({ description: "The incident's status from this update on." }),
    message: z.string(),
    author: z
      .string()
      .nullable()
      .meta({ description: 'Who wrote it: a token name, `cli`, or `vigil` for a draft Vigil made; null for anonymous callers.' }),
  })
  .meta({ description: 'One update of a status incident: its time, status and text.' });

export const StatusIncidentSchema = z
  .object({
    id: z.int().min(1),
    title: z.string(),
    status: statusIncidentState.meta({ description: 'The status of its latest update.' }),
    impact: statusImpact.meta({ description: 'The overall impact.' }),
    published: z.boolean().meta({ description: 'Shown on status pages and to anonymous callers; a draft (false) is shown to token holders only.' }),
    monitors: z
      .array(z.object({ id: z.string(), impact: monitorImpact.meta({ description: 'How the monitor is affected while the incident is open.' }) }))
      .meta({ description: 'The monitors affected (anonymous callers: public monitors only).' }),
    created_at: time,
    updated_at: time,
    resolved_at: time.nullable().meta({ description: 'When it was resolved; null while it is open.' }),
    source_incident: z
      .int()
      .nullable()
      .meta({ description: 'The monitor incident Vigil drafted it from (`/api/v1/incidents`); null when written by a person.' }),
    updates: z.array(StatusIncidentUpdateSchema).meta({ description: 'Oldest first.' }),
  })
  .meta({ description: 'An incident as status pages show it, written by people: a title, a lifecycle, updates, the monitors affected.' });

export const StatusIncidentListSchema = z.object({
  incidents: z.array(StatusIncidentSchema).meta({ description: 'Newest (by creation) first.' }),
  next: z.int().min(1).nullable().meta({ description: 'Pass as `before` for the next (older) page; null on the last.' }),
});

const tokenScope = z
  .enum(TOKEN_SCOPES)
  .meta({ description: '`read`, `write` or `admin`, each including the ones before it; or `agent`: only the agent endpoints.' });

export const TokenSchema = z
  .object({
    id: z.string().meta({ description: 'The public id (`tok_…`): how it is revoked.' }),
    name: z.string(),
    scope: tokenScope,
    created_at: time,
    last_used_at: time.nullable().meta({ description: 'Recorded at most once a minute; null when never used.' }),
  })
  .meta({ description: 'An API token, without its secret (only its hash is stored).' });

export const TokenListSchema = z.object({ tokens: z.array(TokenSchema).meta({ description: 'Oldest first.' }) });

export const CreatedTokenSchema = z
  .object({
    token: z.string().meta({ description: 'The secret (`vgl_…`), shown this once: send it as `Authorization: Bearer <token>`.' }),
    id: z.string(),
    name: z.string(),
    scope: tokenScope,
    created_at: time,
  })
  .meta({ description: 'A new token, with its secret.' });

export const CheckQueuedSchema = z
  .object({ queued: z.literal(true) })
  .meta({ description: 'The check runs now (or was already running); its result comes as a scheduled one does.' });

export const ChannelSchema = z
  .object({ name: z.string().meta({ description: 'Its name in `alerts.channels`.' }), type: z.string().meta({ description: '`webhook`, `slack`, `email`…' }) })
  .meta({ description: 'A notification channel of the configuration (never its settings: they hold URLs and keys).' });

export const ChannelListSchema = z.object({ channels: z.array(ChannelSchema).meta({ description: 'In configuration order.' }) });

export const TestDeliverySchema = z
  .object({
    delivered: z.literal(true),
    status: z.int().nullable().meta({ description: "The receiver's HTTP status; null for a channel that is not HTTP (email)." }),
    duration_ms: z.number().min(0),
  })
  .meta({ description: 'The test message was delivered.' });

/** What a request body field must be, said the same way for every field (`title: required`). */
const must = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : `expected ${what}`);

const oneOf = (values: readonly string[]) => (issue: { input?: unknown }) =>
  `expected one of ${values.join(', ')}${typeof issue.input === 'string' ? `, got ${JSON.stringify(issue.input.length > 40 ? `${issue.input.slice(0, 40)}…` : issue.input)}` : ''}`;

export const STATUS_INCIDENT_TITLE_MAX = 200;
export const STATUS_INCIDENT_MESSAGE_MAX = 10_000;
export const STATUS_INCIDENT_MONITORS_MAX = 1000;

const titleInput = z
  .string({ error: must('a string') })
  .trim()
  .min(1, 'must not be empty')
  .max(STATUS_INCIDENT_TITLE_MAX, `at most ${STATUS_INCIDENT_TITLE_MAX} characters`)
  .meta({ description: `What is wrong, in a few words (at most ${STATUS_INCIDENT_TITLE_MAX} characters).` });
const messageInput = z
  .string({ error: must('a string') })
  .trim()
  .min(1, 'must not be empty')
  .max(STATUS_INCIDENT_MESSAGE_MAX, `at most ${STATUS_INCIDENT_MESSAGE_MAX} characters`)
  .meta({ description: `The text of the update (at most ${STATUS_INCIDENT_MESSAGE_MAX} characters).` });
const statusInput = z.enum(STATUS_INCIDENT_STATES, { error: oneOf(STATUS_INCIDENT_STATES) });
const impactInput = z.enum(STATUS_IMPACTS, { error: oneOf(STATUS_IMPACTS) });
const monitorIdInput = z.string({ error: must('a monitor id') }).min(1, 'must not be empty').max(200, 'at most 200 characters');
const monitorsInput = z
  .array(
    z.union(
      [
        monitorIdInput.meta({ description: 'A monitor id; its impact follows the incident\'s: `major` for a critical or major incident, `degraded` otherwise.' }),
        z.strictObject(
          {
            id: monitorIdInput,
            impact: z.enum(MONITOR_IMPACTS, { error: oneOf(MONITOR_IMPACTS) }).optional().meta({ description: "Default: from the incident's impact." }),
          },
        ),
      ],
      { error: 'expected a monitor id or { "id", "impact" }' },
    ),
    { error: must('an array of monitors') },
  )
  .max(STATUS_INCIDENT_MONITORS_MAX, `at most ${STATUS_INCIDENT_MONITORS_MAX} monitors`)
  .meta({ description: 'The monitors affected: ids, or `{ "id", "impact" }` objects.' });
const publishedInput = z.boolean({ error: must('true or false') });

/** POST /api/v1/status-incidents. */
export const NewStatusIncidentSchema = z
  .strictObject({
    title: titleInput,
    status: statusInput.default('investigating'),
    impact: impactInput.default('major'),
    monitors: monitorsInput.default([]),
    published: publishedInput.default(true).meta({ description: 'false: a draft, shown to token holders only until published.' }),
    message: messageInput.meta({ description: 'The first update.' }),
  })
  .meta({ description: 'A new status incident with its first update.' });

/** POST /api/v1/status-incidents/{id}/updates. */
export const StatusIncidentUpdateRequestSchema = z
  .strictObject({
    status: statusInput.optional().meta({ description: 'The new status (`resolved` resolves it). Default: the current one.' }),
    message: messageInput,
  })
  .meta({ description: 'An update: a message, and the status from now on.' });

/** PATCH /api/v1/status-incidents/{id}. */
export const StatusIncidentPatchSchema = z
  .strictObject({
    title: titleInput.optional(),
    impact: impactInput.optional(),
    monitors: monitorsInput.optional().meta({ description: 'Replaces the list.' }),
    published: publishedInput.optional().meta({ description: 'true publishes a draft; false takes it off the status pages.' }),
  })
  .meta({ description: 'New values for some fields (at least one); the lifecycle changes through updates.' });

/** POST /api/v1/tokens. */
export const NewTokenSchema = z
  .strictObject({
    name: z
      .string({ error: must('a name') })
      .superRefine((name, ctx) => {
        const problem = tokenNameProblem(name.trim());
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .meta({ description: `Unique; at most ${TOKEN_NAME_MAX} characters (spaces around it are dropped).` }),
    scope: z
      .enum(TOKEN_SCOPES, { error: oneOf(TOKEN_SCOPES) })
      .meta({ description: 'What it may do: `read`, `write` or `admin`; `agent` for `vigil agent` (the agent endpoints only).' }),
  })
  .meta({ description: 'A new API token.' });

// ------------------------------------------------------------------------------------------ agents

/** Results in one `POST /api/v1/results` (the body is capped too, at 1 MiB). */
export const AGENT_RESULTS_MAX = 1000;
const AGENT_TEXT_MAX = 10_000;

export const AgentMonitorListSchema = z
  .object({
    location: z.string().meta({ description: 'The location asked for.' }),
    monitors: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          type: z.string(),
          config: z.record(z.string(), z.unknown()).meta({
            description:
              'The monitor as the server loaded it — defaults applied, durations in milliseconds, `${ENV}` substituted — SECRETS INCLUDED: the agent runs it with the same probes as the server.',
          }),
        }),
      )
      .meta({ description: 'The probing monitors whose `locations` include it and that are not paused.' }),
  })
  .meta({ description: 'What an agent of this location checks.' });

export const ResultsAcceptedSchema = z
  .object({
    accepted: count.meta({ description: 'Results stored now.' }),
    skipped: count.meta({
      description: 'Results not newer than the last one recorded for their monitor at this location: already stored (the batch was sent before).',
    }),
  })
  .meta({ description: 'Every result of the batch is stored.' });

const agentInstantInput = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date and time, like "2025-01-15T12:00:00.000Z"' });
const msInput = z.number({ error: 'expected milliseconds' }).min(0, 'must not be negative').max(86_400_000, 'at most a day');
const textInput = z.string({ error: 'expected a string' }).max(AGENT_TEXT_MAX, `at most ${AGENT_TEXT_MAX} characters`);

/** One check an agent ran: the names of `Result`, with the monitor's id. */
export const AgentResultSchema = z
  .strictObject({
    monitor: z.string({ error: must('a monitor id') }).min(1, 'must not be empty').max(200, 'at most 200 characters'),
    at: agentInstantInput.meta({ description: 'When the check started.' }),
    status: z.enum(STATUSES, { error: oneOf(STATUSES) }).meta({ description: "The probe's verdict for this one check." }),
    latency_ms: msInput,
    status_code: z.int({ error: 'expected a whole number' }).min(0).max(999).nullable().optional(),
    timings: z
      .strictObject({
        dns_ms: msInput.optional(),
        connect_ms: msInput.optional(),
        tls_ms: msInput.optional(),
        first_byte_ms: msInput.optional(),
        transfer_ms: msInput.optional(),
      })
      .nullable()
      .optional(),
    error: textInput.nullable().optional(),
    components: z.record(z.string().max(200), z.enum(STATUSES, { error: oneOf(STATUSES) })).nullable().optional(),
    conditions: z
      .array(z.strictObject({ condition: textInput, success: z.boolean({ error: must('true or false') }), output: textInput }))
      .max(100, 'at most 100 conditions')
      .nullable()
      .optional(),
    certificate_expires_at: agentInstantInput.nullable().optional(),
  })
  .meta({ description: 'One check an agent ran, in the fields of `Result`.' });

/** POST /api/v1/results. */
export const AgentResultsSchema = z
  .strictObject({
    location: locationName().meta({ description: "The agent's location (`--location`): not the server's own." }),
    results: z
      .array(AgentResultSchema, { error: must('an array of results') })
      .min(1, 'must hold at least one result')
      .max(AGENT_RESULTS_MAX, `at most ${AGENT_RESULTS_MAX} results per request`)
      .meta({ description: "Each monitor's results oldest first; every monitor assigned to the location." }),
  })
  .meta({ description: 'Results an agent checked.' });

// ------------------------------------------------------------------------------------------ maintenance windows

export const MaintenanceWindowSchema = z
  .object({
    id: z.int().min(1).nullable().meta({ description: 'Windows scheduled through the API; null for those of the configuration (change them there).' }),
    source: z.enum(['config', 'api']).meta({ description: '`config`: the `maintenance` section (read-only); `api`: scheduled through the API.' }),
    title: z.string(),
    message: z.string().nullable(),
    starts_at: time.meta({ description: 'The span open now, else the next one (a weekly or cron window of the configuration repeats).' }),
    ends_at: time,
    ongoing: z.boolean().meta({ description: 'Open now: the monitors it covers are in `maintenance`.' }),
    monitors: z.array(z.string()).meta({ description: 'The monitor ids it names.' }),
    groups: z.array(z.string()).meta({ description: 'The groups whose monitors it covers.' }),
    all_monitors: z.boolean().meta({ description: 'It covers every monitor (a configuration window that names no monitor and no group).' }),
    schedule: z.enum(['once', 'weekly', 'cron']).meta({ description: 'Windows scheduled through the API are `once`.' }),
    created_at: time.nullable(),
    author: z.string().nullable().meta({ description: 'The token name that scheduled it; null for the configuration.' }),
  })
  .meta({ description: 'A maintenance window: no alerts for the monitors it covers, and their failures count as maintenance, not downtime.' });

export const MaintenanceListSchema = z.object({
  maintenance: z.array(MaintenanceWindowSchema).meta({ description: 'Ongoing and upcoming windows of both sources, by start.' }),
});

/** An instant with its offset, as the configuration's `once` windows take it. */
const instantInput = (what: string) =>
  z
    .string({ error: must('a date and time') })
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, {
      error: 'expected a date and time with its offset, like "2026-12-24T22:00:00Z"',
      abort: true,
    })
    .refine((value) => !Number.isNaN(Date.parse(value)), 'not a valid date and time')
    .meta({ description: `${what}: ISO 8601 with an offset (\`Z\` for UTC).` });

/** POST /api/v1/maintenance. */
export const NewMaintenanceSchema = z
  .strictObject({
    title: z
      .string({ error: must('a string') })
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'at most 200 characters')
      .meta({ description: 'What is done, in a few words (at most 200 characters): "Database upgrade".' }),
    message: z
      .string({ error: must('a string') })
      .trim()
      .max(STATUS_INCIDENT_MESSAGE_MAX, `at most ${STATUS_INCIDENT_MESSAGE_MAX} characters`)
      .optional()
      .meta({ description: 'More about it, for the people who read the API (optional).' }),
    starts_at: instantInput('When it starts (now or earlier starts it at once)'),
    ends_at: instantInput('When it ends: after `starts_at`, in the future, at most 30 days after `starts_at`'),
    monitors: z
      .array(monitorIdInput, { error: must('an array of monitor ids') })
      .max(STATUS_INCIDENT_MONITORS_MAX, `at most ${STATUS_INCIDENT_MONITORS_MAX} monitors`)
      .default([])
      .meta({ description: 'The monitors it covers, by id.' }),
    groups: z
      .array(z.string({ error: must('a group name') }).min(1, 'must not be empty').max(200, 'at most 200 characters'), { error: must('an array of group names') })
      .max(STATUS_INCIDENT_MONITORS_MAX, `at most ${STATUS_INCIDENT_MONITORS_MAX} groups`)
      .default([])
      .meta({ description: 'The groups whose monitors it covers. Name at least one monitor or group.' }),
  })
  .meta({ description: 'A one-off maintenance window.' });

/** Every `error.code` the API answers with (http/ and api/: `new HttpError(…)`, api/errors.ts). */
export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'cors_refused',
  'not_found',
  'method_not_allowed',
  'conflict',
  'read_only',
  'paused_in_config',
  'payload_too_large',
  'unsupported_media_type',
  'invalid_request',
  'invalid_monitor',
  'redis_unavailable',
  'delivery_failed',
  'internal_error',
] as const;

export const ErrorSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string().meta({ description: 'What failed and what to do, for a person.' }),
    issues: z
      .array(
        z.object({
          path: z.string().meta({ description: 'The field (`interval`, `auth.basic.password`); empty for the whole body.' }),
          message: z.string(),
        }),
      )
      .optional()
      .meta({ description: 'For 422 (and 400 for a status incident body): each problem of the body.' }),
  }),
});

/** The schemas as components of the OpenAPI document, by name (`#/components/schemas/<name>`). */
export const RESPONSE_SCHEMAS = {
  Error: ErrorSchema,
  PublicHeartbeat: PublicHeartbeatSchema,
  Heartbeat: HeartbeatSchema,
  PublicMonitor: PublicMonitorSchema,
  Monitor: MonitorSchema,
  MonitorWithDefinition: MonitorWithDefinitionSchema,
  MonitorList: MonitorListSchema,
  Result: ResultSchema,
  ResultList: ResultListSchema,
  Ping: PingSchema,
  PingList: PingListSchema,
  UptimeWindow: UptimeWindowSchema,
  Uptime: UptimeSchema,
  Incident: IncidentSchema,
  IncidentList: IncidentListSchema,
  StateChangeEvent: StateChangeEventSchema,
  EventPage: EventPageSchema,
  AuditEntry: AuditEntrySchema,
  AuditPage: AuditPageSchema,
  Notification: NotificationSchema,
  NotificationPage: NotificationPageSchema,
  StatusIncidentUpdate: StatusIncidentUpdateSchema,
  StatusIncident: StatusIncidentSchema,
  StatusIncidentList: StatusIncidentListSchema,
  ...JOB_RESPONSE_SCHEMAS,
  MaintenanceWindow: MaintenanceWindowSchema,
  MaintenanceList: MaintenanceListSchema,
  Token: TokenSchema,
  TokenList: TokenListSchema,
  CreatedToken: CreatedTokenSchema,
  CheckQueued: CheckQueuedSchema,
  AgentMonitorList: AgentMonitorListSchema,
  ResultsAccepted: ResultsAcceptedSchema,
  Channel: ChannelSchema,
  ChannelList: ChannelListSchema,
  TestDelivery: TestDeliverySchema,
} as const satisfies Record<string, z.ZodType>;

/** The request bodies validated with zod, as components of the OpenAPI document (their input side). */
export const REQUEST_SCHEMAS = {
  NewStatusIncident: NewStatusIncidentSchema,
  StatusIncidentUpdateRequest: StatusIncidentUpdateRequestSchema,
  StatusIncidentPatch: StatusIncidentPatchSchema,
  NewMaintenance: NewMaintenanceSchema,
  NewToken: NewTokenSchema,
  AgentResults: AgentResultsSchema,
} as const satisfies Record<string, z.ZodType>;

export type PublicHeartbeatJson = z.output<typeof PublicHeartbeatSchema>;
export type HeartbeatJson = z.output<typeof HeartbeatSchema>;
export type PublicMonitorJson = z.output<typeof PublicMonitorSchema>;
export type MonitorJson = z.output<typeof MonitorSchema>;
export type MonitorWithDefinitionJson = z.output<typeof MonitorWithDefinitionSchema>;
export type AnyMonitorJson = z.output<typeof AnyMonitorSchema>;
export type MonitorListJson = z.output<typeof MonitorListSchema>;
export type ResultJson = z.output<typeof ResultSchema>;
export type ResultListJson = z.output<typeof ResultListSchema>;
export type PingJson = z.output<typeof PingSchema>;
export type UptimeWindowJson = z.output<typeof UptimeWindowSchema>;
export type UptimeJson = z.output<typeof UptimeSchema>;
export type IncidentJson = z.output<typeof IncidentSchema>;
export type IncidentListJson = z.output<typeof IncidentListSchema>;
export type StateChangeEventJson = z.output<typeof StateChangeEventSchema>;
export type EventPageJson = z.output<typeof EventPageSchema>;
export type AuditEntryJson = z.output<typeof AuditEntrySchema>;
export type AuditPageJson = z.output<typeof AuditPageSchema>;
export type NotificationJson = z.output<typeof NotificationSchema>;
export type StatusIncidentJson = z.output<typeof StatusIncidentSchema>;
export type StatusIncidentUpdateJson = z.output<typeof StatusIncidentUpdateSchema>;
export type StatusIncidentListJson = z.output<typeof StatusIncidentListSchema>;
export type MaintenanceWindowJson = z.output<typeof MaintenanceWindowSchema>;
export type MaintenanceListJson = z.output<typeof MaintenanceListSchema>;
export type TokenJson = z.output<typeof TokenSchema>;
export type CreatedTokenJson = z.output<typeof CreatedTokenSchema>;
export type ChannelJson = z.output<typeof ChannelSchema>;
export type TestDeliveryJson = z.output<typeof TestDeliverySchema>;
export type AgentMonitorListJson = z.output<typeof AgentMonitorListSchema>;
export type ResultsAcceptedJson = z.output<typeof ResultsAcceptedSchema>;
export type AgentResultJson = z.input<typeof AgentResultSchema>;
export type AgentResultsJson = z.input<typeof AgentResultsSchema>;
export type ErrorJson = z.output<typeof ErrorSchema>;
export type ErrorCode = (typeof ERROR_CODES)[number];
