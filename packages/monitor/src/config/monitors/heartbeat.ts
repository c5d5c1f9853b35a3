/**
 * `heartbeat`: a cron job pings Vigil (Healthchecks.io-compatible `/ping/<id>`, `/start`, `/fail`, `/<exit-code>`);
 * the monitor goes late, then down, when a ping does not arrive on schedule.
 */
import { z } from 'zod';
import { cronError } from '../cron.js';
import { duration } from '../duration.js';
import { secret, text } from '../fields.js';
import { commonFields, monitorType } from './base.js';

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const schedule = z
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
    schedule: schedule.describe('When pings are expected: `{ period, grace }` or `{ cron, timezone, grace }`.'),
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
