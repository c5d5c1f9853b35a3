/**
 * The status pages' texts: one catalogue per language (every key of `en`, checked by the type), with `{name}`
 * placeholders filled by `format`, and dates and numbers formatted for the language with `Intl`.
 */
import type { StatusPageLanguage } from '../../config/status-pages.js';
import { de } from './de.js';
import { en, type Catalog } from './en.js';

export type { Catalog };

const CATALOGS: Record<StatusPageLanguage, Catalog> = { en, de };

export function catalogOf(language: StatusPageLanguage): Catalog {
  return CATALOGS[language];
}

/** Fills `{key}` placeholders; values are plain text (the renderer escapes the result). */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

export interface Formatters {
  /** `99.95%`: two decimals below 100, none at 100. */
  percent(ratio: number): string;
  /** A UTC day: `Dec 6, 2026`. */
  day(epochMs: number): string;
  /** A UTC hour: `Dec 6, 14:00 UTC`. */
  hour(epochMs: number): string;
  /** A date and time, UTC. */
  dateTime(epochMs: number): string;
  integer(value: number): string;
}

export function formattersOf(language: StatusPageLanguage): Formatters {
  const percent = new Intl.NumberFormat(language, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const whole = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 });
  const day = new Intl.DateTimeFormat(language, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
  const hour = new Intl.DateTimeFormat(language, { timeZone: 'UTC', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  const dateTime = new Intl.DateTimeFormat(language, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });
  const integer = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  return {
    // Rounded down: 99.999% is not shown as 100%, which would hide that something failed.
    percent: (ratio) => (ratio >= 1 ? whole.format(1) : percent.format(Math.floor(ratio * 10_000) / 10_000)),
    day: (at) => day.format(at),
    hour: (at) => hour.format(at),
    dateTime: (at) => `${dateTime.format(at)} UTC`,
    integer: (value) => integer.format(value),
  };
}
