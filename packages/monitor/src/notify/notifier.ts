/**
 * What every notifier implements, one file each in `channels/`: its settings (a zod schema, checked when the
 * configuration loads, secrets marked) and `send`, which turns a notification into the receiver's format, sends it
 * within the caller's deadline, and says how it went — delivered, a transient failure worth retrying, or a
 * permanent one. A notifier never throws for a failed send and never puts its URL or credentials in an error: the
 * dispatcher stores and shows what it returns.
 */
import type { z } from 'zod';
import type { MonitorState } from '../model.js';

/** `escalation`: an alert nobody acknowledged, sent to the rule's further channels (`escalate_to`). */
/** `certificate`: the monitor's certificate expires within one of the rule's `certificate_days`. */
export const NOTIFICATION_KINDS = ['trigger', 'resolve', 'reminder', 'escalation', 'certificate', 'test'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One message about one alert of one monitor, for one channel. */
export interface Notification {
  /** The same for every attempt of this message (monitor, location, alert number, channel): `Idempotency-Key`. */
  idempotencyKey: string;
  /**
   * The same for an alert's trigger, reminders and resolve (monitor, location, number of the trigger): PagerDuty's
   * dedup key, Opsgenie's alias, Alertmanager's `alert` label.
   */
  alertKey: string;
  kind: NotificationKind;
  severity: Severity;
  monitor: {
    id: string;
    name: string;
    type: string;
    group?: string;
    /** What is checked, credentials removed. */
    target?: string;
  };
  location: string;
  /** The monitor's state when the message was made. */
  state: MonitorState;
  /** What failed (sanitized), for a trigger or a reminder; the last failure, for a resolve. */
  cause?: string;
  /** When it happened (the trigger, the recovery, the reminder), epoch ms. */
  at: number;
  /** When the alert started (for reminders and resolves), epoch ms. */
  since?: number;
  /** A link to the monitor on this server (`server.public_url`), when known. */
  url?: string;
  /** For a trigger: the monitors that depend on this one (`depends_on`) and are down with it, by name. */
  children?: string[];
  /** For `certificate`: when the certificate expires, and the whole days left. */
  certificate?: { expiresAt: number; daysLeft: number };
}

export type SendOutcome =
  | { outcome: 'delivered'; status?: number; response?: string }
  | { outcome: 'transient'; error: string; status?: number; retryAfterMs?: number }
  | { outcome: 'permanent'; error: string; status?: number };

export interface SendOptions {
  /** Aborted when the attempt's time is up. */
  signal: AbortSignal;
}

export interface Notifier {
  send(notification: Notification, options: SendOptions): Promise<SendOutcome>;
}

/** A kind of notifier: `type` as written in the configuration, its settings, and how to build one. */
export interface NotifierType<Settings extends { type: string } = { type: string }> {
  type: Settings['type'];
  /** A strict object with `type: z.literal(type)`; described, secrets marked with `secret()`. */
  settings: z.ZodType<Settings>;
  create(settings: Settings, context: NotifierContext): Notifier;
}

export interface NotifierContext {
  /** The channel's name in the configuration, for messages. */
  channel: string;
}
