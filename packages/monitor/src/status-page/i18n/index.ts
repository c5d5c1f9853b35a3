/**
 * The status pages' texts: one catalogue per language (every key of `en`, checked by the type), with `{name}`
 * placeholders filled by `format`, and dates and numbers formatted for the language (English by hand, others with `Intl`).
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

const built = new Map<StatusPageLanguage, Formatters>();

/** The formatters of a language, built once: English by hand, other languages with `Intl`. */
export function formattersOf(language: StatusPageLanguage): Formatters {
  let formatters = built.get(language);
  if (formatters === undefined) {
    formatters = language === 'en' ? ENGLISH : intlFormatters(language);
    built.set(language, formatters);
  }
  return formatters;
}

/** Formatters through `Intl` (the first `Intl.DateTimeFormat` maps about 5 MB of ICU's data into memory). */
export function intlFormatters(language: StatusPageLanguage): Formatters {
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

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => (n < 10 ? `0${n}` : String(n));
/** `2:05 PM` (or `02:05 PM` with `padHour`), UTC. */
const clock = (date: Date, padHour: boolean) => {
  const hours = date.getUTCHours();
  const hour12 = hours % 12 || 12;
  return `${padHour ? two(hour12) : hour12}:${two(date.getUTCMinutes())} ${hours < 12 ? 'AM' : 'PM'}`;
};
const monthDay = (date: Date) => `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`;

/**
 * English, the text `Intl` gives for `en` (a test compares them), without `Intl`: English is the default page
 * language, and `vigil serve` builds the default page at start, so `Intl` would map ICU's data into every monitor
 * (docs/benchmarks.md, issue 16).
 */
const ENGLISH: Formatters = {
  percent: (ratio) => {
    if (ratio >= 1) return '100%';
    // Rounded down, as above; counted in hundredths of a percent so no float is printed.
    const hundredths = Math.max(0, Math.floor(ratio * 10_000));
    return `${Math.trunc(hundredths / 100)}.${two(hundredths % 100)}%`;
  },
  day: (at) => {
    const date = new Date(at);
    return `${monthDay(date)}, ${date.getUTCFullYear()}`;
  },
  hour: (at) => {
    const date = new Date(at);
    return `${monthDay(date)}, ${clock(date, true)} UTC`;
  },
  dateTime: (at) => {
    const date = new Date(at);
    return `${monthDay(date)}, ${date.getUTCFullYear()}, ${clock(date, false)} UTC`;
  },
  integer: (value) => {
    // Half away from zero, as Intl rounds; digits grouped by three.
    const rounded = Math.sign(value) * Math.round(Math.abs(value));
    return (rounded < 0 ? '-' : '') + String(Math.abs(rounded)).replace(/\B(?=(\d{3})+$)/g, ',');
  },
};
