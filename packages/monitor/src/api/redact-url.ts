/**
 * A URL safe to show, apart from the schema-driven redaction of ./redact.ts: `vigil serve` names its database with
 * it before it loads anything of the configuration's schema (the schema weighs megabytes: docs/benchmarks.md).
 */
import { REDACTED, sanitizeMessage } from '@vigil/core';

/** Query parameters whose values are hidden in URLs. */
const SECRET_PARAM = /pass|pwd|secret|token|key|auth|sig|credential|session/i;

/**
 * A URL (or a text holding one) safe to show: the password (or a lone user name, which is then the secret)
 * and the values of secret-looking query parameters become `***`. Other text is returned unchanged.
 */
export function redactUrlText(value: string): string {
  if (!value.includes('://')) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return sanitizeMessage(value);
  }
  let changed = false;
  if (url.password) {
    url.password = REDACTED;
    changed = true;
  } else if (url.username) {
    url.username = REDACTED;
    changed = true;
  }
  const params = [...url.searchParams];
  if (params.some(([key, item]) => item !== '' && SECRET_PARAM.test(key))) {
    url.search = new URLSearchParams(
      params.map(([key, item]): [string, string] => [key, item !== '' && SECRET_PARAM.test(key) ? REDACTED : item]),
    ).toString();
    changed = true;
  }
  if (url.hash && sanitizeMessage(url.hash) !== url.hash) {
    url.hash = REDACTED;
    changed = true;
  }
  return changed ? url.toString() : value;
}
