/**
 * The `maintenance` section: windows during which monitors send no alert and their failures count as maintenance,
 * not downtime. A window is one-off (`once`), weekly (`weekly`: days and a time) or a cron expression with a
 * duration, in a time zone; it covers the monitors it names, the monitors of the groups it names, or every monitor.
 */
import { z } from 'zod';
import { cronError } from './cron.js';
import { duration } from './duration.js';
import { text } from './fields.js';
import { isTimeZone } from './monitors/heartbeat.js';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const instant = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)), {
    error: 'expected a date and time with its offset, like "2026-12-24T22:00:00Z" or "2026-12-24T23:00:00+01:00"',
  });

const once = z
  .strictObject({
    start: instant.describe('When it starts: ISO 8601 with an offset (`Z` for UTC).'),
    end: instant.optional().describe('When it ends. Set `end` or `duration`.'),
    duration: duration({ allowZero: false }).optional().describe('How long it lasts. Set `end` or `duration`.'),
  })
  .superRefine((value, ctx) => {
    if ((value.end === undefined) === (value.duration === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of end or duration' });
    } else if (value.end !== undefined && Date.parse(value.end) <= Date.parse(value.start)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
    }
  });

const weekly = z.strictObject({
  days: z
    .array(z.enum(WEEKDAYS, { error: `expected a day: ${WEEKDAYS.join(', ')}` }))
    .min(1, { error: 'name at least one day' })
    .describe('The days it starts on: `[sun]`, `[mon, wed, fri]`.'),
  at: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time of day like "02:30" (24-hour)' })
    .describe('When it starts on those days, in `timezone`: `"02:30"`.'),
  duration: duration({ allowZero: false }).describe('How long it lasts.'),
});

const window = z
  .strictObject({
    name: text().describe('What it is for, shown in the reason of the state change: "Database upgrade".'),
    monitors: z.array(text()).optional().describe('The monitors it covers, by id.'),
    groups: z.array(text()).optional().describe('The groups whose monitors it covers.'),
    once: once.optional().describe('A one-off window.'),
    weekly: weekly.optional().describe('A weekly window.'),
    cron: text()
      .superRefine((expression, ctx) => {
        const problem = cronError(expression);
        if (problem) ctx.addIssue({ code: 'custom', message: `invalid cron expression: ${problem}` });
      })
      .optional()
      .describe('When it starts, as a 5-field cron expression (with `duration`).'),
    duration: duration({ allowZero: false }).optional().describe('How long a `cron` window lasts.'),
    timezone: z
      .string()
      .refine(isTimeZone, { error: 'expected an IANA time zone like "Europe/Paris" or "UTC"' })
      .default('UTC')
      .describe('The time zone of `weekly` and `cron`. Default: UTC.'),
  })
  .superRefine((value, ctx) => {
    const kinds = [value.once, value.weekly, value.cron].filter((kind) => kind !== undefined).length;
    if (kinds !== 1) ctx.addIssue({ code: 'custom', message: 'set exactly one of once, weekly or cron' });
    if (value.cron !== undefined && value.duration === undefined) {
      ctx.addIssue({ code: 'custom', path: ['duration'], message: 'a cron window needs a duration' });
    }
    if (value.cron === undefined && value.duration !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['duration'], message: 'duration goes with cron (once and weekly have their own)' });
    }
  });

export const maintenanceSection = z
  .array(window)
  .default([])
  .describe(
    'Maintenance windows: no alerts, and failures count as maintenance, not downtime. Without `monitors` and `groups`, a window covers every monitor.',
  );

export type MaintenanceWindowConfig = z.output<typeof window>;
