/**
 * `heartbeat`: a cron job pings Vigil (Healthchecks.io-compatible `/ping/<id>`, `/start`, `/fail`, `/<exit-code>`);
 * the monitor goes late, then down, when a ping does not arrive on schedule.
 */
import { z } from 'zod';
import { cronError } from '../cron.js';
import { duration } from '../duration.js';
import { secret, text } from '../fields.js';
import { commonFields, monitorType, slugify } from './base.js';

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const SLUG_PATTERN = /^[a-z0-9_-]{1,100}$/;
export const PING_METHODS = ['GET', 'HEAD', 'POST'] as const;
export type PingMethod = (typeof PING_METHODS)[number];

const keywordList = (what: string) =>
  z
    .array(text().max(200, { error: 'must be at most 200 characters' }))
    .default([])
    .describe(what);

const pingKeywords = z
  .strictObject({
    success: keywordList('A body holding one of these (case-insensitive) is a success.'),
    failure: keywordList('A body holding one of these is a failure (checked first).'),
    start: keywordList('A body holding one of these starts a run.'),
    unmatched: z
      .enum(['ignore', 'fail'])
      .default('ignore')
      .describe('A ping whose body holds none of the keywords: logged and ignored (`ignore`), or a failure (`fail`).'),
  })
  .superRefine((value, ctx) => {
    if (value.success.length + value.failure.length + value.start.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'list at least one keyword in success, failure or start' });
    }
  })
  .describe(
    'Decide a plain ping (`/ping/<key>`, no suffix) from its body, as Healthchecks.io\'s keyword filters do: failure keywords first, then success, then start; `/fail`, `/start` and exit statuses keep their meaning.',
  );

export const heartbeatSchedule = z
  .strictObject({
    period: duration({ min: 1000 })
      .optional()
      .describe('Expected time between pings, e.g. `"1h"`. Set either `period` or `cron`.'),
    cron: text()
      .superRefine((expression, ctx) => {
        const problem = cronError(expression);
        if (problem) ctx.addIssue({ code: 'custom', message: `invalid cron expression: ${problem}` });
      })
      .optional()
      .describe('When the job runs, as a 5-field cron expression (`"0 3 * * *"`) or a macro (`"@daily"`).'),
    timezone: z
      .string()
      .refine(isTimeZone, { error: 'expected an IANA time zone like "Europe/Paris" or "UTC"' })
      .optional()
      .describe('Time zone of `cron` (IANA name). Default: `UTC`.'),
    grace: duration()
      .prefault('1h')
      .describe('How long after the expected time a ping may still arrive (state `late`) before the monitor is down.'),
  })
  .superRefine((value, ctx) => {
    if ((value.period === undefined) === (value.cron === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of period or cron' });
    }
    if (value.timezone !== undefined && value.cron === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'timezone applies to cron schedules only' });
    }
  });

export const heartbeatMonitor = z
  .strictObject({
    type: monitorType('heartbeat', 'Pings from a cron job or worker.'),
    ...commonFields,
    schedule: heartbeatSchedule.describe('When pings are expected: `{ period, grace }` or `{ cron, timezone, grace }`.'),
    max_runtime: duration({ allowZero: false })
      .optional()
      .describe('Alert when a run (from `/start` to its success or failure ping) lasts longer than this.'),
    ping_key: secret(
      z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, { error: 'expected 8 to 128 letters, digits, "-" or "_"' }),
    )
      .optional()
      .describe(
        'The id in the ping URL (`/ping/<ping_key>`). Default: the monitor id, which is guessable: on a server others can reach, set a random key (`openssl rand -hex 16`). Required when the heartbeat is `public` (its id is shown on the status page).',
      ),
    slug: z
      .string()
      .regex(SLUG_PATTERN, { error: 'expected 1 to 100 lowercase letters, digits, "-" or "_"' })
      .optional()
      .describe(
        'The name in the slug ping URL, `/ping/<heartbeats.ping_key>/<slug>` (or its group\'s key). Default: derived from `name` ("Nightly backup" → `nightly-backup`).',
      ),
    methods: z
      .array(z.enum(PING_METHODS))
      .min(1, { error: 'must list at least one method' })
      .optional()
      .describe(
        'The HTTP methods whose pings count, e.g. `[POST]` so that a link checker or a preview bot that GETs the URL does not count as a success. Other pings are logged as ignored. Default: GET, HEAD and POST.',
      ),
    keywords: pingKeywords.optional(),
  })
  .superRefine((monitor, ctx) => {
    // A public heartbeat's id is on the status page: without a key, anyone could ping it and hide a failed job.
    if (monitor.public && monitor.ping_key === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['public'],
        message:
          'a public heartbeat needs a ping_key: its id is shown on the status page, and without a key anyone who reads it could ping it (and hide a failed run). Add `ping_key:` with a random value (e.g. from `openssl rand -hex 16`), or set `public: false`',
      });
    }
  })
  .describe(
    'Expects pings from a cron job (Healthchecks.io-compatible: `/ping/<id>`, `/start`, `/fail`, `/<exit-code>`, `/log`). New, up, late (in grace), down, paused.',
  );

/** The id in a heartbeat's ping URL. */
export function heartbeatPingId(monitor: { id: string; ping_key?: string | undefined }): string {
  return monitor.ping_key ?? monitor.id;
}

/** A heartbeat's slug (the name in `/ping/<ping-key>/<slug>`): its own, or derived from its name. */
export function heartbeatSlug(monitor: { name: string; slug?: string | undefined }): string {
  return monitor.slug ?? slugify(monitor.name).slice(0, 100);
}
