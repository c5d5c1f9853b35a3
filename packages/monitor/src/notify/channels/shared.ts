/**
 * What the chat, paging and mail notifiers share: the words of a message (title, sentence, facts) worked out once
 * from a notification, lengths cut without breaking a character, and the parts of a URL that are secrets.
 */
import type { Notification } from '../notifier.js';
import { notificationView } from '../template.js';

/** Causes longer than this are cut before they go into a message: receivers limit message sizes. */
export const CAUSE_KEPT = 1500;

/** At most `max` characters (code points), ending with `…` when cut; never half a surrogate pair. */
export function truncate(value: string, max: number): string {
  const chars = Array.from(value);
  if (chars.length <= max) return value;
  return `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

/**
 * Like `truncate`, for text already escaped with backslashes (Markdown): a cut that leaves a lone backslash at the
 * end would escape the `…`, so it goes too.
 */
export function truncateEscaped(value: string, max: number): string {
  const chars = Array.from(value);
  if (chars.length <= max) return value;
  let kept = chars.slice(0, Math.max(0, max - 1)).join('');
  const trailing = /\\+$/.exec(kept)?.[0].length ?? 0;
  if (trailing % 2 === 1) kept = kept.slice(0, -1);
  return `${kept.trimEnd()}…`;
}

/** The notification with its cause cut to `max` characters, for templates over a size-limited target. */
export function withShortCause(notification: Notification, max = CAUSE_KEPT): Notification {
  return notification.cause === undefined ? notification : { ...notification, cause: truncate(notification.cause, max) };
}

/** `2025-01-15 11:57:00 UTC`. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export type Tone = 'down' | 'degraded' | 'reminder' | 'resolved' | 'test';

/** The words of a message, not escaped: each notifier escapes them for its target. */
export interface Message {
  tone: Tone;
  /** `DOWN`, `DEGRADED`, `STILL DOWN`, `RESOLVED`, `TEST`. */
  headline: string;
  /** `[DOWN] Shop API`: a mail subject, a card title. */
  title: string;
  /** One sentence: `Shop API is down`, `Shop API recovered after 3m`. */
  sentence: string;
  /** The cause, cut to CAUSE_KEPT characters; empty when there is none. */
  cause: string;
  /** Label and value pairs, in order, empty ones left out. */
  facts: Array<[string, string]>;
}

export function message(notification: Notification): Message {
  const view = notificationView(notification);
  const tone: Tone =
    notification.kind === 'resolve'
      ? 'resolved'
      : notification.kind === 'test'
        ? 'test'
        : notification.kind === 'reminder'
          ? 'reminder'
          : notification.state === 'degraded' || notification.kind === 'certificate'
            ? 'degraded'
            : 'down';
  const name = notification.monitor.name;
  const sentence =
    tone === 'resolved'
      ? `${name} recovered${view.duration ? ` after ${view.duration}` : ''}`
      : tone === 'test'
        ? `${view.summary}: if you can read this, the channel works`
        : view.summary;
  const facts: Array<[string, string | undefined]> = [
    ['Monitor', `${name} (${notification.monitor.type})`],
    ['Group', notification.monitor.group],
    ['Location', notification.location],
    ['Target', notification.monitor.target],
    [tone === 'resolved' ? 'Down from' : 'Down since', notification.since === undefined ? undefined : formatTime(notification.since)],
    [tone === 'resolved' ? 'Recovered at' : 'At', formatTime(notification.at)],
    [tone === 'resolved' ? 'Lasted' : 'Duration', view.duration || undefined],
    ['Down with it', notification.children?.length ? notification.children.join(', ') : undefined],
    ['Certificate expires', notification.certificate === undefined ? undefined : formatTime(notification.certificate.expiresAt)],
  ];
  return {
    tone,
    headline: view.headline,
    title: `[${view.headline}] ${name}`,
    sentence,
    cause: truncate(notification.cause ?? '', CAUSE_KEPT),
    facts: facts.filter((fact): fact is [string, string] => fact[1] !== undefined && fact[1] !== ''),
  };
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The parts of a URL that can be secrets on their own and that a receiver might echo in an answer: long path
 * segments (Slack's and Discord's tokens), query values (Teams workflows' `sig`), the password.
 */
export function urlSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    const parts = [url, `${parsed.pathname}${parsed.search}`];
    for (const segment of parsed.pathname.split('/')) if (segment.length >= 12) parts.push(segment, decoded(segment));
    for (const value of parsed.searchParams.values()) if (value.length >= 8) parts.push(value);
    if (parsed.password) parts.push(parsed.password, decoded(parsed.password));
    return parts;
  } catch {
    return [url];
  }
}

/** `base` (a server URL, with or without a trailing slash or a path prefix) joined with `path`. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** The JSON of an answer kept in an outcome's error (`the receiver answered HTTP 400: {...}`), when it is JSON. */
export function answerJson(error: string): Record<string, unknown> | undefined {
  const match = /^the receiver answered HTTP \d+: (.*)$/s.exec(error);
  if (!match?.[1]) return undefined;
  try {
    const value: unknown = JSON.parse(match[1]);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `value` escaped with `escape`, at most `max` characters once escaped: the raw value is cut (never the escaped
 * one, which could split an entity like `&amp;` or an escape like `\*`) until its escaped form fits.
 */
export function fitEscaped(value: string, escape: (value: string) => string, max: number): string {
  let raw = value;
  let escaped = escape(raw);
  while (Array.from(escaped).length > max) {
    const length = Array.from(raw).length;
    raw = truncate(raw, Math.max(1, Math.min(length - 1, Math.floor(length * (max / Array.from(escaped).length)))));
    escaped = escape(raw);
    if (length <= 1) break;
  }
  return escaped;
}

/** `Authorization` from a bearer token, else a user name and password (Basic), else none. */
export function authorizationHeader(auth: { bearer?: string | undefined; username?: string | undefined; password?: string | undefined }): string | undefined {
  if (auth.bearer !== undefined) return `Bearer ${auth.bearer}`;
  if (auth.username !== undefined && auth.password !== undefined) {
    return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  }
  return undefined;
}
