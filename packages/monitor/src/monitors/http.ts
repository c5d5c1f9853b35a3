/** `http` monitors: the configuration mapped onto `httpProbe`, prepared once, with the configuration's defaults made explicit. */
import {
  ANY_STATUS,
  type Condition,
  conditionsRead,
  type HttpProbeOptions,
  type PreparedHttp,
  prepareHttp,
  type ProbeResult,
  runHttpProbe,
} from '@vigil/core';
import type { MonitorOfType } from '../config/index.js';
import { readCaFile } from './ca-file.js';
import { elapsedSince, shownUrl, toOutcome, urlHost } from './outcome.js';
import type { MonitorKind } from './types.js';

type HttpLike = MonitorOfType<'http'> | MonitorOfType<'health'>;

/** What `accepted_status` means when it is not set: 2xx, unless a condition tests `[STATUS]` (then it decides). */
export const DEFAULT_ACCEPTED_STATUS = '200-299';

/** The probe options of an http (or health) monitor. Shared with `health.ts`. */
export function httpProbeOptions(monitor: HttpLike, conditions: readonly Condition[]): HttpProbeOptions {
  return {
    url: monitor.url,
    method: monitor.method,
    ...(monitor.headers !== undefined ? { headers: monitor.headers } : {}),
    ...(monitor.body !== undefined ? { body: monitor.body } : {}),
    ...(monitor.auth !== undefined ? { auth: monitor.auth } : {}),
    expectedStatus:
      monitor.accepted_status ?? (conditionsRead(conditions, 'STATUS') ? ANY_STATUS : DEFAULT_ACCEPTED_STATUS),
    followRedirects: monitor.follow_redirects,
    maxBodyBytes: monitor.max_body_bytes,
    // The configuration's promise: "a longer body fails the check" (the probe's own default is to judge its start).
    bodyTooLarge: 'fail',
    ...(monitor.keyword !== undefined ? { keyword: monitor.keyword } : {}),
    ...(monitor.regex !== undefined ? { regex: monitor.regex } : {}),
    invert: monitor.invert,
    ...(monitor.degraded_above !== undefined ? { degradedAboveMs: monitor.degraded_above } : {}),
    tls: {
      skipVerify: monitor.tls.skip_verify,
      expiryDegradedDays: monitor.tls.expiry_degraded_days,
      expiryUnhealthyDays: monitor.tls.expiry_unhealthy_days,
    },
    ...(monitor.ip_version !== undefined ? { ipVersion: monitor.ip_version } : {}),
    keepAlive: monitor.keep_alive,
  };
}

/**
 * The prepared request for one check: the CA file, when there is one, is read at every check (a renewed CA
 * applies without a reload); everything else was prepared once.
 */
export async function withCaFile(prepared: PreparedHttp, caFile: string | undefined): Promise<PreparedHttp> {
  const ca = await readCaFile(caFile);
  return ca === undefined ? prepared : { ...prepared, tls: { ...prepared.tls, ca } };
}

/** Header values, credentials (also as sent, base64) and the request body are secrets in the configuration. */
export function httpSecrets(monitor: HttpLike): string[] {
  const secrets: string[] = Object.values(monitor.headers ?? {});
  try {
    const url = new URL(monitor.url);
    if (url.password) {
      const user = decodeURIComponent(url.username);
      const password = decodeURIComponent(url.password);
      secrets.push(url.password, password, Buffer.from(`${user}:${password}`).toString('base64'));
    }
  } catch {
    // Validated by the configuration: not reached.
  }
  const { basic, bearer } = monitor.auth ?? {};
  if (basic) {
    secrets.push(basic.password, Buffer.from(`${basic.username}:${basic.password}`).toString('base64'));
  }
  if (bearer !== undefined) secrets.push(bearer);
  if (monitor.body !== undefined) secrets.push(monitor.body);
  return secrets;
}

export const http: MonitorKind<MonitorOfType<'http'>> = {
  prepare: (monitor, conditions) => {
    const prepared = prepareHttp(httpProbeOptions(monitor, conditions));
    const caFile = monitor.tls.ca_file;
    // `then`, not `async`/`await`: this runs for every check, and each await is a promise more.
    return (context) => {
      const start = performance.now();
      const judged = (result: ProbeResult) => toOutcome(result, elapsedSince(start), conditions, context.now());
      if (caFile === undefined) return runHttpProbe(prepared, context).then(judged);
      return withCaFile(prepared, caFile).then((withCa) => runHttpProbe(withCa, context).then(judged));
    };
  },
  target: (monitor) => `${monitor.method} ${shownUrl(monitor.url)}`,
  host: (monitor) => urlHost(monitor.url),
  secrets: httpSecrets,
};
