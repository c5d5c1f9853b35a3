/**
 * The logs of `vigil serve`: pino, with levels (`VIGIL_LOG_LEVEL`, `--log-level`), JSON lines when stdout is not a
 * terminal and readable lines when it is (`--log-format`). Events are logged with fields (`event`, `monitor`,
 * `from`, `to`, `reason`), not as sentences to parse. What goes in has been sanitized by the caller (errors through
 * `describeError`); what comes out cannot forge a line: JSON escapes control characters, and the readable format
 * escapes them too.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { sanitizeMessage } from '@vigil/core';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The part of pino's logger Vigil uses: fields first, then the message. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: object): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Default: `pretty` when `destination` is a terminal, `json` otherwise. */
  format?: LogFormat;
  /** Where lines go. Default: stdout. */
  destination?: { write(line: string): unknown; isTTY?: boolean };
}

/** A level given by a user (`--log-level`, `VIGIL_LOG_LEVEL`), checked. */
export function parseLogLevel(value: string, from: string): LogLevel {
  const level = value.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new Error(`${from}: expected one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(value.slice(0, 40))}`);
}

export function parseLogFormat(value: string, from: string): LogFormat {
  const format = value.trim().toLowerCase();
  if ((LOG_FORMATS as readonly string[]).includes(format)) return format as LogFormat;
  throw new Error(`${from}: expected one of ${LOG_FORMATS.join(', ')}, not ${JSON.stringify(value.slice(0, 40))}`);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const target = options.destination ?? process.stdout;
  const format = options.format ?? (target.isTTY === true ? 'pretty' : 'json');
  const stream: DestinationStream =
    format === 'json' ? { write: (line: string) => void target.write(line) } : prettyStream(target);
  const logger: PinoLogger = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  return logger;
}

/** A logger that drops everything (library use, tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ level: 'silent', destination: { write: () => undefined } });

/**
 * An error as a log field: its message, sanitized (credentials in URLs, tokens), never its stack (which could hold
 * values from a connection string).
 */
export function describeError(error: unknown): string {
  return sanitizeMessage(error instanceof Error ? error.message : String(error));
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Control characters as escapes: a value cannot end the line, or colour the terminal. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const LEVEL_WIDTH = 5;

/** `12:03:04.567 INFO  monitor "Shop API" (shop-api): healthy → unhealthy monitor=shop-api from=healthy …` */
export function prettyLine(record: Record<string, unknown>): string {
  const { time, level, msg, ...fields } = record;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const shown = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const escaped = escapeControl(text);
      return `${key}=${/[\s"=]/.test(escaped) || escaped === '' ? JSON.stringify(escaped) : escaped}`;
    });
  const head = `${clock} ${String(level).toUpperCase().padEnd(LEVEL_WIDTH)} ${escapeControl(String(msg ?? ''))}`;
  return `${[head, ...shown].join(' ')}\n`;
}

function prettyStream(target: { write(line: string): unknown }): DestinationStream {
  return {
    write: (line: string) => {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        target.write(escapeControl(line.trimEnd()) + '\n');
        return;
      }
      target.write(prettyLine(record));
    },
  };
}
